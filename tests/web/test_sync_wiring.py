"""``serve --sync FILE`` and ``worker --sync FILE`` (``ATTIO_BRIDGE_SYNC``): the sync of a mapping
file wired into the service (its jobs, its pulls among the periodic tasks, its event handler on
the router, closed when the service stops), and each bad input reported as one error line that
names what is wrong and the fix, with the exit status of its class."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from attio_bridge.cli import main
from attio_bridge.errors import ConfigurationError
from attio_bridge.web import build_service, service_tenants
from attio_bridge.web.wiring import build_sync
from attio_bridge.webhooks import Tenant, Tenants, router

MAPPING = """
[[mapping]]
name = "crm-contacts"
system = "hubspot"
object = "contacts"
attio_object = "people"
match = { external = "email", attio = "email_addresses" }

[[mapping.fields]]
external = "email"
attio = "email_addresses"
"""


@pytest.fixture(autouse=True)
def _logs_reset() -> Iterator[None]:
    """The commands configure the logs on the test's stderr, closed after it: reset them."""
    yield
    structlog.reset_defaults()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A workspace key and state folders of the test's own; no HubSpot settings."""
    found = {
        "ATTIO_API_KEY": "key-sync-wiring-1234",
        "ATTIO_BASE_URL": "http://127.0.0.1:9",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    for name in ("HUBSPOT_ACCESS_TOKEN", "HUBSPOT_API_URL", "ATTIO_BRIDGE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in found.items():
        monkeypatch.setenv(name, value)
    return found


def error_of(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The exit status and the one error line of ``attio-bridge ARGS``."""
    with pytest.raises(SystemExit) as exit:
        main(list(args))
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    (line,) = [line for line in err.splitlines() if line.startswith("error:")]
    return int(exit.value.code or 0), line


def test_a_missing_mapping_file_is_named_with_the_fix(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.toml"
    status, line = error_of(capsys, "worker", "--sync", str(missing))
    assert status == 2
    assert f"mapping file {missing} does not exist" in line
    assert "give the path of a mapping file" in line


def test_the_environment_names_the_file_and_a_bad_one_is_named(
    env: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[mapping]]\nname = 'x'\nsystem = 'hubspot'\n")
    monkeypatch.setenv("ATTIO_BRIDGE_SYNC", str(bad))
    status, line = error_of(capsys, "worker")
    assert status != 0
    assert str(bad) in line and "mapping 'x': give exactly one of attio_object" in line


def test_missing_connector_settings_name_the_mapping_and_the_variable(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "sync.toml"
    good.write_text(MAPPING)
    status, line = error_of(capsys, "worker", "--sync", str(good))
    assert status == 2
    assert "'crm-contacts'" in line and "HUBSPOT_ACCESS_TOKEN" in line


def test_a_period_not_above_zero_is_a_usage_error(
    env: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = tmp_path / "sync.toml"
    good.write_text(MAPPING)
    status, line = error_of(capsys, "worker", "--sync", str(good), "--sync-period", "0")
    assert (status, "--sync-period 0" in line) == (2, True)
    monkeypatch.setenv("ATTIO_BRIDGE_SYNC_PERIOD", "-5")
    status, line = error_of(capsys, "worker", "--sync", str(good))
    assert (status, "--sync-period -5" in line) == (2, True)
    monkeypatch.delenv("ATTIO_BRIDGE_SYNC_PERIOD")
    status, line = error_of(capsys, "worker", "--sync", str(good), "--reconcile-period", "0")
    assert (status, "--reconcile-period 0" in line) == (2, True)
    monkeypatch.setenv("ATTIO_BRIDGE_RECONCILE_PERIOD", "-1")
    status, line = error_of(capsys, "worker", "--sync", str(good))
    assert (status, "--reconcile-period -1" in line) == (2, True)


def test_serve_without_a_workspace_runs_the_sandbox_and_refuses_a_sync(
    env: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ATTIO_API_KEY")
    monkeypatch.delenv("ATTIO_BRIDGE_WORKSPACES", raising=False)
    good = tmp_path / "sync.toml"
    good.write_text(MAPPING)
    status, line = error_of(capsys, "serve", "--sync", str(good), "--port", "0")
    assert status == 2
    assert "--sync needs a real workspace: set ATTIO_API_KEY" in line


def test_several_workspaces_need_the_one_the_sync_runs_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-x")  # connectors read the process's settings
    good = tmp_path / "sync.toml"
    good.write_text(MAPPING)
    tenants = Tenants([Tenant("a", api_key="ka-1234"), Tenant("b", api_key="kb-1234")])
    environ = {"XDG_STATE_HOME": str(tmp_path), "HUBSPOT_ACCESS_TOKEN": "pat-x"}
    with pytest.raises(ConfigurationError, match="ATTIO_BRIDGE_SYNC_WORKSPACE"):
        build_sync(good, tenants, period=60, environ=environ)
    with pytest.raises(ConfigurationError, match="'c', which is not served"):
        build_sync(
            good, tenants, period=60, environ={**environ, "ATTIO_BRIDGE_SYNC_WORKSPACE": "c"}
        )
    sync = build_sync(
        good, tenants, period=60, environ={**environ, "ATTIO_BRIDGE_SYNC_WORKSPACE": "b"}
    )
    try:
        assert sync.workspace == "b"
    finally:
        sync.close()


def test_the_service_runs_the_syncs_jobs_pulls_and_events_and_closes_it(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-wiring")
    good = tmp_path / "sync.toml"
    good.write_text(MAPPING)
    environ = {**env, "HUBSPOT_ACCESS_TOKEN": "pat-wiring"}
    tenants = service_tenants(environ)
    sync = build_sync(good, tenants, period=120, environ=environ)
    jobs_url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    service = build_service(tenants, work=False, environ=environ, jobs_url=jobs_url, sync=sync)
    assert sync.workspace == "default" and sync.period == 120
    assert sync.on_event in router.handlers_for("contact.propertyChange")
    assert sync.on_event in router.handlers_for("record.updated")
    assert sync.on_event not in router.handlers_for("deal.propertyChange")
    [pulls] = [task for task in service.periodic if task.name == "sync pulls"]
    assert pulls.interval == sync.tick_interval == 5.0
    service.start()
    try:
        sync.tick(service.jobs)  # type: ignore[arg-type]  # build_service's queue is a JobQueue
        jobs = {job.id: job for job in service.jobs.list(limit=None)}  # type: ignore[attr-defined]
    finally:
        asyncio.run(service.stop())
    # The first full run (never pulled yet) and this period's pull, in the mapping's partition.
    assert jobs["sync:crm-contacts:first"].kind == "sync-full"
    [pull] = [job for job in jobs.values() if job.id.startswith("sync-pull:crm-contacts:120s:")]
    assert (pull.kind, pull.partition) == ("sync-pull", "sync:hubspot:contacts")
    # Stopped: the sync is closed and its handler is off the router.
    assert sync.on_event not in router.handlers_for("contact.propertyChange")


def test_the_app_from_the_environment_runs_the_sync_it_names(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.testclient import TestClient

    from attio_bridge.web.wiring import app_from_env

    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-app")
    good = tmp_path / "sync.toml"
    good.write_text(MAPPING)
    settings = {
        **env,
        "ATTIO_BRIDGE_SYNC": str(good),
        "ATTIO_BRIDGE_SYNC_PERIOD": "90",
        "ATTIO_BRIDGE_RECONCILE_PERIOD": "3600",
    }
    with pytest.raises(ConfigurationError, match="ATTIO_BRIDGE_SYNC_PERIOD is a number"):
        app_from_env({**settings, "ATTIO_BRIDGE_SYNC_PERIOD": "soon"})
    with TestClient(app_from_env(settings)) as client:
        page = client.get("/sync/conflicts")
        handled = [h for h in router.handlers_for("contact.creation") if "SyncService" in repr(h)]
    assert page.status_code == 200
    assert handled and "period=90," in repr(handled[0])
    assert "reconcile_period=3600" in repr(handled[0])
    assert not [h for h in router.handlers_for("contact.creation") if "SyncService" in repr(h)]
