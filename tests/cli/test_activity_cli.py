"""``attio-bridge people|companies|notes|tasks|lists|entries`` against the emulator in this process.

Each command's happy path, ``--json`` output, ``--dry-run`` sending no write (checked in the
emulator's journal), validation errors (exit 5, naming the field), not found (exit 4); the API
key appears in no output (``invoke`` checks every run).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import Result

from attio_bridge.client import AttioClient

from ..client._factories import attribute_body
from ._support import InProcessEmulator, invoke, one_error_line, writes

KEY = "activity-cli-s3cret-key-5c0d"
MEMBER = "ada@example.com"  # the emulator's workspace member
MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def emu() -> Iterator[InProcessEmulator]:
    """The emulator in this process, with a ``prospects`` list of companies with a ``stage``."""
    with InProcessEmulator(KEY) as process:
        with process.client() as c:
            c.lists.create(name="Prospects", api_slug="prospects", parent_object="companies")
            c.attributes.create("lists", "prospects", attribute_body("stage", "status"))
            for title in ("Lead", "Qualified"):
                c.attributes.create_status("lists", "prospects", "stage", title=title)
        yield process


def run(
    args: list[str], env: dict[str, str], config_home: Path, input: str | None = None
) -> Result:
    """``invoke`` with this module's key."""
    return invoke(args, env, config_home, KEY, input)


def company_id(client: AttioClient, domain: str) -> str:
    """The id of the company with ``domain``, made if missing."""
    record = client.records.assert_record("companies", "domains", {"domains": [{"domain": domain}]})
    return record.record_id


# -- people and companies ------------------------------------------------------------------------
def test_companies_create_upserts_by_domain(env: dict[str, str], config_home: Path) -> None:
    first = run(
        ["companies", "create", "globex.com", "--name", "Globex", "--json"], env, config_home
    )
    assert first.exit_code == 0, first.stderr
    again = run(
        ["companies", "create", "https://www.globex.com/", "--name", "Globex Corp", "--json"],
        env,
        config_home,
    )
    assert again.exit_code == 0, again.stderr
    one, two = json.loads(first.stdout), json.loads(again.stdout)
    assert one["record_id"] == two["record_id"]
    assert two["name"] == "Globex Corp"
    table = run(["companies", "create", "globex.com"], env, config_home)
    assert table.exit_code == 0 and "globex.com" in table.stdout


def test_people_create_with_name_and_company_id(
    env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    cid = company_id(client, "initech.com")
    result = run(
        [
            "people",
            "create",
            "peter@initech.com",
            "--first-name",
            "Peter",
            "--last-name",
            "Gibbons",
            "--company-id",
            cid,
            "--json",
        ],
        env,
        config_home,
    )
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)
    assert row["first_name"] == "Peter" and row["last_name"] == "Gibbons"
    assert row["email_addresses"] == ["peter@initech.com"]
    person = client.records.get("people", row["record_id"])
    assert person.values["company"][0]["target_record_id"] == cid


def test_people_create_with_company_domain_makes_the_company(
    env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    result = run(
        ["people", "create", "milton@hooli.com", "--company", "hooli.com", "--json"],
        env,
        config_home,
    )
    assert result.exit_code == 0, result.stderr
    person = client.records.get("people", json.loads(result.stdout)["record_id"])
    linked = person.values["company"][0]["target_record_id"]
    assert client.records.get("companies", linked).values["domains"][0]["domain"] == "hooli.com"


def test_people_and_companies_dry_run_send_nothing(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    cid = company_id(client, "dryco.com")
    before = writes(emu)
    person = run(
        [
            "people",
            "create",
            "bob@dryco.com",
            "--first-name",
            "Bob",
            "--company",
            "dryco.com",
            "--dry-run",
            "--json",
        ],
        env,
        config_home,
    )
    assert person.exit_code == 0, person.stderr
    (request,) = json.loads(person.stdout)["requests"]
    assert request["method"] == "PUT"
    assert request["path"] == "/v2/objects/people/records?matching_attribute=email_addresses"
    values = request["body"]["data"]["values"]
    assert values["company"] == {"target_object": "companies", "target_record_id": cid}
    company = run(
        ["companies", "create", "newdry.com", "--name", "N", "--dry-run"], env, config_home
    )
    assert company.exit_code == 0, company.stderr
    assert "PUT /v2/objects/companies/records?matching_attribute=domains" in company.stdout
    assert writes(emu) == before
    assert client.records.query("people", filter={"email_addresses": "bob@dryco.com"}) == []


def test_people_bad_email_exits_5_naming_the_field(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path
) -> None:
    before = writes(emu)
    result = run(["people", "create", "not-an-email", "--company", "x.com"], env, config_home)
    assert result.exit_code == 5
    assert "email_addresses" in one_error_line(result)
    assert writes(emu) == before


def test_people_create_with_company_id_and_company_is_one_usage_error(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    """The two ways of naming the company contradict each other: one error line and exit 2
    (not a traceback), before anything is written."""
    cid = company_id(client, "both-ways.com")
    before = writes(emu)
    result = run(
        [
            "people",
            "create",
            "pat@both-ways.com",
            "--company-id",
            cid,
            "--company",
            "both-ways.com",
        ],
        env,
        config_home,
    )
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert "give --company-id or --company, not both" in one_error_line(result)
    assert writes(emu) == before
    assert client.records.query("people", filter={"email_addresses": "pat@both-ways.com"}) == []


# -- notes ---------------------------------------------------------------------------------------
def test_notes_from_option_file_and_stdin(
    env: dict[str, str], config_home: Path, client: AttioClient, tmp_path: Path
) -> None:
    cid = company_id(client, "notes-co.com")
    base = ["notes", "create", "companies", cid, "--title", "Kickoff", "--json"]
    option = run([*base, "--content", "From the option"], env, config_home)
    assert option.exit_code == 0, option.stderr
    assert json.loads(option.stdout)["content"] == "From the option"
    md = tmp_path / "note.md"
    md.write_text("# Agenda\n\n- **scope**\n", encoding="utf-8")
    from_file = run([*base, "--file", str(md), "--markdown"], env, config_home)
    assert from_file.exit_code == 0, from_file.stderr
    note_id = json.loads(from_file.stdout)["note_id"]
    assert "**scope**" in client.notes.get(note_id).content_markdown
    piped = run(base, env, config_home, input="From stdin\n")
    assert piped.exit_code == 0, piped.stderr
    assert json.loads(piped.stdout)["content"].strip() == "From stdin"
    table = run(
        ["notes", "create", "companies", cid, "--title", "T", "--content", "x"], env, config_home
    )
    assert table.exit_code == 0 and "Kickoff" not in table.stdout and "T" in table.stdout


def test_notes_dry_run_and_errors(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    cid = company_id(client, "notes-dry.com")
    before = writes(emu)
    dry = run(
        [
            "notes",
            "create",
            "companies",
            cid,
            "--title",
            "T",
            "--content",
            "c",
            "--dry-run",
            "--json",
        ],
        env,
        config_home,
    )
    assert dry.exit_code == 0, dry.stderr
    (request,) = json.loads(dry.stdout)["requests"]
    assert (request["method"], request["path"]) == ("POST", "/v2/notes")
    assert request["body"]["data"]["parent_record_id"] == cid
    assert writes(emu) == before
    missing = run(
        ["notes", "create", "companies", MISSING, "--title", "T", "--content", "c"],
        env,
        config_home,
    )
    # Attio refuses a note on a missing record with a 400 (value_not_found); the command looks
    # the record up first, so it is not found (4), and nothing is written.
    assert missing.exit_code == 4
    assert f"no companies record {MISSING}" in one_error_line(missing)
    assert writes(emu) == before
    unknown = run(
        ["notes", "create", "spaceships", cid, "--title", "T", "--content", "c"], env, config_home
    )
    assert unknown.exit_code == 4
    assert "spaceships" in one_error_line(unknown)


def test_notes_create_refuses_a_missing_file_and_empty_content(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    client: AttioClient,
    tmp_path: Path,
) -> None:
    cid = company_id(client, "notes-refused.com")
    base = ["notes", "create", "companies", cid, "--title", "T"]
    before = writes(emu)
    missing = tmp_path / "nofile.md"
    no_file = run([*base, "--file", str(missing)], env, config_home)
    assert no_file.exit_code == 2
    line = one_error_line(no_file)
    assert str(missing) in line and "No such file or directory" in line
    empty_pipe = run(base, env, config_home, input="")
    blank = run([*base, "--content", "  \n"], env, config_home)
    for result in (empty_pipe, blank):
        assert result.exit_code == 2
        assert "content is empty" in one_error_line(result)
    assert writes(emu) == before


# -- tasks ---------------------------------------------------------------------------------------
def test_tasks_create_linked_assigned_and_due(
    env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    cid = company_id(client, "tasks-co.com")
    result = run(
        [
            "tasks",
            "create",
            "Call them back",
            "--link",
            f"companies:{cid}",
            "--assignee",
            MEMBER,
            "--due",
            "2031-03-04",
            "--json",
        ],
        env,
        config_home,
    )
    assert result.exit_code == 0, result.stderr
    task = json.loads(result.stdout)
    assert task["content"] == "Call them back"
    # As ``tasks get`` and ``tasks ls`` print it: the object's slug, not the id Attio answers.
    assert task["linked_records"] == [f"companies:{cid}"]
    assert task["is_completed"] is False
    assert task["deadline_at"].startswith("2031-03-04")
    assert len(task["assignees"]) == 1
    relative = run(["tasks", "create", "Later", "--due", "+3d", "--json"], env, config_home)
    assert relative.exit_code == 0, relative.stderr
    assert json.loads(relative.stdout)["deadline_at"] > date.today().isoformat()
    nbd = run(["tasks", "create", "Soon", "--due", "next-business-day"], env, config_home)
    assert nbd.exit_code == 0, nbd.stderr


def test_tasks_dry_run_and_validation(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path
) -> None:
    before = writes(emu)
    dry = run(["tasks", "create", "Nope", "--assignee", MEMBER, "--dry-run"], env, config_home)
    assert dry.exit_code == 0, dry.stderr
    assert dry.stdout.startswith("1. POST /v2/tasks\n")
    stranger = run(["tasks", "create", "X", "--assignee", "who@nowhere.com"], env, config_home)
    assert stranger.exit_code == 5
    assert "assignees" in one_error_line(stranger)
    bad_due = run(["tasks", "create", "X", "--due", "tomorrow-ish"], env, config_home)
    assert bad_due.exit_code == 5
    assert "--due" in one_error_line(bad_due)
    assert writes(emu) == before


# -- lists and entries ---------------------------------------------------------------------------
def test_lists_ls(env: dict[str, str], config_home: Path) -> None:
    result = run(["lists", "ls", "--json"], env, config_home)
    assert result.exit_code == 0, result.stderr
    lists = json.loads(result.stdout)
    assert {"slug": "prospects", "name": "Prospects", "parent_object": "companies"}.items() <= (
        lists[0].items()
    )
    table = run(["lists", "ls"], env, config_home)
    assert table.exit_code == 0 and "prospects" in table.stdout


def test_entries_add_with_values_dry_run_and_errors(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    cid = company_id(client, "entries-co.com")
    before = writes(emu)
    dry = run(
        ["entries", "add", "prospects", cid, "--set", "stage=Lead", "--dry-run", "--json"],
        env,
        config_home,
    )
    assert dry.exit_code == 0, dry.stderr
    (request,) = json.loads(dry.stdout)["requests"]
    assert (request["method"], request["path"]) == ("PUT", "/v2/lists/prospects/entries")
    assert writes(emu) == before

    added = run(
        ["entries", "add", "prospects", cid, "--set", "stage=Lead", "--json"], env, config_home
    )
    assert added.exit_code == 0, added.stderr
    entry = json.loads(added.stdout)
    assert entry["parent_record_id"] == cid
    assert entry["stage"] == "Lead"

    # Run again, it updates the record's one entry; --new adds a second one anyway.
    again = run(
        ["entries", "add", "prospects", cid, "--set", "stage=Qualified", "--json"], env, config_home
    )
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["entry_id"] == entry["entry_id"]
    mine = [
        e for e in client.records.iter_entries("companies", cid) if e.list_api_slug == "prospects"
    ]
    assert len(mine) == 1
    assert (
        client.entries.get("prospects", entry["entry_id"]).entry_values["stage"][0]["status"][
            "title"
        ]
        == "Qualified"
    )
    another = run(["entries", "add", "prospects", cid, "--new", "--json"], env, config_home)
    assert another.exit_code == 0, another.stderr
    assert json.loads(another.stdout)["entry_id"] != entry["entry_id"]
    mine = [
        e for e in client.records.iter_entries("companies", cid) if e.list_api_slug == "prospects"
    ]
    assert len(mine) == 2

    bad = run(["entries", "add", "prospects", cid, "--set", "stage=Nowhere"], env, config_home)
    assert bad.exit_code == 5
    assert "stage" in one_error_line(bad)
    no_list = run(["entries", "add", "nolist", cid], env, config_home)
    assert no_list.exit_code == 4
    assert "nolist" in one_error_line(no_list)
