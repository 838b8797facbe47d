"""``people ls|update|delete``, ``companies ls|update|delete`` and ``deals ls`` against the
sandbox workspace in this process: tables that fit, ``--json``, ``--filter``, ``--sort``,
``--all``, ``--columns``; updates and deletes by the record's key, with ``--dry-run`` sending no
write (the emulator's journal), and a key nobody has exiting 4 with how to create it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import Result

from attio_bridge.client import AttioClient

from ._support import InProcessEmulator, invoke, one_error_line, writes

KEY = "people-ls-cli-s3cret-key-2b7f"

SEED = "sandbox"


def run(args: list[str], env: dict[str, str], config_home: Path, columns: int = 160) -> Result:
    """``invoke`` with this module's key."""
    return invoke(args, env, config_home, KEY, columns=columns)


def test_people_ls_is_a_table_that_fits(env: dict[str, str], config_home: Path) -> None:
    result = run(["people", "ls", "--sort", "name", "--limit", "2"], env, config_home, columns=80)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "people: 2 records"
    assert all(len(line) <= 80 for line in lines)
    assert "record_id" in lines[2] and "full_name" in lines[2]
    assert "Amara Okafor" in result.stdout
    assert "--offset 2 for the next page" in result.stdout


def test_people_ls_json_filter_sort_all(env: dict[str, str], config_home: Path) -> None:
    every = json.loads(run(["people", "ls", "--all", "--json"], env, config_home).stdout)
    assert len(every) > 2
    found = run(
        [
            "people",
            "ls",
            "--filter",
            '{"email_addresses": {"email_address": {"$ends_with": "@cobaltanalytics.tech"}}}',
            "--sort",
            "name:desc",
            "--json",
        ],
        env,
        config_home,
    )
    assert found.exit_code == 0, found.stderr
    rows = json.loads(found.stdout)
    assert rows and all(r["email_addresses"][0].endswith("@cobaltanalytics.tech") for r in rows)
    names = [r["full_name"] for r in rows]
    assert names == sorted(names, reverse=True)


def test_companies_ls_columns(env: dict[str, str], config_home: Path) -> None:
    result = run(["companies", "ls", "--all", "--columns", "name,domains"], env, config_home)
    assert result.exit_code == 0, result.stderr
    header = [c.strip() for c in result.stdout.splitlines()[2].split("┃")[1:-1]]
    assert header == ["name", "domains"]
    assert "cobaltanalytics.tech" in result.stdout


def test_deals_ls_names_owners_by_email(env: dict[str, str], config_home: Path) -> None:
    result = run(["deals", "ls", "--filter", '{"stage": "Lead"}', "--all"], env, config_home)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("deals: 2 records\n")
    assert "grace@example.com" in result.stdout


def test_ls_of_a_bad_filter_is_a_usage_error(env: dict[str, str], config_home: Path) -> None:
    result = run(["companies", "ls", "--filter", "{name"], env, config_home)
    assert result.exit_code == 2
    assert "--filter is not valid JSON" in one_error_line(result)


def test_people_update_and_delete(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    created = run(["people", "create", "kim@tessellate.dev", "--json"], env, config_home)
    assert created.exit_code == 0, created.stderr
    record_id = json.loads(created.stdout)["record_id"]

    before = len(writes(emu))
    planned = run(
        ["people", "update", "kim@tessellate.dev", "--job-title", "CTO", "--dry-run"],
        env,
        config_home,
    )
    assert planned.exit_code == 0, planned.stderr
    assert f"1. PATCH /v2/objects/people/records/{record_id}" in planned.stdout
    assert len(writes(emu)) == before

    updated = run(
        ["people", "update", "KIM@tessellate.dev", "--job-title", "CTO", "--set", "name=Kim Lee"],
        env,
        config_home,
    )
    assert updated.exit_code == 0, updated.stderr
    assert "CTO" in updated.stdout and "Kim Lee" in updated.stdout

    planned = run(
        ["people", "delete", "kim@tessellate.dev", "--dry-run", "--json"], env, config_home
    )
    assert planned.exit_code == 0, planned.stderr
    [request] = json.loads(planned.stdout)["requests"]
    assert (request["method"], request["path"]) == (
        "DELETE",
        f"/v2/objects/people/records/{record_id}",
    )
    assert len(writes(emu)) == before + 1

    deleted = run(["people", "delete", "kim@tessellate.dev", "--json"], env, config_home)
    assert deleted.exit_code == 0, deleted.stderr
    assert json.loads(deleted.stdout) == {
        "deleted": True,
        "object": "people",
        "record_id": record_id,
    }
    gone = run(["people", "delete", "kim@tessellate.dev"], env, config_home)
    assert gone.exit_code == 4
    assert "create one with: attio-bridge people create kim@tessellate.dev" in one_error_line(gone)


def test_companies_update_and_delete(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path
) -> None:
    made = run(["companies", "create", "tessellate.dev", "--name", "Tessellate"], env, config_home)
    assert made.exit_code == 0, made.stderr
    updated = run(
        [
            "companies",
            "update",
            "https://www.tessellate.dev/",
            "--name",
            "Tessellate Ltd",
            "--json",
        ],
        env,
        config_home,
    )
    assert updated.exit_code == 0, updated.stderr
    assert json.loads(updated.stdout)["name"] == "Tessellate Ltd"
    nothing = run(["companies", "update", "tessellate.dev"], env, config_home)
    assert nothing.exit_code == 2
    assert "no values" in one_error_line(nothing)
    before = len(writes(emu))
    planned = run(["companies", "delete", "tessellate.dev", "--dry-run"], env, config_home)
    assert planned.exit_code == 0, planned.stderr
    assert "1. DELETE /v2/objects/companies/records/" in planned.stdout
    assert len(writes(emu)) == before
    deleted = run(["companies", "delete", "tessellate.dev"], env, config_home)
    assert deleted.exit_code == 0, deleted.stderr
    assert deleted.stdout.startswith("deleted company tessellate.dev (companies ")
    assert run(["companies", "get", "tessellate.dev"], env, config_home).exit_code == 4
