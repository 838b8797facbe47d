"""What ``serve`` and ``worker`` are built from: the tenant from the environment, the user's
handler modules, the worker command's refusal without a key; and the feed's ring."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import structlog
from starlette.testclient import TestClient

from attio_bridge.cli import main
from attio_bridge.errors import ConfigurationError
from attio_bridge.web import EventFeed, build_service, service_tenants
from attio_bridge.web.wiring import app_from_env
from attio_bridge.webhooks import Event, router

from ._support import delivery, record_event, signed


def test_the_tenant_comes_from_the_environment_with_each_rotated_secret(tmp_path: Path) -> None:
    tenants = service_tenants(
        {
            "ATTIO_API_KEY": "key-from-env-1234",
            "ATTIO_BASE_URL": "http://127.0.0.1:9/",
            "ATTIO_WEBHOOK_SECRET": " old-secret-1 , new-secret-2,",
            "XDG_CONFIG_HOME": str(tmp_path),
            "XDG_STATE_HOME": str(tmp_path),
        }
    )
    (tenant,) = tenants
    assert (tenant.name, tenant.api_key, tenant.base_url) == (
        "default",
        "key-from-env-1234",
        "http://127.0.0.1:9/",
    )
    assert tenant.attio_secrets == ("old-secret-1", "new-secret-2")
    assert "key-from-env-1234" not in repr(tenant)


def test_no_api_key_is_a_configuration_error_naming_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="ATTIO_API_KEY is not set"):
        service_tenants({"XDG_CONFIG_HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path)})


def test_the_worker_command_without_a_key_is_one_error_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("ATTIO_API_KEY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    with pytest.raises(SystemExit) as exit:
        main(["worker"])
    assert exit.value.code not in (0, None)
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: ATTIO_API_KEY is not set")


def test_handler_modules_are_imported_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my_web_handlers.py").write_text("LOADED = True\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    env = {
        "ATTIO_API_KEY": "k-1234",
        "XDG_CONFIG_HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path),
    }
    tenants = service_tenants(env)
    build_service(tenants, handlers=["my_web_handlers"], environ=env)
    assert sys.modules["my_web_handlers"].LOADED is True
    # The built-in handlers are loaded beside the user's: snapshots refresh on record updates.
    names = {getattr(h, "__module__", "") for h in router.handlers_for("record.updated")}
    assert "attio_bridge.snapshot.handlers" in names
    with pytest.raises(ConfigurationError, match="handler module 'no_such_mod_xyz' cannot be"):
        build_service(tenants, handlers=["no_such_mod_xyz"], environ=env)
    sys.modules.pop("my_web_handlers")


def test_the_feed_keeps_the_newest_rows_only() -> None:
    feed = EventFeed(size=3)
    events = [Event("attio", "default", "record.updated", {"n": n}, f"d-{n}") for n in range(5)]
    feed.received(events, [True] * 5)
    assert [row.job_id for row in feed.rows()] == [e.job_id for e in reversed(events[2:])]
    assert feed.counts()["received"] == 5


def test_the_app_from_the_environment_serves_the_configured_workspace(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secret = "whsec-from-env-0b7d55"
    env = {
        "ATTIO_API_KEY": "env-app-key-4411",
        "ATTIO_WEBHOOK_SECRET": secret,
        "XDG_CONFIG_HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path),
    }
    try:
        with TestClient(app_from_env(env)) as client:
            body = delivery(record_event())
            good = client.post("/webhooks/attio", content=body, headers=signed(body, secret=secret))
            bad = client.post("/webhooks/attio", content=body, headers=signed(body))
            ready = client.get("/readyz")
    finally:
        structlog.reset_defaults()
    assert (good.status_code, bad.status_code, ready.status_code) == (200, 401, 200)
    logged = capsys.readouterr().err
    assert '"event": "service started"' in logged  # JSON lines
    assert "env-app-key-4411" not in logged and secret not in logged
    with pytest.raises(ConfigurationError, match="log level 'loud' is not one of"):
        app_from_env({**env, "ATTIO_BRIDGE_LOG_LEVEL": "loud"})
