"""``workflows.import_file``'s plan against the in-process emulator: each row looked up and
counted as a create, an update or unchanged (people by email, deals by a searched key, a list
target, ``company=``); a dry run that writes nothing; a real run that skips unchanged rows, so a
re-run of a file the workspace already holds sends no write at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from attio_bridge.client import AsyncAttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.workflows.aio import import_file
from attio_bridge.workflows.importer import LOOKUP_BATCH

from ...client._factories import attribute_body
from ._import_support import rows_of

pytestmark = pytest.mark.anyio
OWNER = "ada@example.com"  # the emulator's workspace member
READS = ("/query", "/search")


def writes_sent(app: EmulatorApp) -> int:
    """Every write request the emulator received (records, entries, anything but reads)."""
    return sum(
        1
        for e in app.state.journal.render()
        if e["method"] != "GET" and e["path"].startswith("/v2") and not e["path"].endswith(READS)
    )


def reads_sent(app: EmulatorApp) -> int:
    """The record and entry queries the emulator received."""
    return sum(1 for e in app.state.journal.render() if e["path"].endswith("/query"))


def counts(report: Any) -> tuple[int, int, int, int, int]:
    """``(creates, updates, unchanged, invalid, duplicates)`` of a report."""
    return (report.creates, report.updates, report.unchanged, report.invalid, report.duplicates)


PEOPLE_HEADER = "Email,First name,Last name,Job title,Company,Phone\n"
SEED = (
    "ada@acme.com,Ada,Lovelace,Engineer,acme.com,+442079460958\n"
    "bob@acme.com,Bob,Stone,Sales,acme.com,\n"
    "cy@globex.com,Cy,Young,Buyer,globex.com,\n"
)


async def seeded_people(client: AsyncAttioClient, tmp_path: Path) -> None:
    """Three people (and their two companies), imported."""
    seed = tmp_path / "seed.csv"
    seed.write_text(PEOPLE_HEADER + SEED, encoding="utf-8")
    report = await import_file(client, "people", seed)
    assert (report.creates, report.written, report.failed) == (3, 3, 0)


async def test_mixed_file_is_counted_dry_run_writes_nothing_and_rerun_writes_nothing(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    """Rows identical to their person (one with the email in capitals, which Attio matches and
    stores lowercased), one changed, one new, one invalid and one duplicate: the dry run counts
    each kind and leaves the workspace as it was; the real run writes the new and the changed
    one only; a second run finds all unchanged and sends no write (nor a company assert)."""
    await seeded_people(client, tmp_path)
    before = sorted(map(str, await rows_of(client, "people")))
    path = tmp_path / "people.csv"
    path.write_text(
        PEOPLE_HEADER
        + "ada@acme.com,Ada,Lovelace,Engineer,acme.com,+442079460958\n"  # unchanged
        + "BOB@ACME.COM,Bob,Stone,Sales,https://www.acme.com/,\n"  # unchanged, as Attio sees it
        + "cy@globex.com,Cy,Young,Head of Buying,globex.com,\n"  # job title changed
        + "dee@initech.com,Dee,Lane,CTO,initech.com,\n"  # new, with a new company
        + "not an email,X,Y,Z,acme.com,\n"  # invalid
        + "ada@acme.com,Ada,Again,Duplicate,acme.com,\n"  # row 1's key, other values
        + "ada@acme.com,Ada,Lovelace,,acme.com,\n",  # duplicate of row 1, one cell empty
        encoding="utf-8",
    )
    written_before = writes_sent(app)

    planned = await import_file(client, "people", path, dry_run=True)
    assert counts(planned) == (1, 1, 2, 1, 1) and planned.conflicts == 1
    assert [p.row for p in planned.problems] == [5, 6]  # invalid, and the conflicting row
    assert (planned.to_write, planned.linked) == (2, 1)  # initech.com is the only new company
    assert writes_sent(app) == written_before
    assert sorted(map(str, await rows_of(client, "people"))) == before

    done = await import_file(client, "people", path)
    assert counts(done) == (1, 1, 2, 1, 1) and done.conflicts == 1
    assert (done.written, done.failed) == (2, 0)
    assert writes_sent(app) - written_before == 3  # initech.com, Cy's update, Dee's create
    people = {r["email_addresses"][0]: r for r in await rows_of(client, "people")}
    assert sorted(people) == ["ada@acme.com", "bob@acme.com", "cy@globex.com", "dee@initech.com"]
    assert people["bob@acme.com"]["email_addresses"] == ["bob@acme.com"]
    assert people["cy@globex.com"]["job_title"] == "Head of Buying"
    assert people["dee@initech.com"]["job_title"] == "CTO"
    assert people["ada@acme.com"]["last_name"] == "Lovelace"  # the duplicate was not written

    written_before = writes_sent(app)
    again = await import_file(client, "people", path)
    assert counts(again) == (0, 0, 4, 1, 1) and again.conflicts == 1
    assert (again.written, again.linked) == (0, 0)
    assert writes_sent(app) == written_before


async def test_values_the_plan_cannot_compare_are_updates(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    """A phone number Attio holds as written in another format, and a company the file names
    by a domain no company has: each row is an update (the write is sent), never unchanged."""
    await client.records.assert_record(
        "people",
        "email_addresses",
        {"email_addresses": ["eve@acme.com"], "phone_numbers": ["+44 20 7946 0958"]},
    )
    await client.records.assert_record(
        "people", "email_addresses", {"email_addresses": ["fay@acme.com"]}
    )
    path = tmp_path / "people.csv"
    path.write_text(
        "Email,Phone,Company\neve@acme.com,+442079460958,\nfay@acme.com,,umbrella.com\n"
    )
    report = await import_file(client, "people", path)
    assert counts(report) == (0, 2, 0, 0, 0)
    assert (report.written, report.linked) == (2, 1)
    again = await import_file(client, "people", path)
    assert counts(again) == (0, 0, 2, 0, 0)


async def test_lookups_are_batched_reads(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    """250 new people: the plan looks them up in three records queries (100 keys each), and a
    re-run finds every one unchanged with three queries more and no write."""
    path = tmp_path / "people.csv"
    path.write_text("email\n" + "".join(f"p{i}@acme.com\n" for i in range(250)))
    reads = reads_sent(app)
    first = await import_file(client, "people", path)
    assert (first.creates, first.written) == (250, 250)
    assert reads_sent(app) - reads == -(-250 // LOOKUP_BATCH) == 3
    written = writes_sent(app)
    again = await import_file(client, "people", path, concurrency=4)
    assert (again.unchanged, again.to_write, again.written) == (250, 0, 0)
    assert writes_sent(app) == written


def deals_csv(path: Path, rows: list[tuple[str, str, int, str]]) -> Path:
    """A deals file: name, stage, value, company domain (the owner is always ``OWNER``)."""
    lines = ["Name,Stage,Owner,Value,Company"]
    lines += [f"{name},{stage},{OWNER},{value},{domain}" for name, stage, value, domain in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def test_deals_by_a_searched_key_are_classified(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    """Deals matched on ``name`` and their company (given by domain): the same deal is
    unchanged (its owner given by email, its company by domain, both resolved), a new value is
    an update, a new name or the same name at another company a create."""
    seed = [("Renewal", "Lead", 10, "acme.com"), ("Pilot", "Lead", 20, "acme.com")]
    key = ["name", "associated_company"]
    first = await import_file(client, "deals", deals_csv(tmp_path / "seed.csv", seed), match=key)
    assert (first.creates, first.written) == (2, 2)
    path = deals_csv(
        tmp_path / "deals.csv",
        [
            ("Renewal", "Lead", 10, "acme.com"),
            ("Pilot", "In Progress", 20, "acme.com"),
            ("Pilot", "Lead", 20, "globex.com"),
            ("Expansion", "Lead", 30, "acme.com"),
        ],
    )
    written = writes_sent(app)
    planned = await import_file(client, "deals", path, match=key, dry_run=True)
    assert counts(planned) == (2, 1, 1, 0, 0)
    assert writes_sent(app) == written
    done = await import_file(client, "deals", path, match=key)
    assert (done.written, done.failed, done.unchanged) == (3, 0, 1)
    deals = sorted((r["name"], r["stage"], r["value"]) for r in await rows_of(client, "deals"))
    assert deals == [
        ("Expansion", "Lead", 30),
        ("Pilot", "In Progress", 20),
        ("Pilot", "Lead", 20),
        ("Renewal", "Lead", 10),
    ]
    written = writes_sent(app)
    again = await import_file(client, "deals", path, match=key)
    assert counts(again) == (0, 0, 4, 0, 0)
    assert writes_sent(app) == written


async def test_many_deals_with_owners_by_email_rerun_unchanged(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    """250 deals (three lookups in flight at once), each with its owner given by email: a
    re-run finds every one unchanged (the members are read once for all the lookups) and
    sends no write."""
    rows = [(f"Deal {i}", "Lead", i, "acme.com") for i in range(250)]
    path = deals_csv(tmp_path / "deals.csv", rows)
    first = await import_file(client, "deals", path, match="name")
    assert (first.creates, first.written, first.failed) == (250, 250, 0)
    written = writes_sent(app)
    again = await import_file(client, "deals", path, match="name")
    assert counts(again) == (0, 0, 250, 0, 0)
    assert writes_sent(app) == written


async def make_prospects(client: AsyncAttioClient) -> None:
    """A ``prospects`` list of companies with a ``priority`` select (High, Low)."""
    await client.lists.create(name="Prospects", api_slug="prospects", parent_object="companies")
    await client.attributes.create("lists", "prospects", attribute_body("priority", "select"))
    for title in ("High", "Low"):
        await client.attributes.create_option("lists", "prospects", "priority", title=title)


async def test_an_unchanged_record_missing_its_list_entry_still_gets_it(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    """Importing into a list: a company that already holds the row's values but has no entry is
    an update (the entry is added); one whose entry holds the row's values is unchanged; one
    whose entry has another priority is an update."""
    await make_prospects(client)
    for domain, name in (("acme.com", "Acme"), ("globex.com", "Globex"), ("hooli.com", "Hooli")):
        made = await client.records.assert_record(
            "companies", "domains", {"domains": [domain], "name": name}
        )
        if domain != "acme.com":
            await client.entries.assert_entry(
                "prospects",
                parent_record_id=made.id.record_id,
                parent_object="companies",
                entry_values={"priority": "High"},
            )
    path = tmp_path / "prospects.csv"
    path.write_text(
        "Website,Name,Priority\nacme.com,Acme,High\nglobex.com,Globex,High\nhooli.com,Hooli,Low\n"
    )
    planned = await import_file(client, "prospects", path, dry_run=True)
    assert counts(planned) == (0, 2, 1, 0, 0)
    done = await import_file(client, "prospects", path)
    assert (done.written, done.unchanged) == (2, 1)
    priorities = {}
    async for entry in client.entries.iter("prospects"):
        priorities[entry.parent_record_id] = entry.entry_values["priority"][0]["option"]["title"]
    companies = {r["domains"][0]: r["record_id"] async for r in _company_rows(client)}
    assert {d: priorities.get(i) for d, i in companies.items()} == {
        "acme.com": "High",
        "globex.com": "High",
        "hooli.com": "Low",
    }
    written = writes_sent(app)
    again = await import_file(client, "prospects", path)
    assert (again.unchanged, again.written) == (3, 0)
    assert writes_sent(app) == written


async def _company_rows(client: AsyncAttioClient) -> Any:
    async for record in client.records.iter("companies"):
        yield {
            "record_id": record.id.record_id,
            "domains": [v["domain"] for v in record.values.get("domains", [])],
        }


async def test_contacts_into_a_company_unchanged_only_while_linked(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    """``company=``: a re-run is unchanged and writes nothing (not even the company); the same
    file into another company updates every person (the link changes)."""
    path = tmp_path / "contacts.csv"
    path.write_text("Email,First name\nx1@initech.com,X1\nx2@initech.com,X2\n")
    first = await import_file(client, "people", path, company="initech.com")
    assert (first.creates, first.linked, first.written) == (2, 1, 2)
    written = writes_sent(app)
    again = await import_file(client, "people", path, company="initech.com")
    assert (again.unchanged, again.linked, again.written) == (2, 0, 0)
    assert writes_sent(app) == written
    moved = await import_file(client, "people", path, company="umbrella.com")
    assert (moved.updates, moved.linked, moved.written) == (2, 1, 2)


async def test_a_dry_run_lists_the_writes_it_would_send(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    """``plan_writes=True``: every write the run would send, in order, as other dry runs list
    them: the new company asserted first, then the changed row's and the new row's asserts
    (the new record with a placeholder id); nothing sent, and no row left unchanged listed."""
    await seeded_people(client, tmp_path)
    path = tmp_path / "people.csv"
    path.write_text(
        PEOPLE_HEADER
        + "ada@acme.com,Ada,Lovelace,Engineer,acme.com,+442079460958\n"  # unchanged
        + "cy@globex.com,Cy,Young,Head of Buying,globex.com,\n"  # changed
        + "dee@initech.com,Dee,Lane,CTO,initech.com,\n",  # new, with a new company
        encoding="utf-8",
    )
    written_before = writes_sent(app)
    report = await import_file(client, "people", path, dry_run=True, plan_writes=True)
    assert writes_sent(app) == written_before
    assert report.requests is not None
    assert [(r["method"], r["path"], r["effect"], r["creates"]) for r in report.requests] == [
        (
            "PUT",
            "/v2/objects/companies/records?matching_attribute=domains",
            'asserts the companies record with domains [{"domain": "initech.com"}], linked to '
            "by the rows",
            None,
        ),
        (
            "PUT",
            "/v2/objects/people/records?matching_attribute=email_addresses",
            "row 2: updates a people record",
            None,
        ),
        (
            "PUT",
            "/v2/objects/people/records?matching_attribute=email_addresses",
            "row 3: creates a people record, dry-run:record-1",
            "dry-run:record-1",
        ),
    ]
    assert report.requests[2]["body"]["data"]["values"]["job_title"] == {"value": "CTO"}
    assert "requests" in report.to_dict()
    assert "requests" not in (await import_file(client, "people", path, dry_run=True)).to_dict()
