"""``attio-bridge webhooks sync FILE`` against the in-process emulator: creates, updates and
deletes the managed webhooks, leaves the others alone, keeps each new signing secret in the
secret store (never in the output, the logs, the file or the emulator's journal), changes
nothing under --dry-run, does nothing on a second run, and names the line or field of a bad
file."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.state import DATABASE_URL_ENV, SECRET_KEY_ENV, open_secrets, open_store

from ._support import InProcessEmulator, invoke, journal, one_error_line, writes

KEY = "webhooks-cli-key"
BASE = "https://bridge.example.com/webhooks/"
OTHER = "https://other-integration.example.net/hook"

FILE = f"""
manage = "{BASE}"

[[webhooks]]
target_url = "{BASE}attio/acme"

[[webhooks.subscriptions]]
event_type = "record.updated"

[[webhooks.subscriptions]]
event_type = "list-entry.created"
filter = {{ "$and" = [{{ field = "id.list_id", operator = "equals", value = "abc" }}] }}

[[webhooks]]
target_url = "{BASE}attio/globex"

[[webhooks.subscriptions]]
event_type = "record.created"
"""


@pytest.fixture
def emu() -> Iterator[InProcessEmulator]:
    """A fresh emulator for each test: the webhooks are what the tests compare."""
    with InProcessEmulator(KEY) as emulator:
        yield emulator


@pytest.fixture
def state_env(tmp_path: Path, env: dict[str, str]) -> dict[str, str | None]:
    """The command's environment with a state store of the test's own."""
    return {
        **env,
        "XDG_STATE_HOME": str(tmp_path / "state"),
        DATABASE_URL_ENV: None,
        SECRET_KEY_ENV: None,
    }


def hooks(client: AttioClient) -> dict[str, dict[str, Any]]:
    """The workspace's webhooks by target URL: id and event types."""
    return {
        h.target_url: {
            "id": h.id["webhook_id"],
            "events": sorted(s["event_type"] for s in h.subscriptions),
        }
        for h in client.webhooks.iter()
    }


def stored_secrets(tmp_path: Path) -> dict[str, str]:
    """The secrets the command kept, by name (read with the same key file)."""
    url = f"sqlite:///{tmp_path / 'state' / 'attio-bridge' / 'state.sqlite3'}"
    with open_store(url) as store:
        secrets = open_secrets(store, environ={})
        return {name: secrets.get(name) or "" for name in secrets.names()}


def emulator_secrets(emu: InProcessEmulator) -> dict[str, str]:
    """Each webhook's signing secret as the emulator keeps it (Attio shows it once)."""
    return {i: h["secret"] for i, h in emu.app.state.workspace.webhooks.items()}


@pytest.fixture
def seeded(client: AttioClient) -> dict[str, str]:
    """A managed webhook to update, one to delete, and another integration's."""
    made = {
        "update": client.webhooks.create(
            target_url=f"{BASE}attio/acme",
            subscriptions=[{"event_type": "record.deleted", "filter": None}],
        ),
        "delete": client.webhooks.create(
            target_url=f"{BASE}attio/gone",
            subscriptions=[{"event_type": "note.created", "filter": None}],
        ),
        "other": client.webhooks.create(
            target_url=OTHER, subscriptions=[{"event_type": "task.created", "filter": None}]
        ),
    }
    return {k: v.id["webhook_id"] for k, v in made.items()}


class Sync:
    """Runs ``webhooks sync`` in the test's emulator and state store."""

    def __init__(
        self, emu: InProcessEmulator, env: dict[str, str | None], home: Path, tmp: Path
    ) -> None:
        self.emu, self.env, self.home, self.tmp = emu, env, home, tmp

    def file(self, text: str = FILE, name: str = "webhooks.toml") -> Path:
        """A subscriptions file holding ``text``."""
        path = self.tmp / name
        path.write_text(text)
        return path

    def __call__(self, *args: str) -> Any:
        """Run ``webhooks sync ARGS``; no webhook secret may appear in its output."""
        result = invoke(["webhooks", "sync", *args], self.env, self.home, KEY)
        for secret in emulator_secrets(self.emu).values():
            assert secret not in result.stdout and secret not in result.stderr
        return result

    def secrets(self) -> dict[str, str]:
        """The secrets the command kept, by name (read with the same key file)."""
        return stored_secrets(self.tmp)


@pytest.fixture
def sync(
    emu: InProcessEmulator,
    state_env: dict[str, str | None],
    config_home: Path,
    tmp_path: Path,
) -> Sync:
    return Sync(emu, state_env, config_home, tmp_path)


def test_sync_creates_updates_deletes_and_keeps_the_secret_only_in_the_store(
    emu: InProcessEmulator,
    client: AttioClient,
    seeded: dict[str, str],
    sync: Sync,
    caplog: pytest.LogCaptureFixture,
) -> None:
    file = sync.file()
    caplog.set_level(logging.DEBUG)
    result = sync(str(file), "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    actions = sorted((c["action"], c["target_url"]) for c in out["changes"])
    assert actions == [
        ("create", f"{BASE}attio/globex"),
        ("delete", f"{BASE}attio/gone"),
        ("update", f"{BASE}attio/acme"),
    ]
    assert out["unmanaged"] == 1 and out["dry_run"] is False
    now = hooks(client)
    assert set(now) == {f"{BASE}attio/acme", f"{BASE}attio/globex", OTHER}
    assert now[f"{BASE}attio/acme"] == {
        "id": seeded["update"],
        "events": ["list-entry.created", "record.updated"],
    }
    assert now[OTHER]["id"] == seeded["other"]
    created_id = now[f"{BASE}attio/globex"]["id"]
    (created,) = [c for c in out["changes"] if c["action"] == "create"]
    assert created["webhook_id"] == created_id
    assert created["secret_name"] == f"webhook:{created_id}"
    # The secret Attio returned is in the store, under the webhook's id, and nowhere else.
    secret = emulator_secrets(emu)[created_id]
    assert sync.secrets() == {f"webhook:{created_id}": secret}
    assert secret not in file.read_text()
    assert secret not in caplog.text
    assert secret not in json.dumps(journal(emu))
    database = sync.tmp / "state" / "attio-bridge" / "state.sqlite3"
    assert secret.encode() not in database.read_bytes()


def test_a_second_run_changes_nothing(
    emu: InProcessEmulator, client: AttioClient, seeded: dict[str, str], sync: Sync
) -> None:
    file = sync.file()
    assert sync(str(file)).exit_code == 0
    before, sent = hooks(client), len(writes(emu))
    again = sync(str(file))
    assert again.exit_code == 0, again.stderr
    assert again.stdout.startswith("Done: 0 changes")
    assert again.stdout.count("keep") == 2
    assert len(writes(emu)) == sent and hooks(client) == before


def test_dry_run_prints_the_plan_and_changes_nothing(
    emu: InProcessEmulator, client: AttioClient, seeded: dict[str, str], sync: Sync
) -> None:
    before, sent = hooks(client), len(writes(emu))
    result = sync(str(sync.file()), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Plan (dry run): 3 changes")
    assert f"create (new)  {BASE}attio/globex  [record.created]" in result.stdout
    assert f"delete {seeded['delete']}  {BASE}attio/gone" in result.stdout
    assert "nothing was changed (dry run)" in result.stderr
    assert hooks(client) == before and len(writes(emu)) == sent
    assert sync.secrets() == {}


def test_a_file_with_no_webhooks_deletes_the_managed_ones_and_their_secrets(
    client: AttioClient, sync: Sync
) -> None:
    assert sync(str(sync.file())).exit_code == 0
    assert len(sync.secrets()) == 2
    empty = sync.file(json.dumps({"manage": [BASE], "webhooks": []}), "none.json")
    result = sync(str(empty), "--json")
    assert result.exit_code == 0, result.stderr
    assert [c["action"] for c in json.loads(result.stdout)["changes"]] == ["delete", "delete"]
    assert hooks(client) == {} and sync.secrets() == {}


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("[[webhooks]\n", "bad.toml", "bad.toml: not valid TOML .*line 1"),
        (
            '[[webhooks]]\ntarget_url = "https://h.example/x"\n[[webhooks.subscriptions]]\n'
            'event_type = "record updated"\n',
            "typo.toml",
            r"typo.toml: webhooks\[0\] \(webhook 1\).subscriptions\[0\].event_type must be one "
            "of Attio's event types",
        ),
        (
            '[[webhooks]]\ntarget_url = "ftp://h.example/x"\n',
            "url.toml",
            r"webhooks\[0\] \(webhook 1\).target_url must be the URL Attio posts to",
        ),
        ('{"webhooks": []}', "empty.json", "manage is needed when the file lists no webhooks"),
        ('{"webhooks": [}', "broken.json", "broken.json: not valid JSON: .* at line 1, column 15"),
        ("hooks = []\n", "unknown.toml", "hooks is not a setting of a subscriptions file"),
        ("", "missing.toml", "missing.toml: no such subscriptions file"),
    ],
)
def test_a_bad_file_is_one_line_naming_where_and_the_fix(
    text: str, name: str, expected: str, emu: InProcessEmulator, sync: Sync
) -> None:
    file = sync.file(text, name) if text else sync.tmp / name
    result = sync(str(file))
    assert result.exit_code == 5
    assert re.search(expected, one_error_line(result)), result.stderr
    assert writes(emu) == []
