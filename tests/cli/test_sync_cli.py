"""``attio-bridge sync check|run|reconcile|status|conflicts`` against the in-process emulator and
the fake other side (``--connector tests.sync._fake_side:shared``)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from attio_bridge.client import AttioClient
from tests.sync._fake_side import FakeSide, reset_shared

from ._support import invoke, one_error_line

KEY = "sync-cli-key"
CONNECTOR = ["--connector", "tests.sync._fake_side:shared"]
MAPPING = """
[[mapping]]
name = "contacts"
system = "hubspot"
object = "contacts"
attio_object = "people"
match = { external = "email", attio = "email_addresses" }

[[mapping.fields]]
external = "email"
attio = "email_addresses"
transform = "lowercase"

[[mapping.fields]]
external = ["firstname", "lastname"]
attio = "name"
transform = "split_name"

[[mapping.fields]]
external = "jobtitle"
attio = "job_title"
owner = "external"
"""


@pytest.fixture
def side() -> FakeSide:
    return reset_shared()


@pytest.fixture
def file(tmp_path: Path) -> Path:
    path = tmp_path / "sync.toml"
    path.write_text(MAPPING)
    return path


@pytest.fixture
def state_env(tmp_path: Path, env: dict[str, str]) -> dict[str, str | None]:
    return {**env, "XDG_STATE_HOME": str(tmp_path / "state"), "ATTIO_BRIDGE_DATABASE_URL": None}


def test_check_names_the_problems_then_passes(
    file: Path, side: FakeSide, state_env: dict[str, str | None], config_home: Path
) -> None:
    ok = invoke(["sync", "check", str(file), *CONNECTOR], state_env, config_home, KEY)
    assert ok.exit_code == 0, ok.stderr
    assert "1 mapping(s) OK" in ok.stdout
    file.write_text(MAPPING.replace('attio = "job_title"', 'attio = "job_titel"'))
    bad = invoke(["sync", "check", str(file), *CONNECTOR, "--json"], state_env, config_home, KEY)
    assert bad.exit_code != 0
    # The line of the field's table: the third [[mapping.fields]] of MAPPING.
    line = [n for n, t in enumerate(MAPPING.splitlines(), 1) if t == "[[mapping.fields]]"][2]
    assert json.loads(bad.stdout)["problems"] == [
        f"{file}, line {line}: mapping 'contacts': people has no attribute 'job_titel';"
        " create it or fix the name"
    ]


def test_a_mapping_file_error_is_one_line(
    tmp_path: Path, state_env: dict[str, str | None], config_home: Path
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[[mapping]]\nname = 'x'\n")
    result = invoke(["sync", "run", str(path), *CONNECTOR], state_env, config_home, KEY)
    line = one_error_line(result)
    assert str(path) in line and "'x'" in line and result.exit_code == 2


def test_dry_run_then_run_then_status(
    file: Path,
    side: FakeSide,
    client: AttioClient,
    state_env: dict[str, str | None],
    config_home: Path,
) -> None:
    side.put("contacts", {"email": "cli@x.io", "firstname": "Cli", "lastname": "User"})
    dry = invoke(["sync", "run", str(file), *CONNECTOR, "--dry-run"], state_env, config_home, KEY)
    assert dry.exit_code == 0, dry.stderr
    assert "would write 1 to Attio" in dry.stdout and "create attio (new)" in dry.stdout
    assert client.records.query("people", filter={"email_addresses": "cli@x.io"}) == []
    done = invoke(["sync", "run", str(file), *CONNECTOR, "--json"], state_env, config_home, KEY)
    assert done.exit_code == 0, done.stderr
    [report] = json.loads(done.stdout)["mappings"]
    assert report["written"]["attio"] == 1
    assert len(client.records.query("people", filter={"email_addresses": "cli@x.io"})) == 1
    status = invoke(["sync", "status", str(file), "--json"], state_env, config_home, KEY)
    [row] = json.loads(status.stdout)
    assert row["mapping"] == "contacts" and row["open_conflicts"] == 0 and row["linked"] >= 1
    table = invoke(["sync", "status", str(file)], state_env | {"COLUMNS": "60"}, config_home, KEY)
    # Columns the terminal has no room for are named with a way to see them that exists.
    assert "not shown:" in table.stdout and "--json for all" in " ".join(table.stdout.split())
    assert "--columns" not in table.stdout
    listed = invoke(["sync", "conflicts", "list"], state_env, config_home, KEY)
    assert listed.stdout.strip() == "no open conflicts"
    missing = invoke(["sync", "conflicts", "show", "nope"], state_env, config_home, KEY)
    assert "no conflict 'nope'" in one_error_line(missing)


def test_an_open_conflict_is_listed_and_resolved(
    file: Path,
    side: FakeSide,
    client: AttioClient,
    state_env: dict[str, str | None],
    config_home: Path,
) -> None:
    rec = side.put("contacts", {"email": "both@x.io", "firstname": "Bo", "lastname": "Th"})
    assert (
        invoke(["sync", "run", str(file), *CONNECTOR], state_env, config_home, KEY).exit_code == 0
    )
    [person] = client.records.query("people", filter={"email_addresses": "both@x.io"})
    name = [{"first_name": "Attio", "last_name": "Th", "full_name": "Attio Th"}]
    updated = client.records.update("people", person.record_id, {"name": name})
    when = max(datetime.fromisoformat(v["active_from"]) for v in updated.values["name"])
    side.edit("contacts", rec.id, {"firstname": "Other"}, at=when)
    run = invoke(["sync", "run", str(file), *CONNECTOR], state_env, config_home, KEY)
    assert "name: open" in run.stdout
    listed = invoke(["sync", "conflicts", "list", "--json"], state_env, config_home, KEY)
    [c] = json.loads(listed.stdout)
    assert (c["attio_value"]["first_name"], c["external_value"]["first_name"]) == ("Attio", "Other")
    bad = invoke(
        ["sync", "conflicts", "resolve", c["id"], "--file", str(file), "--take", "me"],
        state_env,
        config_home,
        KEY,
    )
    assert "--take 'me'" in one_error_line(bad)
    args = [
        "sync",
        "conflicts",
        "resolve",
        c["id"],
        "--file",
        str(file),
        "--take",
        "external",
        *CONNECTOR,
    ]
    done = invoke(args, state_env, config_home, KEY)
    assert done.exit_code == 0, done.stderr
    assert "resolved: external" in done.stdout
    assert side.records["contacts"][rec.id].properties["firstname"] == "Other"
    [after] = client.records.query("people", filter={"email_addresses": "both@x.io"})
    assert after.values["name"][0]["first_name"] == "Other"
    listed = invoke(["sync", "conflicts", "list"], state_env, config_home, KEY)
    assert listed.stdout.strip() == "no open conflicts"
