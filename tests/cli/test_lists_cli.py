"""``attio-bridge lists get`` and ``entries ls|get|update|remove`` against the emulator as a
process.

A list's attributes; entries filtered, sorted and paged; an entry changed by PATCH (multiselect
added to) and by PUT (``--replace``), each change checked through the client; an entry removed;
dry runs send nothing (checked in the emulator's journal); bad values, filters and options,
unknown lists and entries are one error line with the exit code of their class; the API key
appears in no output (``invoke`` checks every run).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from attio_bridge.client import AttioClient, NotFoundError

from ..client._factories import attribute_body
from ._support import InProcessEmulator, invoke, one_error_line, writes

KEY = "lists-cli-s3cret-key-a81c"
MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def emu() -> Iterator[InProcessEmulator]:
    """The emulator in this process, with a ``pipeline`` list of companies: a ``stage`` status,
    multiselect ``tags`` and a text ``summary``."""
    with InProcessEmulator(KEY) as process:
        with process.client() as c:
            c.lists.create(name="Pipeline", api_slug="pipeline", parent_object="companies")
            c.attributes.create("lists", "pipeline", attribute_body("stage", "status"))
            for title in ("Lead", "Qualified", "Won"):
                c.attributes.create_status("lists", "pipeline", "stage", title=title)
            tags = attribute_body("tags", "select", is_multiselect=True)
            c.attributes.create("lists", "pipeline", tags)
            for title in ("hot", "cold", "partner"):
                c.attributes.create_option("lists", "pipeline", "tags", title=title)
            c.attributes.create("lists", "pipeline", attribute_body("summary", "text"))
        yield process


def run(args: list[str], env: dict[str, str], config_home: Path) -> Result:
    """``invoke`` with this module's key."""
    return invoke(args, env, config_home, KEY)


def new_entry(client: AttioClient, domain: str, values: dict[str, Any]) -> tuple[str, str]:
    """A new company with ``domain`` in the pipeline with ``values``: (entry id, record id)."""
    record = client.records.assert_record("companies", "domains", {"domains": [{"domain": domain}]})
    entry = client.entries.create(
        "pipeline",
        parent_record_id=record.record_id,
        parent_object="companies",
        entry_values=values,
    )
    return entry.entry_id, record.record_id


def tags_of(client: AttioClient, entry_id: str) -> list[str]:
    """The titles of the entry's tags, as Attio holds them."""
    entry = client.entries.get("pipeline", entry_id)
    return sorted(v["option"]["title"] for v in entry.entry_values.get("tags", []))


def entries_json(args: list[str], env: dict[str, str], config_home: Path) -> list[dict[str, Any]]:
    """What ``entries ls pipeline ARGS --json`` prints."""
    result = run(["entries", "ls", "pipeline", *args, "--json"], env, config_home)
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_lists_get_shows_attributes(env: dict[str, str], config_home: Path) -> None:
    result = run(["lists", "get", "pipeline", "--json"], env, config_home)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["slug"], data["name"], data["parent_object"]) == (
        "pipeline",
        "Pipeline",
        "companies",
    )
    attributes = {a["slug"]: a for a in data["attributes"]}
    assert attributes["tags"]["is_multiselect"] is True
    assert [s["title"] for s in attributes["stage"]["statuses"]] == ["Lead", "Qualified", "Won"]
    table = run(["lists", "get", "pipeline"], env, config_home)
    assert table.exit_code == 0, table.stderr
    assert "stage" in table.stdout and "Qualified" in table.stdout and "partner" in table.stdout


def test_entries_ls_filters_sorts_and_pages(
    env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    lead, lead_record = new_entry(client, "ls-lead.com", {"stage": "Lead"})
    won, _ = new_entry(client, "ls-won.com", {"stage": "Won", "tags": ["hot"]})
    every = entries_json(["--all"], env, config_home)
    by_id = {r["entry_id"]: r for r in every}
    assert {lead, won} <= set(by_id)
    assert by_id[lead]["parent_record_id"] == lead_record
    assert by_id[lead]["stage"] == "Lead"
    assert by_id[won]["tags"] == ["hot"]
    leads = entries_json(["--filter", '{"stage": "Lead"}', "--all"], env, config_home)
    assert lead in {r["entry_id"] for r in leads} and won not in {r["entry_id"] for r in leads}
    assert len(entries_json(["--limit", "1"], env, config_home)) == 1
    second = entries_json(["--limit", "1", "--offset", "1"], env, config_home)
    assert second[0]["entry_id"] == every[1]["entry_id"]
    ordered = entries_json(["--sort", "stage:desc", "--all"], env, config_home)
    ids = [r["entry_id"] for r in ordered]
    assert ids.index(won) < ids.index(lead)
    table = run(["entries", "ls", "pipeline", "--all"], env, config_home)
    assert table.exit_code == 0, table.stderr
    assert lead in table.stdout and lead_record in table.stdout and "Won" in table.stdout


def test_entries_ls_table_fits_the_terminal_and_columns_choose(
    env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    """As ``records query``: a narrow terminal gets the columns that fit, one line per entry,
    long values cut with "…", and the rest named under the table (never the parent object,
    the list's own); ``--columns`` shows those asked for; a column the rows do not have is a
    usage error naming the ones they do."""
    long = "Fitting entry: a summary far longer than any table cell should ever grow to be " * 2
    entry_id, record_id = new_entry(
        client, "fitting-entry.com", {"stage": "Lead", "tags": ["hot", "partner"], "summary": long}
    )
    base = ["entries", "ls", "pipeline", "--filter", '{"summary": {"$contains": "Fitting entry"}}']

    narrow = run(base, env | {"COLUMNS": "80"}, config_home)
    wide = run(base, env | {"COLUMNS": "200"}, config_home)
    chosen = run([*base, "--columns", "stage,summary"], env | {"COLUMNS": "80"}, config_home)
    unknown = run([*base, "--columns", "stgae"], env, config_home)

    assert narrow.exit_code == 0, narrow.stderr
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80
    # The values come before the parent record's id, so the stage is what a narrow table keeps.
    [line] = [line for line in narrow.stdout.splitlines() if entry_id in line]
    assert "Lead" in line and "hot, partner" in line and record_id not in narrow.stdout
    assert "not shown: summary, parent_record_id" in " ".join(narrow.stdout.split())
    assert wide.exit_code == 0, wide.stderr
    [line] = [line for line in wide.stdout.splitlines() if entry_id in line]
    assert "Lead" in line and "hot, partner" in line
    assert "Fitting entry: a summary" in line and "…" in line and long not in wide.stdout
    assert "not shown" not in wide.stdout and "parent_object" not in wide.stdout
    assert chosen.exit_code == 0, chosen.stderr
    header = chosen.stdout.splitlines()[2]
    assert "stage" in header and "summary" in header and "entry_id" not in header
    assert "Lead" in chosen.stdout and entry_id not in chosen.stdout
    assert unknown.exit_code == 2
    assert "no column 'stgae'" in (line := one_error_line(unknown)) and "summary" in line


def test_entries_get_update_and_replace(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    entry_id, record_id = new_entry(client, "update-me.com", {"stage": "Lead", "tags": ["hot"]})
    got = run(["entries", "get", "pipeline", entry_id, "--json"], env, config_home)
    assert got.exit_code == 0, got.stderr
    row = json.loads(got.stdout)
    assert (row["entry_id"], row["parent_record_id"]) == (entry_id, record_id)
    assert (row["stage"], row["tags"]) == ("Lead", ["hot"])

    before = writes(emu)
    dry = run(
        ["entries", "update", "pipeline", entry_id, "--set", "stage=Won", "--dry-run"],
        env,
        config_home,
    )
    assert dry.exit_code == 0, dry.stderr
    assert f"PATCH /v2/lists/pipeline/entries/{entry_id}" in dry.stdout
    assert writes(emu) == before
    assert (
        json.loads(
            run(["entries", "get", "pipeline", entry_id, "--json"], env, config_home).stdout
        )["stage"]
        == "Lead"
    )

    patched = run(
        [
            "entries",
            "update",
            "pipeline",
            entry_id,
            "--set",
            "tags=partner",
            "--set",
            "stage=Qualified",
            "--json",
        ],
        env,
        config_home,
    )
    assert patched.exit_code == 0, patched.stderr
    assert tags_of(client, entry_id) == ["hot", "partner"]
    stage = client.entries.get("pipeline", entry_id).entry_values["stage"]
    assert stage[-1]["status"]["title"] == "Qualified"

    replaced = run(
        ["entries", "update", "pipeline", entry_id, "--values", '{"tags": ["cold"]}', "--replace"],
        env,
        config_home,
    )
    assert replaced.exit_code == 0, replaced.stderr
    assert tags_of(client, entry_id) == ["cold"]
    assert "cold" in replaced.stdout
    table = run(["entries", "get", "pipeline", entry_id], env, config_home)
    assert table.exit_code == 0 and record_id in table.stdout and "cold" in table.stdout


def test_entries_remove(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    entry_id, record_id = new_entry(client, "remove-me.com", {"stage": "Lead"})
    before = writes(emu)
    dry = run(["entries", "remove", "pipeline", entry_id, "--dry-run"], env, config_home)
    assert dry.exit_code == 0, dry.stderr
    assert f"DELETE /v2/lists/pipeline/entries/{entry_id}" in dry.stdout
    assert writes(emu) == before
    assert client.entries.get("pipeline", entry_id).parent_record_id == record_id

    removed = run(["entries", "remove", "pipeline", entry_id], env, config_home)
    assert removed.exit_code == 0, removed.stderr
    assert entry_id in removed.stdout and record_id in removed.stdout
    with pytest.raises(NotFoundError):
        client.entries.get("pipeline", entry_id)
    # The record stays; only its entry went.
    assert client.records.get("companies", record_id).record_id == record_id
    assert entry_id not in {r["entry_id"] for r in entries_json(["--all"], env, config_home)}
    gone = run(["entries", "get", "pipeline", entry_id], env, config_home)
    assert gone.exit_code == 4
    assert entry_id in one_error_line(gone)


def test_errors_are_one_line_with_their_exit_code(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    entry_id, _ = new_entry(client, "errors.com", {"stage": "Lead"})
    before = writes(emu)
    cases = [
        (["lists", "get", "nolist"], 4, "nolist"),
        (["entries", "ls", "nolist"], 4, "nolist"),
        (["entries", "ls", "pipeline", "--filter", "{stage"], 2, "--filter"),
        (["entries", "ls", "pipeline", "--filter", "[1]"], 2, "--filter"),
        (["entries", "ls", "pipeline", "--sort", "stage:sideways"], 2, "--sort"),
        (["entries", "get", "nolist", entry_id], 4, "nolist"),
        (["entries", "get", "pipeline", MISSING], 4, MISSING),
        (["entries", "update", "nolist", entry_id, "--set", "stage=Won"], 4, "nolist"),
        (["entries", "update", "pipeline", entry_id, "--set", "stage=Nowhere"], 5, "stage"),
        (["entries", "update", "pipeline", entry_id, "--set", "colour=red"], 5, "colour"),
        (["entries", "update", "pipeline", entry_id, "--set", "stage"], 2, "--set"),
        (["entries", "update", "pipeline", entry_id, "--values", "{"], 2, "--values"),
        (["entries", "update", "pipeline", entry_id], 2, "no values"),
        (["entries", "update", "pipeline", MISSING, "--set", "stage=Won", "--dry-run"], 4, MISSING),
        (["entries", "remove", "nolist", entry_id], 4, "nolist"),
        (["entries", "remove", "pipeline", MISSING], 4, MISSING),
        (["entries", "remove", "pipeline", MISSING, "--dry-run"], 4, MISSING),
    ]
    for args, code, named in cases:
        result = run(args, env, config_home)
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        assert named in one_error_line(result), args
    assert writes(emu) == before
    assert client.entries.get("pipeline", entry_id).entry_values["stage"][-1]["status"][
        "title"
    ] == ("Lead")
