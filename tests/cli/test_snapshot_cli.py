"""``attio-bridge snapshot import|list|refresh|remove|link`` against the sandbox emulator in
this process: files and commits in a project folder, the index in a state store of the test's
own, ``--json``, ``--dry-run``, the progress bar on a terminal, errors and their exit codes; the
API key appears in no output (``invoke`` checks every run) and in no file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import Result

from attio_bridge.client import AttioClient

from ._support import InProcessEmulator, invoke, one_error_line

KEY = "snapshot-cli-s3cret-key-7d2e"
SEED = "sandbox"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder that is no git repository yet."""
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


@pytest.fixture
def snap_env(emu: InProcessEmulator, tmp_path: Path) -> dict[str, str]:
    """The emulator's key and URL, and a state store of this test's own."""
    return {
        "ATTIO_API_KEY": emu.api_key,
        "ATTIO_BASE_URL": emu.base_url,
        "ATTIO_BRIDGE_DATABASE_URL": f"sqlite:///{tmp_path}/state.sqlite3",
    }


def run(args: list[str], env: dict[str, str], config_home: Path, project: Path) -> Result:
    return invoke(["snapshot", *args, "--project", str(project)], env, config_home, KEY)


def ids(client: AttioClient, object: str, count: int) -> dict[str, str]:
    found = {}
    for record in client.records.query(object, limit=count):
        [name] = record.values["name"]
        found[name.get("full_name") or name["value"]] = record.id.record_id
    return found


def git(project: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True)
    return done.stdout


def test_import_list_refresh_remove_and_link(
    client: AttioClient, snap_env: dict[str, str], config_home: Path, project: Path
) -> None:
    people = ids(client, "people", 3)
    result = run(
        ["import", "people", *people.values(), "--init", "--json"], snap_env, config_home, project
    )
    assert result.exit_code == 0, result.stderr
    imported = json.loads(result.stdout)
    assert [s["name"] for s in imported["imported"]] == list(people)
    assert imported["reads"] == 1
    assert imported["commit"]
    assert git(project, "log", "--format=%s").startswith("Import 3 people from Attio: ")
    assert len(list((project / "attio/people").glob("*.json"))) == 3
    for path in project.rglob("*"):
        assert not path.is_file() or KEY.encode() not in path.read_bytes()

    listed = run(["list", "--json"], snap_env, config_home, project)
    assert [s["record_id"] for s in json.loads(listed.stdout)] == sorted(
        people.values(), key=lambda i: next(n for n, r in people.items() if r == i)
    )
    table = run(["list"], snap_env, config_home, project)
    assert table.exit_code == 0
    assert "3 imported into" in table.stdout
    assert "attio/people/" in table.stdout

    first_name, first = next(iter(people.items()))
    client.records.update("people", first, {"job_title": "Chief Snapshot Officer"})
    dry = run(["refresh", "--dry-run"], snap_env, config_home, project)
    assert dry.exit_code == 0, dry.stderr
    assert "Dry run: nothing written (1 reads by SQL)." in dry.stdout
    queried = run(["refresh", "--dry-run", "--no-sql", "--json"], snap_env, config_home, project)
    assert json.loads(queried.stdout)["sql"] is False
    assert [s["name"] for s in json.loads(queried.stdout)["changed"]] == [first_name]
    refreshed = json.loads(run(["refresh", "--json"], snap_env, config_home, project).stdout)
    assert [s["name"] for s in refreshed["changed"]] == [first_name]
    assert (refreshed["unchanged"], refreshed["reads"], refreshed["sql"]) == (2, 1, True)
    assert "Chief Snapshot Officer" in git(project, "show", "HEAD")

    linked = run(["link", first, "persona-v1", "--json"], snap_env, config_home, project)
    assert json.loads(linked.stdout)["experiments"] == ["persona-v1"]

    would = run(["remove", first, "--dry-run"], snap_env, config_home, project)
    assert "Dry run: nothing written." in would.stdout
    assert len(list((project / "attio/people").glob("*.json"))) == 3
    removed = run(["remove", first, "--json"], snap_env, config_home, project)
    assert removed.exit_code == 0, removed.stderr
    assert json.loads(removed.stdout)["commit"]
    assert len(list((project / "attio/people").glob("*.json"))) == 2
    assert git(project, "status", "--porcelain") == ""


def test_a_dry_import_writes_nothing(
    client: AttioClient, snap_env: dict[str, str], config_home: Path, project: Path
) -> None:
    git(project, "init", "-q")
    people = ids(client, "people", 2)
    result = run(
        ["import", "people", *people.values(), "--dry-run"], snap_env, config_home, project
    )
    assert result.exit_code == 0, result.stderr
    assert "Would import 2" in result.stdout
    assert "Dry run: nothing written (1 reads)." in result.stdout
    assert not (project / "attio").exists()
    assert json.loads(run(["list", "--json"], snap_env, config_home, project).stdout) == []


def test_a_folder_that_is_not_a_repository_is_one_error_line(
    client: AttioClient, snap_env: dict[str, str], config_home: Path, project: Path
) -> None:
    people = ids(client, "people", 1)
    result = run(["import", "people", *people.values()], snap_env, config_home, project)
    assert result.exit_code == 5
    assert "is not a git repository; run `git init` there" in one_error_line(result)


def test_unknown_ids_are_named_and_exit_4_after_the_rest_is_imported(
    client: AttioClient, snap_env: dict[str, str], config_home: Path, project: Path
) -> None:
    people = ids(client, "people", 1)
    missing = "00000000-0000-4000-8000-000000000000"
    args = ["import", "people", *people.values(), missing, "--init"]
    result = run(args, snap_env, config_home, project)
    assert result.exit_code == 4
    assert f"failed: {missing}: no person {missing} in Attio" in result.stderr
    assert len(list((project / "attio/people").glob("*.json"))) == 1


def test_bad_kinds_and_unknown_records_have_their_exit_codes(
    snap_env: dict[str, str], config_home: Path, project: Path
) -> None:
    git(project, "init", "-q")
    bad = run(["import", "deals", "x"], snap_env, config_home, project)
    assert bad.exit_code == 5
    assert "one of companies, people, list-entries" in one_error_line(bad)
    assert run(["list", "--kind", "deals"], snap_env, config_home, project).exit_code == 2
    missing = run(["link", "nobody", "persona"], snap_env, config_home, project)
    assert missing.exit_code == 4
    assert "not imported" in one_error_line(missing)


def test_a_terminal_gets_a_progress_bar(
    client: AttioClient, snap_env: dict[str, str], config_home: Path, project: Path
) -> None:
    people = ids(client, "people", 5)
    env = snap_env | {"TTY_COMPATIBLE": "1"}
    result = run(["import", "people", *people.values(), "--init"], env, config_home, project)
    assert result.exit_code == 0, result.stderr
    assert "importing" in result.stderr
    plain = run(["refresh"], snap_env, config_home, project)
    assert "refreshing" not in plain.stderr
