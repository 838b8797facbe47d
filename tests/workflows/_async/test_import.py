"""``workflows.import_file`` against the in-process emulator: file quirks, mapping, validation,
dry run, company links, failure file, checkpoint and resume; and the command end to end."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from attio_bridge.client import AsyncAttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.errors import MissingError
from attio_bridge.state import open_store
from attio_bridge.values import AsyncSchemaCache
from attio_bridge.workflows.aio import ImportReport, guess_mapping, import_file

from ...client._factories import attribute_body
from ..conftest import write_count
from ._import_support import rows_of

pytestmark = pytest.mark.anyio


def saved_rows(report: ImportReport) -> list[list[int]] | None:
    """The row ranges the default state store keeps for the import of ``report``."""
    assert report.checkpoint_key is not None
    with open_store() as store:
        saved = store.get("import", report.checkpoint_key)
    return None if saved is None else saved["done"]


def emails(rows: list[dict[str, object]]) -> list[str]:
    return sorted(e for r in rows for e in r["email_addresses"])  # type: ignore[attr-defined]


async def test_utf8_bom_semicolons_blank_lines_spaces_duplicates_and_empty_values(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    text = (
        " Email ; First name ;Last name; Job title\n"
        "\n"
        "ada@acme.com ;  Ada ; Lovelace ; Engineer \n"
        "  \n"
        "zoë@acme.com;Zoë;Müller;\n"
        "ada@acme.com; Ada;Lovelace;Engineer\n"
        "ada@acme.com;Ada;Again;Duplicate\n"
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    report = await import_file(client, "people", path, match="email_addresses")
    assert report.mapping == {
        "Email": "email_addresses",
        "First name": "first_name",
        "Last name": "last_name",
        "Job title": "job_title",
    }
    counts = (report.rows, report.duplicates, report.conflicts, report.invalid, report.written)
    assert counts == (4, 1, 1, 0, 2)
    # A duplicate with other values is no duplicate to drop: it is named, and not written.
    (problem,) = report.problems
    assert problem.row == 4 and problem.message.startswith(
        'the row has the key of row 1 (email_addresses "ada@acme.com") but other values'
    )
    rows = {r["email_addresses"][0]: r for r in await rows_of(client, "people")}
    assert set(rows) == {"ada@acme.com", "zoë@acme.com"}
    assert rows["ada@acme.com"]["last_name"] == "Lovelace"  # the first row wins
    assert rows["ada@acme.com"]["job_title"] == "Engineer"
    assert rows["zoë@acme.com"]["first_name"] == "Zoë"
    assert rows["zoë@acme.com"]["job_title"] is None  # an empty cell is not given
    assert write_count(app, "people") == 2
    assert not report.checkpoint_saved and saved_rows(report) is None  # complete: removed


async def test_latin1_and_tabs(client: AsyncAttioClient, tmp_path: Path) -> None:
    path = tmp_path / "people.tsv"
    path.write_bytes("email\tlast_name\nrene@acme.fr\tLefèvre\n".encode("latin-1"))
    report = await import_file(client, "people", path, match="email_addresses")
    assert report.written == 1
    (row,) = await rows_of(client, "people")
    assert row["last_name"] == "Lefèvre"


async def test_jsonl_and_multiselect_cells(client: AsyncAttioClient, tmp_path: Path) -> None:
    jsonl = tmp_path / "companies.jsonl"
    jsonl.write_text(
        json.dumps({"name": " Acme ", "domains": ["acme.com", "acme.org"], "description": ""})
        + "\n\n"
        + json.dumps({"name": "Globex", "domains": "globex.com"})
        + "\n",
        encoding="utf-8",
    )
    report = await import_file(client, "companies", jsonl, match="domains")
    assert report.written == 2
    got = {r["name"]: r for r in await rows_of(client, "companies")}
    assert sorted(got["Acme"]["domains"]) == ["acme.com", "acme.org"]
    assert got["Acme"]["description"] is None
    cells = tmp_path / "companies.csv"
    cells.write_text("Website,Name\nhttps://www.initech.com/; initech.io,Initech\n")
    await import_file(client, "companies", cells, match="domains")
    got = {r["name"]: r for r in await rows_of(client, "companies")}
    assert sorted(got["Initech"]["domains"]) == ["initech.com", "initech.io"]


async def test_mapping_guess_and_override(client: AsyncAttioClient, tmp_path: Path) -> None:
    schema = await AsyncSchemaCache(client).get()
    mapping, unmapped = guess_mapping(
        schema.target("people", "object"),
        ["E-mail", "Phone", "Company", "Job Title", "Shoe size", "Created at"],
    )
    assert mapping == {
        "E-mail": "email_addresses",
        "Phone": "phone_numbers",
        "Company": "company",
        "Job Title": "job_title",
    }
    assert unmapped == ["Shoe size", "Created at"]  # unknown, and read-only

    path = tmp_path / "odd.csv"
    path.write_text("contact,what they do\nbob@acme.com,Sales\n")
    report = await import_file(
        client,
        "people",
        path,
        match="email_addresses",
        mapping={"contact": "email_addresses", "what they do": "job_title"},
    )
    assert report.written == 1
    (row,) = await rows_of(client, "people")
    assert row["job_title"] == "Sales"


BAD = (
    "email,phone\nok@acme.com,+44 20 7946 0958\nnot-an-email,\nfine@acme.com,12\n"
    ",+44 20 7946 0958\n"
)


async def test_invalid_rows_reported_before_writing_and_left_out(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(BAD)
    seen: list[int] = []
    report = await import_file(
        client,
        "people",
        path,
        match="email_addresses",
        on_plan=lambda r: seen.append(write_count(app, "people")),
    )
    assert seen == [0]  # the plan, with every problem, came before any write
    assert [p.row for p in report.problems] == [2, 3, 4]
    assert "email_addresses" in report.problems[0].message
    assert "phone_numbers" in report.problems[1].message
    assert "match attribute" in report.problems[2].message
    assert (report.invalid, report.written) == (3, 1)
    assert emails(await rows_of(client, "people")) == ["ok@acme.com"]
    assert report.failures_path is not None
    with report.failures_path.open(newline="") as f:
        failed = list(csv.DictReader(f))
    assert [(r["_row"], r["email"]) for r in failed] == [
        ("2", "not-an-email"),
        ("3", "fine@acme.com"),
        ("4", ""),
    ]
    assert all(r["_error"] for r in failed)


async def test_strict_writes_nothing_when_a_row_is_invalid(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(BAD)
    report = await import_file(client, "people", path, match="email_addresses", strict=True)
    assert report.aborted and report.invalid == 3
    assert write_count(app, "people") == 0


async def test_dry_run_plans_without_writing(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(BAD + "ok@acme.com,\nnew@acme.com,\n")
    report = await import_file(client, "people", path, match="email_addresses", dry_run=True)
    assert (report.rows, report.to_write, report.duplicates, report.invalid) == (6, 2, 1, 3)
    assert write_count(app, "people") == 0
    assert report.failures_path is not None and not report.failures_path.exists()


async def test_people_linked_to_companies_from_a_domain_column(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "Email,Company\na@acme.com,https://acme.com\nb@acme.com,acme.com\nc@globex.com,globex.com\n"
    )
    report = await import_file(client, "people", path, match="email_addresses")
    assert (report.linked, report.written, report.failed) == (2, 3, 0)
    companies = {r["domains"][0]: r for r in await rows_of(client, "companies")}
    assert set(companies) == {"acme.com", "globex.com"}
    people = await rows_of(client, "people")
    schema = await AsyncSchemaCache(client).get()
    assert schema.object("people") is not None
    ids = {r["email_addresses"][0]: r["company"] for r in people}
    assert ids["a@acme.com"] == ids["b@acme.com"] != ids["c@globex.com"]
    assert all(ids.values())


async def test_write_failures_go_to_the_failure_file(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Email,Company\nok@globex.com,\na@acme.com,acme.com\n")
    # Without linking, the company does not exist and Attio refuses the reference.
    report = await import_file(client, "people", path, match="email_addresses", link=False)
    assert (report.written, report.failed) == (1, 1)
    assert report.failures_path is not None
    with report.failures_path.open(newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["Email"] == "a@acme.com" and row["_row"] == "2" and row["_error"]
    # The checkpoint keeps the row written, so the next run retries only the failed one (and
    # the failure file, with nothing failing, is removed).
    assert report.checkpoint_saved and saved_rows(report) == [[1, 1]]
    again = await import_file(client, "people", path, match="email_addresses")
    assert (again.already_done, again.written, again.failed) == (1, 1, 0)
    assert write_count(app, "people") == 3
    assert not report.failures_path.exists()
    assert not again.checkpoint_saved and saved_rows(again) is None


async def test_interrupted_run_resumes_with_every_row_once(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("email\n" + "".join(f"p{i}@acme.com\n" for i in range(40)))
    first = await import_file(
        client, "people", path, match="email_addresses", max_writes=15, concurrency=4
    )
    assert first.aborted and first.written == 15
    assert first.checkpoint_saved and saved_rows(first) == [[1, 15]]
    second = await import_file(client, "people", path, match="email_addresses", concurrency=4)
    assert (second.already_done, second.to_write, second.written) == (15, 25, 25)
    assert write_count(app, "people") == 40  # every row written exactly once
    assert emails(await rows_of(client, "people")) == sorted(f"p{i}@acme.com" for i in range(40))
    assert saved_rows(first) is None


async def test_rerun_creates_no_duplicates(client: AsyncAttioClient, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("email,job title\na@acme.com,One\nb@acme.com,Two\n")
    await import_file(client, "people", path, match="email_addresses")
    path.write_text("email,job title\na@acme.com,Uno\nb@acme.com,Two\n")
    await import_file(client, "people", path, match="email_addresses")
    rows = await rows_of(client, "people")
    assert sorted((r["email_addresses"][0], r["job_title"]) for r in rows) == [
        ("a@acme.com", "Uno"),
        ("b@acme.com", "Two"),
    ]


async def test_match_must_name_an_attribute(client: AsyncAttioClient, tmp_path: Path) -> None:
    """A match attribute the object lacks is refused before any write. (An attribute that is
    not unique is matched through a search: ``test_import_keys.py``.)"""
    path = tmp_path / "people.csv"
    path.write_text("email\na@acme.com\n")
    with pytest.raises(MissingError, match="people has no attribute 'jobtitle'"):
        await import_file(client, "people", path, match="jobtitle")
    assert await rows_of(client, "people") == []


async def test_records_added_to_a_list_with_entry_values(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    await client.lists.create(name="Prospects", api_slug="prospects", parent_object="companies")
    await client.attributes.create("lists", "prospects", attribute_body("priority", "select"))
    for title in ("High", "Low"):
        await client.attributes.create_option("lists", "prospects", "priority", title=title)
    path = tmp_path / "companies.csv"
    path.write_text("Website,Name,Priority\nacme.com,Acme,High\nglobex.com,Globex,Urgent\n")
    report = await import_file(client, "companies", path, match="domains", list="prospects")
    assert report.mapping["Priority"] == "list:priority"
    assert (report.written, report.invalid) == (1, 1)
    assert "priority" in report.problems[0].message
    entries = [e async for e in client.entries.iter("prospects")]
    assert len(entries) == 1
    assert entries[0].entry_values["priority"][0]["option"]["title"] == "High"
    # Once more: the entry is asserted, not added twice.
    path.write_text("Website,Priority\nacme.com,Low\n")
    await import_file(client, "companies", path, match="domains", list="prospects")
    entries = [e async for e in client.entries.iter("prospects")]
    assert len(entries) == 1
    assert entries[0].entry_values["priority"][0]["option"]["title"] == "Low"


async def test_a_checkpoint_file_of_an_older_version_is_set_aside_unused(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    """``FILE.attio-import.json``, as versions before the state store wrote it, names no
    workspace nor file content, so it cannot be trusted: it is set aside (renamed ``.imported``),
    not used and not stored; the run says it starts over, and the rows the older version wrote
    are found unchanged."""
    path = tmp_path / "people.csv"
    path.write_text("email\n" + "".join(f"old{i}@acme.com\n" for i in range(10)))
    identity = {
        "file": "people.csv",
        "size": path.stat().st_size,
        "object": "people",
        "match": "email_addresses",
        "list": None,
    }
    for i in range(4):  # what the older version wrote
        await client.records.assert_record(
            "people", "email_addresses", {"email_addresses": [f"old{i}@acme.com"]}
        )
    legacy = tmp_path / "people.csv.attio-import.json"
    legacy.write_text(json.dumps({"identity": identity, "done": [[1, 4]]}))
    before = write_count(app, "people")
    report = await import_file(client, "people", path)
    assert (report.already_done, report.unchanged, report.written) == (0, 4, 6)
    assert report.notes == [
        f"the checkpoint file {legacy} of an older version names no workspace nor file content, "
        "so it is not used: starting over (rows already in Attio are found unchanged)"
    ]
    assert write_count(app, "people") - before == 6
    assert not legacy.exists() and legacy.with_name(legacy.name + ".imported").exists()
    with open_store() as store:
        assert store.items("import") == []  # the run finished; nothing else was kept
