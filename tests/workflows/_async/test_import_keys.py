"""``workflows.import_file`` beyond one unique attribute, against the in-process emulator: deals
matched on a chosen key through a search (one attribute or several), contacts imported into one
company (``company=``), a list named as the target (rows into its parent object, one entry per
record), the export of a list, and the errors of each (unknown attribute, list or company)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from attio_bridge.client import AsyncAttioClient
from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.errors import InvalidInputError, MissingError
from attio_bridge.workflows.aio import export_records, import_file

from .._clients import API_KEY
from ..conftest import write_count
from ._import_support import client_on, rows_of

pytestmark = pytest.mark.anyio
OWNER = "ada@example.com"  # the emulator's workspace member
MISSING = "00000000-0000-4000-8000-000000000000"


def deals_csv(path: Path, rows: list[tuple[str, str, int, str]]) -> Path:
    """A deals file: name, stage, value, company domain (the owner is always ``OWNER``)."""
    lines = ["Name,Stage,Owner,Value,Company"]
    lines += [f"{name},{stage},{OWNER},{value},{domain}" for name, stage, value, domain in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def deals_by_name(client: AsyncAttioClient) -> dict[str, list[dict[str, Any]]]:
    """Every deal, grouped by name."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in await rows_of(client, "deals"):
        out.setdefault(row["name"], []).append(row)
    return out


async def company_ids(client: AsyncAttioClient) -> dict[str, str]:
    """``{domain: record id}`` of every company."""
    return {
        d: r.id.record_id
        async for r in client.records.iter("companies")
        for v in r.values.get("domains", [])
        if (d := v.get("domain"))
    }


# -- deals matched on a chosen key ---------------------------------------------------------------
async def test_deals_matched_on_name_are_created_then_updated_never_doubled(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    """``match="name"`` (not unique): each name becomes one deal; a second run over changed
    values updates those deals instead of creating more, and a deal that existed before the
    import is found and updated too. A name twice in the file with other values is written
    once, the second row named as a conflict."""
    await client.records.create(
        "deals",
        {"name": "Existing", "stage": "Lead", "owner": OWNER, "value": 1},
    )
    rows = [(f"Deal {i}", "Lead", 100 + i, "acme.com") for i in range(30)]
    path = deals_csv(tmp_path / "deals.csv", [*rows, ("Deal 3", "Lost", 9, "acme.com")])
    first = await import_file(client, "deals", path, match="name", concurrency=8)
    assert first.search
    assert (first.rows, first.conflicts, first.written, first.failed) == (31, 1, 30, 0)
    assert [p.row for p in first.problems] == [31]
    deals = await deals_by_name(client)
    assert len(deals) == 31 and all(len(d) == 1 for d in deals.values())
    assert deals["Deal 3"][0]["value"] == 103  # the first of the two rows won

    changed = [(name, "In Progress", value * 2, domain) for name, _, value, domain in rows]
    deals_csv(path, [*changed, ("Existing", "Won 🎉", 5, "globex.com")])
    second = await import_file(client, "deals", path, match="name", concurrency=8)
    assert (second.written, second.failed) == (31, 0)
    deals = await deals_by_name(client)
    assert len(deals) == 31 and all(len(d) == 1 for d in deals.values())
    assert deals["Deal 7"][0]["value"] == 214
    assert deals["Deal 7"][0]["stage"] == "In Progress"
    existing = deals["Existing"][0]
    assert (existing["stage"], existing["value"]) == ("Won 🎉", 5)
    assert existing["associated_company"] == (await company_ids(client))["globex.com"]


async def test_a_key_matching_several_deals_is_an_ambiguous_row_of_the_plan(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    """Two deals already share a name: the plan (dry run too) counts the row with that name
    ambiguous, naming both deals, not an update; the real run leaves it out (the failure file
    says why, in the same words) and writes the other rows."""
    twins = [
        await client.records.create(
            "deals", {"name": "Twin", "stage": "Lead", "owner": OWNER, "value": value}
        )
        for value in (1, 2)
    ]
    ids = sorted(t.id.record_id for t in twins)
    path = deals_csv(tmp_path / "deals.csv", [("Twin", "Lost", 50, ""), ("Solo", "Lead", 7, "")])
    planned = await import_file(client, "deals", path, match="name", dry_run=True)
    assert (planned.ambiguous, planned.updates, planned.creates) == (1, 0, 1)
    (problem,) = planned.problems
    assert problem.row == 1
    assert 'several records of deals match name "Twin"' in problem.message
    assert all(i in problem.message for i in ids)
    assert planned.to_dict()["ambiguous"] == 1

    writes_before = write_count(app, "deals")
    report = await import_file(client, "deals", path, match="name")
    assert (report.ambiguous, report.written, report.failed) == (1, 1, 0)
    assert write_count(app, "deals") == writes_before + 1  # only Solo was sent
    assert report.failures_path is not None
    with report.failures_path.open(newline="") as f:
        (failed,) = list(csv.DictReader(f))
    assert (failed["Name"], failed["_row"], failed["_error"]) == ("Twin", "1", problem.message)
    deals = await deals_by_name(client)
    assert sorted(d["value"] for d in deals["Twin"]) == [1, 2]  # neither was touched
    assert deals["Solo"][0]["value"] == 7


async def test_strict_writes_nothing_when_a_row_is_ambiguous(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    """All or nothing: an ambiguous row stops a strict import as an invalid one does."""
    for value in (1, 2):
        await client.records.create(
            "deals", {"name": "Twin", "stage": "Lead", "owner": OWNER, "value": value}
        )
    writes_before = write_count(app, "deals")
    path = deals_csv(tmp_path / "deals.csv", [("Solo", "Lead", 7, ""), ("Twin", "Lost", 50, "")])
    report = await import_file(client, "deals", path, match="name", strict=True)
    assert (report.aborted, report.ambiguous, report.written) == (True, 1, 0)
    assert write_count(app, "deals") == writes_before


async def test_rows_without_a_required_value_update_and_do_not_create(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    """A deals file with no Owner or Stage column (Attio requires both on a new deal): the plan
    counts the rows lacking it before any write; the row whose name finds a deal updates it,
    the one that would create fails with the reason, and no create is sent for it (Attio would
    answer missing_value; API-NOTES §8)."""
    await client.records.create(
        "deals", {"name": "Known", "stage": "Lead", "owner": OWNER, "value": 1}
    )
    path = tmp_path / "deals.csv"
    path.write_text("Name,Value\nKnown,5\nNew,7\n", encoding="utf-8")
    plans: list[dict[str, int]] = []
    writes_before = write_count(app, "deals")
    report = await import_file(
        client,
        "deals",
        path,
        match="name",
        on_plan=lambda r: plans.append(dict(r.lacking_required)),
    )
    assert plans == [{"stage": 2, "owner": 2}]
    assert (report.written, report.failed) == (1, 1)
    assert write_count(app, "deals") - writes_before == 1  # the update only
    assert report.failures_path is not None
    with report.failures_path.open(newline="") as f:
        (failed,) = list(csv.DictReader(f))
    assert failed["Name"] == "New"
    assert "a new one needs stage, owner (required)" in failed["_error"]
    deals = await deals_by_name(client)
    assert deals["Known"][0]["value"] == 5 and "New" not in deals


async def test_a_key_of_several_attributes_including_a_company_reference(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    """``match=["name", "associated_company"]``: "Renewal" at two companies is two deals; the
    company, given by domain, is resolved to its record for the search, so a re-run (and one
    naming the company by record id) finds both deals again."""
    rows = [("Renewal", "Lead", 10, "acme.com"), ("Renewal", "Lead", 20, "globex.com")]
    path = deals_csv(tmp_path / "deals.csv", rows)
    key = ["name", "associated_company"]
    first = await import_file(client, "deals", path, match=key)
    assert (first.match, first.duplicates, first.written) == ("name, associated_company", 0, 2)
    again = await import_file(client, "deals", path, match="name, associated_company")
    # Both deals found (no create) and already as the file says (no write).
    assert (again.creates, again.unchanged, again.written, again.failed) == (0, 2, 0, 0)
    ids = await company_ids(client)
    by_id = deals_csv(tmp_path / "by-id.csv", [("Renewal", "Won 🎉", 30, ids["acme.com"])])
    assert (await import_file(client, "deals", by_id, match=key)).written == 1
    renewals = (await deals_by_name(client))["Renewal"]
    got = sorted((d["associated_company"], d["value"], d["stage"]) for d in renewals)
    assert got == sorted([(ids["acme.com"], 30, "Won 🎉"), (ids["globex.com"], 20, "Lead")])


async def test_concurrent_rows_whose_keys_search_alike_make_one_record(tmp_path: Path) -> None:
    """Rows naming one company differently (by domain, by record id) are not duplicates in the
    plan, yet search for the same deal: written side by side against a workspace with latency
    (so the searches overlap), they still make one deal."""
    app = create_app(EmulatorConfig(api_keys=[API_KEY], read_rate=0, write_rate=0, latency_ms=20))
    async with client_on(app) as slow:
        acme = await slow.records.create(
            "companies", {"name": "Acme", "domains": [{"domain": "acme.com"}]}
        )
        by_id = acme.id.record_id
        rows = [("Renewal", "Lead", 10, by_id if i % 2 else "acme.com") for i in range(4)]
        path = deals_csv(tmp_path / "deals.csv", rows)
        report = await import_file(
            slow, "deals", path, match=["name", "associated_company"], concurrency=4
        )
        assert (report.duplicates, report.written, report.failed) == (2, 2, 0)
        (deal,) = (await deals_by_name(slow))["Renewal"]
        assert deal["associated_company"] == by_id


async def test_match_errors_name_the_fix(client: AsyncAttioClient, tmp_path: Path) -> None:
    """An attribute the object lacks is a ``MissingError`` listing the ones to use; a type that
    cannot be searched on, or no key for an object without an obvious one, an
    ``InvalidInputError``;
    in every case before any write."""
    path = deals_csv(tmp_path / "deals.csv", [("A", "Lead", 1, "")])
    with pytest.raises(
        MissingError, match=r"deals has no attribute 'title' to match on; use one of"
    ):
        await import_file(client, "deals", path, match="title")
    with pytest.raises(InvalidInputError, match=r"cannot match deals records on 'owner' \(of type"):
        await import_file(client, "deals", path, match="owner")
    with pytest.raises(InvalidInputError, match="read-only"):
        await import_file(client, "deals", path, match="created_at")
    with pytest.raises(InvalidInputError, match=r"\(the match argument\)"):
        await import_file(client, "deals", path)
    assert await rows_of(client, "deals") == []


async def test_people_match_on_email_by_default(client: AsyncAttioClient, tmp_path: Path) -> None:
    """Without ``match``, people are asserted on ``email_addresses`` (not searched)."""
    path = tmp_path / "people.csv"
    path.write_text("email,job title\na@acme.com,One\n")
    report = await import_file(client, "people", path)
    assert (report.match, report.search, report.written) == ("email_addresses", False, 1)


# -- contacts into one company -------------------------------------------------------------------
async def test_contacts_imported_into_a_company_given_by_domain(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    """``company="https://www.acme.com"``: the company is asserted by domain first (it did not
    exist) and every person links to it, even one whose file row names another company (the
    guessed ``Company`` column gives way to ``company=``)."""
    path = tmp_path / "contacts.csv"
    path.write_text("Email,First name,Company\na@acme.com,A,\nb@acme.com,B,globex.com\n")
    report = await import_file(client, "people", path, company="https://www.acme.com")
    assert "Company" in report.unmapped and "Company" not in report.mapping
    assert (report.linked, report.written, report.failed) == (1, 2, 0)
    ids = await company_ids(client)
    assert list(ids) == ["acme.com"]
    people = await rows_of(client, "people")
    assert sorted(p["email_addresses"][0] for p in people) == ["a@acme.com", "b@acme.com"]
    assert {p["company"] for p in people} == {ids["acme.com"]}


async def test_contacts_imported_into_a_company_given_by_record_id(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    """A record id links to that company; an id no company has is a ``MissingError`` saying what to
    pass, raised before any person is written."""
    acme = await client.records.create(
        "companies", {"name": "Acme", "domains": [{"domain": "acme.com"}]}
    )
    path = tmp_path / "contacts.jsonl"
    path.write_text(json.dumps({"email": "c@acme.com"}) + "\n")
    with pytest.raises(MissingError, match=r"no company has record id .* or its domain"):
        await import_file(client, "people", path, company=MISSING)
    assert write_count(app, "people") == 0
    report = await import_file(client, "people", path, company=acme.id.record_id)
    assert (report.linked, report.written) == (0, 1)
    (person,) = await rows_of(client, "people")
    assert person["company"] == acme.id.record_id


async def test_company_errors(client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path) -> None:
    """Not a domain nor an id, an object with no company to link to, and a mapping that also
    fills the company: each an ``InvalidInputError`` before any write."""
    path = tmp_path / "contacts.csv"
    path.write_text("email,employer\nd@acme.com,acme.com\n")
    with pytest.raises(InvalidInputError, match="neither a company record id nor a domain"):
        await import_file(client, "people", path, company="not a company")
    with pytest.raises(InvalidInputError, match="no single company attribute"):
        await import_file(client, "companies", path, match="domains", company="acme.com")
    with pytest.raises(InvalidInputError, match=r"column 'employer' to company.*drop one"):
        await import_file(
            client,
            "people",
            path,
            mapping={"email": "email_addresses", "employer": "company"},
            company="acme.com",
        )
    assert write_count(app, "people") == write_count(app, "companies") == 0


# -- a list as the target ------------------------------------------------------------------------
async def make_prospects(client: AsyncAttioClient) -> str:
    """A ``prospects`` list of companies with a ``priority`` select and a ``description`` text
    (a slug the companies have too); its id."""
    made = await client.lists.create(
        name="Prospects", api_slug="prospects", parent_object="companies"
    )
    for slug, kind in (("priority", "select"), ("description", "text")):
        await client.attributes.create(
            "lists",
            "prospects",
            {
                "title": slug.title(),
                "description": None,
                "api_slug": slug,
                "type": kind,
                "is_required": False,
                "is_unique": False,
                "is_multiselect": False,
                "config": {},
            },
        )
    for title in ("High", "Low"):
        await client.attributes.create_option("lists", "prospects", "priority", title=title)
    return made.id.list_id


async def entries_of(client: AsyncAttioClient) -> list[tuple[str, str | None]]:
    """``(domain of the record, priority title)`` of each prospects entry."""
    domains = {v: k for k, v in (await company_ids(client)).items()}
    out = []
    async for e in client.entries.iter("prospects"):
        priority = e.entry_values.get("priority") or [{}]
        out.append((domains[e.parent_record_id], priority[0].get("option", {}).get("title")))
    return sorted(out)


async def test_import_into_a_list_upserts_the_parent_and_adds_each_once(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    """``import_file(client, "prospects", ...)``: the rows become companies (matched on
    ``domains`` by default) and entries with the list's values; columns are guessed for both.
    Run again (by the list's id), no entry is added twice and the values follow the file."""
    list_id = await make_prospects(client)
    path = tmp_path / "prospects.csv"
    path.write_text("Website,Name,Priority\nacme.com,Acme,High\nglobex.com,Globex,Low\n")
    report = await import_file(client, "prospects", path)
    assert report.mapping == {"Website": "domains", "Name": "name", "Priority": "list:priority"}
    assert (report.object, report.list_slug, report.written) == ("companies", "prospects", 2)
    assert await entries_of(client) == [("acme.com", "High"), ("globex.com", "Low")]
    names = sorted(r["name"] for r in await rows_of(client, "companies"))
    assert names == ["Acme", "Globex"]

    path.write_text("Website,Priority\nacme.com,Low\nglobex.com,Low\ninitech.com,High\n")
    again = await import_file(client, list_id, path)
    # globex.com's record and entry already hold what the row gives: not written.
    assert (again.creates, again.updates, again.unchanged) == (1, 1, 1)
    assert (again.written, again.failed) == (2, 0)
    assert await entries_of(client) == [
        ("acme.com", "Low"),
        ("globex.com", "Low"),
        ("initech.com", "High"),
    ]


async def test_list_errors(client: AsyncAttioClient, tmp_path: Path) -> None:
    """An unknown object or list is a ``MissingError`` listing the known ones; a second, different
    list beside a list is an ``InvalidInputError``."""
    await make_prospects(client)
    await client.lists.create(name="Hot", api_slug="hot", parent_object="companies")
    path = tmp_path / "prospects.csv"
    path.write_text("Website\nacme.com\n")
    with pytest.raises(MissingError, match=r"no object or list 'prospectz'; known: .*'prospects'"):
        await import_file(client, "prospectz", path)
    with pytest.raises(InvalidInputError, match="takes no second list"):
        await import_file(client, "prospects", path, list="hot")
    assert await rows_of(client, "companies") == []


# -- export of a list ----------------------------------------------------------------------------
async def test_list_export_reads_every_page_and_round_trips(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    """A list of more than one page of entries exports every entry with its company's values
    and its own; a list attribute sharing a company column's name comes out as
    ``list:description``. Imported into the same list of a fresh workspace, the file gives the
    same companies and entries."""
    await make_prospects(client)
    count = 520  # more than one page (500) of entries, and of parent records per query
    path = tmp_path / "seed.csv"
    lines = ["Website,Name,Description,list:description,Priority"]
    lines += [
        f"c{i}.com,C{i},company {i},entry {i},{'High' if i % 2 else 'Low'}" for i in range(count)
    ]
    path.write_text("\n".join(lines) + "\n")
    seeded = await import_file(client, "prospects", path)
    assert seeded.mapping["list:description"] == "list:description"
    assert seeded.mapping["Description"] == "description"
    assert seeded.written == count

    out = io.StringIO()
    assert await export_records(client, "prospects", out, "csv") == count
    out.seek(0)
    rows = list(csv.DictReader(out))
    assert len(rows) == count and len({r["entry_id"] for r in rows}) == count
    assert list(rows[0])[:2] == ["entry_id", "record_id"]
    c7 = next(r for r in rows if r["domains"] == "c7.com")
    assert (c7["name"], c7["description"]) == ("C7", "company 7")
    assert (c7["priority"], c7["list:description"]) == ("High", "entry 7")

    exported = tmp_path / "prospects.csv"
    exported.write_text(out.getvalue())
    async with client_on() as fresh:
        await make_prospects(fresh)
        back = await import_file(fresh, "prospects", exported)
        assert (back.written, back.invalid, back.failed) == (count, 0, 0)
        again = io.StringIO()
        await export_records(fresh, "prospects", again, "jsonl")
    volatile = {"entry_id", "record_id", "created_at", "created_by"}

    def comparable(items: list[dict[str, Any]]) -> list[str]:
        return sorted(
            json.dumps({k: v or None for k, v in r.items() if k not in volatile}, sort_keys=True)
            for r in items
        )

    fresh_rows = [json.loads(line) for line in again.getvalue().splitlines()]
    assert len(fresh_rows) == count
    as_cells = [
        {k: "; ".join(v) if isinstance(v, list) else v for k, v in r.items()} for r in fresh_rows
    ]
    assert comparable(as_cells) == comparable(rows)
