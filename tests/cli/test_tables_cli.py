"""Tables as people read them, against the sandbox workspace in this process: titles that never
break in the middle of a word, ``--columns`` by attribute slug (a person's ``name``), and
actor references (a deal's owner) named by the member's email rather than a member id."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import Result

from attio_bridge.client import AttioClient

from ._support import invoke

KEY = "tables-cli-s3cret-key-77c0"

SEED = "sandbox"


def run(args: list[str], env: dict[str, str], config_home: Path, columns: int = 160) -> Result:
    """``invoke`` with this module's key."""
    return invoke(args, env, config_home, KEY, columns=columns)


def test_a_title_wider_than_its_table_stays_on_one_line(
    env: dict[str, str], config_home: Path
) -> None:
    # One narrow column: the title is wider than the table.
    result = run(["entries", "ls", "sales_pipeline", "--columns", "stage"], env, config_home)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].strip() == "sales_pipeline: 7 entries"


def test_columns_takes_a_persons_name_by_its_slug(env: dict[str, str], config_home: Path) -> None:
    args = ["records", "query", "people", "--columns", "name,email_addresses", "--sort", "name"]
    result = run(args, env, config_home)
    assert result.exit_code == 0, result.stderr
    header = [c.strip() for c in result.stdout.splitlines()[2].split("┃")[1:-1]]
    assert header == ["full_name", "email_addresses"]
    assert "Amara Okafor" in result.stdout


def test_deal_owners_are_named_by_email_in_tables_and_ids_in_json(
    env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    members = {
        m.id["workspace_member_id"]: m.email_address for m in client.workspace_members.list()
    }
    table = run(["records", "query", "deals", "--columns", "name,owner", "--all"], env, config_home)
    assert table.exit_code == 0, table.stderr
    assert "grace@example.com" in table.stdout
    assert not any(member_id in table.stdout for member_id in members)
    rows = json.loads(
        run(["records", "query", "deals", "--all", "--json"], env, config_home).stdout
    )
    assert {row["owner"] for row in rows} <= set(members)
    one = run(["records", "get", "deals", rows[0]["record_id"]], env, config_home)
    assert one.exit_code == 0, one.stderr
    assert members[rows[0]["owner"]] in one.stdout
    assert rows[0]["owner"] not in one.stdout


def test_deals_advance_names_the_owner_by_email(
    env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    members = {
        m.id["workspace_member_id"]: m.email_address for m in client.workspace_members.list()
    }
    rows = json.loads(run(["deals", "ls", "--all", "--json"], env, config_home).stdout)
    deal = next(r for r in rows if r["stage"] == "Lead")
    result = run(["deals", "advance", deal["record_id"], "--stage", "Lead"], env, config_home)
    assert result.exit_code == 0, result.stderr
    assert members[deal["owner"]] in result.stdout
    assert deal["owner"] not in result.stdout
