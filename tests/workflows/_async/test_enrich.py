"""The enrichment workflow against the in-process emulator: records picked by a list, by a
status attribute or both; the provider's values written and read back decoded (through a sync
client, ``reader``); the note naming the source and the fields; the status marked "Enriched" or
"Not found"; values already held kept unless ``overwrite``; invalid provider values reported
while the others are written; a re-run and a dry run sending no write (checked in the journal).
Written once for the async workflow; ``../_sync`` runs the same against the sync one."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.errors import InvalidInputError, MissingError
from attio_bridge.services import AsyncServices
from attio_bridge.values import ValuesError, decode_record, load_schema
from attio_bridge.workflows.aio import enrich_records
from attio_bridge.workflows.enrich import (
    EnrichmentProvider,
    EnrichmentTarget,
    FileProvider,
    Selection,
)
from tests.services.conftest import attribute_body

from .._clients import sync_client

pytestmark = pytest.mark.anyio
STATUSES = ("Pending", "Enriched", "Not found")
BY_STATUS = Selection(status_attribute="enrichment_status")
PROVIDER_CSV = (
    "domain,description,categories,employee_count,linkedin\n"
    "acme.com,Makes anvils,SaaS;B2B,120,https://linkedin.com/company/acme\n"
    "https://www.initech.com,Printers and TPS reports,Enterprise,300,\n"
)


@pytest.fixture
def reader(app: EmulatorApp) -> Iterator[AttioClient]:
    """A sync client on ``app`` for setting up and reading back: companies have an
    ``enrichment_status`` select (Pending, Enriched, Not found) and an ``employee_count``
    number, and there is a ``to_enrich`` list of companies; the journal starts empty."""
    with sync_client(app) as attio:
        attio.attributes.create(
            "objects", "companies", attribute_body("enrichment_status", "select")
        )
        for title in STATUSES:
            attio.attributes.create_option("objects", "companies", "enrichment_status", title=title)
        attio.attributes.create("objects", "companies", attribute_body("employee_count", "number"))
        attio.lists.create(name="To enrich", api_slug="to_enrich", parent_object="companies")
        app.state.journal.entries.clear()
        yield attio


@pytest.fixture
def services(reader: AttioClient, services: AsyncServices) -> AsyncServices:
    """The services, once ``reader`` has built the workspace."""
    return services


@pytest.fixture
def provider(tmp_path: Path) -> FileProvider:
    """A CSV provider knowing acme.com and initech.com (by website)."""
    path = tmp_path / "firmographics.csv"
    path.write_text(PROVIDER_CSV, encoding="utf-8")
    return FileProvider(path)


def writes(app: EmulatorApp) -> list[tuple[str, str]]:
    """The write requests the emulator received (method, path), oldest first."""
    return [
        (e["method"], e["path"])
        for e in app.state.journal.render()
        if e["method"] in ("POST", "PUT", "PATCH", "DELETE") and not e["path"].endswith("/query")
    ]


async def company(services: AsyncServices, domain: str, **values: Any) -> str:
    """The id of the company ``domain``, made with ``values``."""
    made = await services.companies.upsert(domain, domain.split(".")[0].title(), **values)
    return made.record_id


def row(reader: AttioClient, record_id: str) -> dict[str, Any]:
    """The company as the workspace holds it now, decoded."""
    return decode_record(load_schema(reader), reader.records.get("companies", record_id))


def notes_of(reader: AttioClient, record_id: str) -> list[tuple[str, str]]:
    """(title, plain text) of the company's notes."""
    return [
        (n.title, n.content_plaintext)
        for n in reader.notes.iter(parent_object="companies", parent_record_id=record_id)
    ]


async def test_status_selection_enriches_pending_and_marks_found_and_not_found(
    services: AsyncServices, reader: AttioClient, provider: FileProvider
) -> None:
    """Pending companies the file knows get its values, a note and "Enriched"; a pending one
    it does not know becomes "Not found"; a company that is not pending is left alone."""
    acme = await company(services, "acme.com", enrichment_status="Pending")
    globex = await company(services, "globex.com", enrichment_status="Pending")
    initech = await company(services, "initech.com")  # no status: not selected

    report = await enrich_records(
        services, object="companies", provider=provider, selection=BY_STATUS
    )

    outcomes = {r.record_id: r.outcome for r in report.results}
    assert outcomes == {acme: "enriched", globex: "not_found"}
    got = row(reader, acme)
    assert got["description"] == "Makes anvils"
    assert sorted(got["categories"]) == ["B2B", "SaaS"]
    assert got["employee_count"] == 120
    assert got["linkedin"] == "https://linkedin.com/company/acme"
    assert got["enrichment_status"] == "Enriched"
    assert row(reader, globex)["enrichment_status"] == "Not found"
    assert row(reader, globex)["description"] is None
    untouched = row(reader, initech)
    assert untouched["description"] is None
    assert untouched["enrichment_status"] is None
    [(title, text)] = notes_of(reader, acme)
    assert title == "Enriched from firmographics.csv"
    assert "Source: firmographics.csv" in text
    assert "Fields set: description, categories, employee_count, linkedin" in text
    assert notes_of(reader, globex) == []


async def test_list_selection_enriches_the_list_records_only(
    services: AsyncServices, reader: AttioClient, provider: FileProvider
) -> None:
    """With a list and no status attribute, the list's companies are enriched (the website
    column matches initech.com) and a company outside the list is not; no status is set."""
    initech = await company(services, "initech.com")
    acme = await company(services, "acme.com")  # not in the list
    await services.lists.add("to_enrich", initech)

    report = await enrich_records(
        services, object="companies", provider=provider, selection=Selection(list="to_enrich")
    )

    assert [(r.record_id, r.outcome, r.status) for r in report.results] == [
        (initech, "enriched", None)
    ]
    got = row(reader, initech)
    assert got["description"] == "Printers and TPS reports"
    assert got["categories"] == ["Enterprise"]
    assert got["employee_count"] == 300
    assert got["enrichment_status"] is None
    assert row(reader, acme)["description"] is None


async def test_list_and_status_select_the_pending_records_of_the_list(
    services: AsyncServices, reader: AttioClient, provider: FileProvider
) -> None:
    """With both, only the list's companies that are pending are enriched."""
    acme = await company(services, "acme.com", enrichment_status="Pending")
    initech = await company(services, "initech.com", enrichment_status="Enriched")
    outside = await company(services, "globex.com", enrichment_status="Pending")
    await services.lists.add("to_enrich", acme)
    await services.lists.add("to_enrich", initech)

    selection = Selection(list="to_enrich", status_attribute="enrichment_status")
    report = await enrich_records(
        services, object="companies", provider=provider, selection=selection
    )

    assert [r.record_id for r in report.results] == [acme]
    assert row(reader, initech)["description"] is None
    assert row(reader, outside)["enrichment_status"] == "Pending"


async def test_values_held_are_kept_unless_overwrite(
    services: AsyncServices, reader: AttioClient, provider: FileProvider
) -> None:
    """A description and categories already set survive a run (reported as kept); with
    ``overwrite=True`` the description is replaced and the categories replaced, not added to."""
    acme = await company(services, "acme.com", description="Our own words", categories=["Retail"])
    await services.lists.add("to_enrich", acme)
    selection = Selection(list="to_enrich")

    kept = await enrich_records(
        services, object="companies", provider=provider, selection=selection
    )
    [result] = kept.results
    assert sorted(result.kept) == ["categories", "description"]
    got = row(reader, acme)
    assert got["description"] == "Our own words"
    assert got["categories"] == ["Retail"]
    assert got["employee_count"] == 120  # was empty: set

    replaced = await enrich_records(
        services, object="companies", provider=provider, selection=selection, overwrite=True
    )
    [result] = replaced.results
    assert result.outcome == "enriched"
    assert sorted(result.changes) == ["categories", "description"]
    got = row(reader, acme)
    assert got["description"] == "Makes anvils"
    assert sorted(got["categories"]) == ["B2B", "SaaS"]


async def test_invalid_provider_values_are_reported_and_the_others_written(
    services: AsyncServices, reader: AttioClient, tmp_path: Path
) -> None:
    """A value the attribute cannot take (a word for a number, an unknown category) is
    reported and not sent; the record's other values are still written."""
    path = tmp_path / "bad.csv"
    path.write_text(
        "domain,description,employee_count,categories\nacme.com,Anvils,lots,Spaceships\n",
        encoding="utf-8",
    )
    acme = await company(services, "acme.com", enrichment_status="Pending")

    report = await enrich_records(
        services, object="companies", provider=FileProvider(path), selection=BY_STATUS
    )

    [result] = report.results
    assert result.outcome == "enriched"
    assert list(result.changes) == ["description"]
    assert len(result.invalid) == 2
    assert any(p.startswith("employee_count='lots'") for p in result.invalid)
    assert any("Spaceships" in p for p in result.invalid)
    got = row(reader, acme)
    assert got["description"] == "Anvils"
    assert got["employee_count"] is None
    assert got["categories"] == []
    assert got["enrichment_status"] == "Enriched"


async def test_rerun_changes_nothing(
    services: AsyncServices, reader: AttioClient, app: EmulatorApp, provider: FileProvider
) -> None:
    """A second run over the same list writes nothing, even with ``overwrite``: values equal,
    note and status there."""
    acme = await company(services, "acme.com", enrichment_status="Pending")
    globex = await company(services, "globex.com", enrichment_status="Pending")
    for record_id in (acme, globex):
        await services.lists.add("to_enrich", record_id)
    selection = Selection(list="to_enrich", status_attribute="enrichment_status")
    every = Selection(list="to_enrich")
    await enrich_records(services, object="companies", provider=provider, selection=selection)
    before = len(writes(app))

    # By status nothing is pending any more; by list alone both are looked at again.
    again = await enrich_records(
        services, object="companies", provider=provider, selection=selection
    )
    assert again.results == []
    also = await enrich_records(services, object="companies", provider=provider, selection=every)
    assert {r.record_id: r.outcome for r in also.results} == {
        acme: "unchanged",
        globex: "not_found",
    }
    # Even allowed to overwrite, values equal to the provider's are not sent again.
    forced = await enrich_records(
        services, object="companies", provider=provider, selection=every, overwrite=True
    )
    assert [r.changes for r in forced.results] == [{}, {}]
    assert writes(app)[before:] == []
    assert len(notes_of(reader, acme)) == 1


async def test_dry_run_reports_the_changes_and_writes_nothing(
    services: AsyncServices, reader: AttioClient, app: EmulatorApp, provider: FileProvider
) -> None:
    """A dry run lists what would be set and the status it would mark, sending no write."""
    acme = await company(services, "acme.com", enrichment_status="Pending")
    globex = await company(services, "globex.com", enrichment_status="Pending")
    before = len(writes(app))

    report = await enrich_records(
        services, object="companies", provider=provider, selection=BY_STATUS, dry_run=True
    )

    assert writes(app)[before:] == []
    by_id = {r.record_id: r for r in report.results}
    assert by_id[acme].changes["description"] == "Makes anvils"
    assert by_id[acme].status == "Enriched"
    assert by_id[acme].note is True
    assert by_id[globex].status == "Not found"
    assert row(reader, acme)["description"] is None
    assert row(reader, acme)["enrichment_status"] == "Pending"


async def test_mapping_names_provider_fields_for_attributes(
    services: AsyncServices, reader: AttioClient, tmp_path: Path
) -> None:
    """A given mapping sends a field of any name to its attribute; unmapped fields are
    reported as ignored."""
    path = tmp_path / "data.json"
    path.write_text(
        json.dumps([{"site": "acme.com", "blurb": "Anvils", "hq": "Springfield"}]),
        encoding="utf-8",
    )
    acme = await company(services, "acme.com", enrichment_status="Pending")
    provider = FileProvider(path, column="site", name="Blurbs")

    report = await enrich_records(
        services,
        object="companies",
        provider=provider,
        selection=BY_STATUS,
        mapping={"blurb": "description"},
    )

    [result] = report.results
    assert result.ignored == ["hq"]
    assert row(reader, acme)["description"] == "Anvils"


async def test_people_are_enriched_by_email_from_json_lines(
    services: AsyncServices, reader: AttioClient, tmp_path: Path
) -> None:
    """A JSON Lines file keyed by email enriches people; the email column's case is ignored."""
    path = tmp_path / "people.jsonl"
    path.write_text(
        json.dumps({"email": "ADA@acme.com", "job_title": "CTO", "twitter": "@ada"}) + "\n",
        encoding="utf-8",
    )
    ada = await services.people.upsert(email="ada@acme.com", name="Ada Lovelace")
    reader.lists.create(name="People", api_slug="people_to_enrich", parent_object="people")
    await services.schema.refresh()
    await services.lists.add("people_to_enrich", ada)

    report = await enrich_records(
        services,
        object="people",
        provider=FileProvider(path, key="email"),
        selection=Selection(list="people_to_enrich"),
    )

    assert [r.outcome for r in report.results] == ["enriched"]
    got = decode_record(load_schema(reader), reader.records.get("people", ada.record_id))
    assert got["job_title"] == "CTO"
    assert got["twitter"] == "@ada"


class Flaky:
    """A provider (any class with ``name`` and ``lookup``) failing for one domain."""

    name = "Flaky API"

    def lookup(self, target: EnrichmentTarget) -> Mapping[str, Any] | None:
        if "globex.com" in target.domains:
            raise ConnectionError("upstream timed out")
        return {"description": f"About {target.domains[0]}"}


async def test_a_failing_provider_fails_its_record_only(
    services: AsyncServices, reader: AttioClient
) -> None:
    """A provider error fails that record, with the reason, and leaves it pending; the other
    records are enriched."""
    acme = await company(services, "acme.com", enrichment_status="Pending")
    globex = await company(services, "globex.com", enrichment_status="Pending")
    flaky: EnrichmentProvider = Flaky()

    report = await enrich_records(services, object="companies", provider=flaky, selection=BY_STATUS)

    by_id = {r.record_id: r for r in report.results}
    assert by_id[globex].outcome == "failed"
    assert by_id[globex].reason == "Flaky API: upstream timed out"
    assert row(reader, globex)["enrichment_status"] == "Pending"
    assert row(reader, acme)["description"] == "About acme.com"
    assert report.counts() == {"enriched": 1, "not_found": 0, "unchanged": 0, "failed": 1}


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"selection": Selection()}, InvalidInputError, "give a list, a status attribute"),
        (
            {"selection": Selection(status_attribute="enrichment_state")},
            MissingError,
            'Did you mean "enrichment_status"',
        ),
        (
            {"selection": Selection(status_attribute="description")},
            InvalidInputError,
            "text attribute",
        ),
        ({"selection": Selection(list="missing")}, MissingError, "no list 'missing'"),
        ({"selection": BY_STATUS, "mapping": {"x": "nope"}}, MissingError, "'nope'"),
        (
            {"selection": Selection(status_attribute="enrichment_status", done="Done")},
            ValuesError,
            "Done",
        ),
    ],
)
async def test_bad_setup_fails_before_any_write(
    services: AsyncServices,
    app: EmulatorApp,
    provider: FileProvider,
    kwargs: dict[str, Any],
    error: type[Exception],
    match: str,
) -> None:
    """No selection, unknown attributes, lists or status titles raise before the first write."""
    await company(services, "acme.com", enrichment_status="Pending")
    before = len(writes(app))
    with pytest.raises(error, match=match):
        await enrich_records(services, object="companies", provider=provider, **kwargs)
    assert writes(app)[before:] == []


async def test_the_same_change_again_adds_no_second_note(
    services: AsyncServices, reader: AttioClient, tmp_path: Path
) -> None:
    """When a value is cleared and enrichment sets it again, the note of that same change is
    found rather than written twice (as after a run that failed before marking the status)."""
    path = tmp_path / "one.csv"
    path.write_text("domain,description\nacme.com,Anvils\n", encoding="utf-8")
    acme = await company(services, "acme.com")
    await services.lists.add("to_enrich", acme)
    selection = Selection(list="to_enrich")
    await enrich_records(
        services, object="companies", provider=FileProvider(path), selection=selection
    )
    await services.companies.update(acme, description=None)

    report = await enrich_records(
        services, object="companies", provider=FileProvider(path), selection=selection
    )

    [result] = report.results
    assert result.outcome == "enriched"
    assert result.note is False
    assert row(reader, acme)["description"] == "Anvils"
    assert len(notes_of(reader, acme)) == 1
