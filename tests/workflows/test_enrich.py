"""The enrichment workflow against the in-process emulator through the sync ``Services``:
records picked by a list, by a status attribute or both; the provider's values written and read
back decoded; the note naming the source and the fields; the status marked "Enriched" or "Not
found"; values already held kept unless ``overwrite``; invalid provider values reported while
the others are written; a re-run and a dry run sending no write (checked in the journal)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.services import Services
from attio_bridge.testing import SyncASGITransport
from attio_bridge.values import ValuesError, decode_record
from attio_bridge.workflows.enrich import (
    EnrichmentProvider,
    EnrichmentTarget,
    FileProvider,
    Selection,
    enrich_records,
    load_provider,
)
from tests.services.conftest import attribute_body

from .conftest import API_KEY, URL

STATUSES = ("Pending", "Enriched", "Not found")
BY_STATUS = Selection(status_attribute="enrichment_status")
PROVIDER_CSV = (
    "domain,description,categories,employee_count,linkedin\n"
    "acme.com,Makes anvils,SaaS;B2B,120,https://linkedin.com/company/acme\n"
    "https://www.initech.com,Printers and TPS reports,Enterprise,300,\n"
)


@pytest.fixture
def client(app: EmulatorApp) -> Iterator[AttioClient]:
    """A sync client on ``app``: companies have an ``enrichment_status`` select (Pending,
    Enriched, Not found) and an ``employee_count`` number, and there is a ``to_enrich`` list of
    companies; the journal starts empty."""
    transport = SyncASGITransport(app)
    with AttioClient(
        api_key=API_KEY,
        base_url=URL,
        transport=transport,
        rate_limit_backend="memory",
        read_rate=0,
        write_rate=0,
    ) as attio:
        attio.attributes.create(
            "objects", "companies", attribute_body("enrichment_status", "select")
        )
        for title in STATUSES:
            attio.attributes.create_option("objects", "companies", "enrichment_status", title=title)
        attio.attributes.create("objects", "companies", attribute_body("employee_count", "number"))
        attio.lists.create(name="To enrich", api_slug="to_enrich", parent_object="companies")
        app.state.journal.entries.clear()
        yield attio
    transport.close()


@pytest.fixture
def services(client: AttioClient) -> Services:
    """The sync services."""
    return Services(client)


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


def company(services: Services, domain: str, **values: Any) -> str:
    """The id of the company ``domain``, made with ``values``."""
    return services.companies.upsert(domain, domain.split(".")[0].title(), **values).record_id


def row(services: Services, record_id: str) -> dict[str, Any]:
    """The company as the workspace holds it now, decoded."""
    return decode_record(
        services.schema, services.context.client.records.get("companies", record_id)
    )


def notes_of(client: AttioClient, record_id: str) -> list[tuple[str, str]]:
    """(title, plain text) of the company's notes."""
    return [
        (n.title, n.content_plaintext)
        for n in client.notes.iter(parent_object="companies", parent_record_id=record_id)
    ]


def test_status_selection_enriches_pending_and_marks_found_and_not_found(
    services: Services, client: AttioClient, provider: FileProvider
) -> None:
    """Pending companies the file knows get its values, a note and "Enriched"; a pending one
    it does not know becomes "Not found"; a company that is not pending is left alone."""
    acme = company(services, "acme.com", enrichment_status="Pending")
    globex = company(services, "globex.com", enrichment_status="Pending")
    initech = company(services, "initech.com")  # no status: not selected

    report = enrich_records(services, object="companies", provider=provider, selection=BY_STATUS)

    outcomes = {r.record_id: r.outcome for r in report.results}
    assert outcomes == {acme: "enriched", globex: "not_found"}
    got = row(services, acme)
    assert got["description"] == "Makes anvils"
    assert sorted(got["categories"]) == ["B2B", "SaaS"]
    assert got["employee_count"] == 120
    assert got["linkedin"] == "https://linkedin.com/company/acme"
    assert got["enrichment_status"] == "Enriched"
    assert row(services, globex)["enrichment_status"] == "Not found"
    assert row(services, globex)["description"] is None
    untouched = row(services, initech)
    assert untouched["description"] is None
    assert untouched["enrichment_status"] is None
    [(title, text)] = notes_of(client, acme)
    assert title == "Enriched from firmographics.csv"
    assert "Source: firmographics.csv" in text
    assert "Fields set: description, categories, employee_count, linkedin" in text
    assert notes_of(client, globex) == []


def test_list_selection_enriches_the_list_records_only(
    services: Services, client: AttioClient, provider: FileProvider
) -> None:
    """With a list and no status attribute, the list's companies are enriched (the website
    column matches initech.com) and a company outside the list is not; no status is set."""
    initech = company(services, "initech.com")
    acme = company(services, "acme.com")  # not in the list
    services.lists.add("to_enrich", initech)

    report = enrich_records(
        services, object="companies", provider=provider, selection=Selection(list="to_enrich")
    )

    assert [(r.record_id, r.outcome, r.status) for r in report.results] == [
        (initech, "enriched", None)
    ]
    got = row(services, initech)
    assert got["description"] == "Printers and TPS reports"
    assert got["categories"] == ["Enterprise"]
    assert got["employee_count"] == 300
    assert got["enrichment_status"] is None
    assert row(services, acme)["description"] is None


def test_list_and_status_select_the_pending_records_of_the_list(
    services: Services, provider: FileProvider
) -> None:
    """With both, only the list's companies that are pending are enriched."""
    acme = company(services, "acme.com", enrichment_status="Pending")
    initech = company(services, "initech.com", enrichment_status="Enriched")
    outside = company(services, "globex.com", enrichment_status="Pending")
    services.lists.add("to_enrich", acme)
    services.lists.add("to_enrich", initech)

    selection = Selection(list="to_enrich", status_attribute="enrichment_status")
    report = enrich_records(services, object="companies", provider=provider, selection=selection)

    assert [r.record_id for r in report.results] == [acme]
    assert row(services, initech)["description"] is None
    assert row(services, outside)["enrichment_status"] == "Pending"


def test_values_held_are_kept_unless_overwrite(
    services: Services, client: AttioClient, provider: FileProvider
) -> None:
    """A description and categories already set survive a run (reported as kept); with
    ``overwrite=True`` the description is replaced and the categories replaced, not added to."""
    acme = company(services, "acme.com", description="Our own words", categories=["Retail"])
    services.lists.add("to_enrich", acme)
    selection = Selection(list="to_enrich")

    kept = enrich_records(services, object="companies", provider=provider, selection=selection)
    [result] = kept.results
    assert sorted(result.kept) == ["categories", "description"]
    got = row(services, acme)
    assert got["description"] == "Our own words"
    assert got["categories"] == ["Retail"]
    assert got["employee_count"] == 120  # was empty: set

    replaced = enrich_records(
        services, object="companies", provider=provider, selection=selection, overwrite=True
    )
    [result] = replaced.results
    assert result.outcome == "enriched"
    assert sorted(result.changes) == ["categories", "description"]
    got = row(services, acme)
    assert got["description"] == "Makes anvils"
    assert sorted(got["categories"]) == ["B2B", "SaaS"]


def test_invalid_provider_values_are_reported_and_the_others_written(
    services: Services, tmp_path: Path
) -> None:
    """A value the attribute cannot take (a word for a number, an unknown category) is
    reported and not sent; the record's other values are still written."""
    path = tmp_path / "bad.csv"
    path.write_text(
        "domain,description,employee_count,categories\nacme.com,Anvils,lots,Spaceships\n",
        encoding="utf-8",
    )
    acme = company(services, "acme.com", enrichment_status="Pending")

    report = enrich_records(
        services, object="companies", provider=FileProvider(path), selection=BY_STATUS
    )

    [result] = report.results
    assert result.outcome == "enriched"
    assert list(result.changes) == ["description"]
    assert len(result.invalid) == 2
    assert any(p.startswith("employee_count='lots'") for p in result.invalid)
    assert any("Spaceships" in p for p in result.invalid)
    got = row(services, acme)
    assert got["description"] == "Anvils"
    assert got["employee_count"] is None
    assert got["categories"] == []
    assert got["enrichment_status"] == "Enriched"


def test_rerun_changes_nothing(
    services: Services, client: AttioClient, app: EmulatorApp, provider: FileProvider
) -> None:
    """A second run over the same list writes nothing, even with ``overwrite``: values equal,
    note and status there."""
    acme = company(services, "acme.com", enrichment_status="Pending")
    globex = company(services, "globex.com", enrichment_status="Pending")
    for record_id in (acme, globex):
        services.lists.add("to_enrich", record_id)
    selection = Selection(list="to_enrich", status_attribute="enrichment_status")
    every = Selection(list="to_enrich")
    enrich_records(services, object="companies", provider=provider, selection=selection)
    before = len(writes(app))

    # By status nothing is pending any more; by list alone both are looked at again.
    again = enrich_records(services, object="companies", provider=provider, selection=selection)
    assert again.results == []
    also = enrich_records(services, object="companies", provider=provider, selection=every)
    assert {r.record_id: r.outcome for r in also.results} == {
        acme: "unchanged",
        globex: "not_found",
    }
    # Even allowed to overwrite, values equal to the provider's are not sent again.
    forced = enrich_records(
        services, object="companies", provider=provider, selection=every, overwrite=True
    )
    assert [r.changes for r in forced.results] == [{}, {}]
    assert writes(app)[before:] == []
    assert len(notes_of(client, acme)) == 1


def test_dry_run_reports_the_changes_and_writes_nothing(
    services: Services, app: EmulatorApp, provider: FileProvider
) -> None:
    """A dry run lists what would be set and the status it would mark, sending no write."""
    acme = company(services, "acme.com", enrichment_status="Pending")
    globex = company(services, "globex.com", enrichment_status="Pending")
    before = len(writes(app))

    report = enrich_records(
        services, object="companies", provider=provider, selection=BY_STATUS, dry_run=True
    )

    assert writes(app)[before:] == []
    by_id = {r.record_id: r for r in report.results}
    assert by_id[acme].changes["description"] == "Makes anvils"
    assert by_id[acme].status == "Enriched"
    assert by_id[acme].note is True
    assert by_id[globex].status == "Not found"
    assert row(services, acme)["description"] is None
    assert row(services, acme)["enrichment_status"] == "Pending"


def test_mapping_names_provider_fields_for_attributes(services: Services, tmp_path: Path) -> None:
    """A given mapping sends a field of any name to its attribute; unmapped fields are
    reported as ignored."""
    path = tmp_path / "data.json"
    path.write_text(
        json.dumps([{"site": "acme.com", "blurb": "Anvils", "hq": "Springfield"}]),
        encoding="utf-8",
    )
    acme = company(services, "acme.com", enrichment_status="Pending")
    provider = FileProvider(path, column="site", name="Blurbs")

    report = enrich_records(
        services,
        object="companies",
        provider=provider,
        selection=BY_STATUS,
        mapping={"blurb": "description"},
    )

    [result] = report.results
    assert result.ignored == ["hq"]
    assert row(services, acme)["description"] == "Anvils"


def test_people_are_enriched_by_email_from_json_lines(
    services: Services, client: AttioClient, tmp_path: Path
) -> None:
    """A JSON Lines file keyed by email enriches people; the email column's case is ignored."""
    path = tmp_path / "people.jsonl"
    path.write_text(
        json.dumps({"email": "ADA@acme.com", "job_title": "CTO", "twitter": "@ada"}) + "\n",
        encoding="utf-8",
    )
    ada = services.people.upsert(email="ada@acme.com", name="Ada Lovelace")
    client.lists.create(name="People", api_slug="people_to_enrich", parent_object="people")
    services.schema.refresh()
    services.lists.add("people_to_enrich", ada)

    report = enrich_records(
        services,
        object="people",
        provider=FileProvider(path, key="email"),
        selection=Selection(list="people_to_enrich"),
    )

    assert [r.outcome for r in report.results] == ["enriched"]
    got = decode_record(services.schema, client.records.get("people", ada.record_id))
    assert got["job_title"] == "CTO"
    assert got["twitter"] == "@ada"


class Flaky:
    """A provider (any class with ``name`` and ``lookup``) failing for one domain."""

    name = "Flaky API"

    def lookup(self, target: EnrichmentTarget) -> Mapping[str, Any] | None:
        if "globex.com" in target.domains:
            raise ConnectionError("upstream timed out")
        return {"description": f"About {target.domains[0]}"}


def test_a_failing_provider_fails_its_record_only(services: Services) -> None:
    """A provider error fails that record, with the reason, and leaves it pending; the other
    records are enriched."""
    acme = company(services, "acme.com", enrichment_status="Pending")
    globex = company(services, "globex.com", enrichment_status="Pending")
    flaky: EnrichmentProvider = Flaky()

    report = enrich_records(services, object="companies", provider=flaky, selection=BY_STATUS)

    by_id = {r.record_id: r for r in report.results}
    assert by_id[globex].outcome == "failed"
    assert by_id[globex].reason == "Flaky API: upstream timed out"
    assert row(services, globex)["enrichment_status"] == "Pending"
    assert row(services, acme)["description"] == "About acme.com"
    assert report.counts() == {"enriched": 1, "not_found": 0, "unchanged": 0, "failed": 1}


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"selection": Selection()}, ValueError, "give a list, a status attribute"),
        (
            {"selection": Selection(status_attribute="enrichment_state")},
            KeyError,
            'Did you mean "enrichment_status"',
        ),
        ({"selection": Selection(status_attribute="description")}, ValueError, "text attribute"),
        ({"selection": Selection(list="missing")}, KeyError, "no list 'missing'"),
        ({"selection": BY_STATUS, "mapping": {"x": "nope"}}, KeyError, "'nope'"),
        (
            {"selection": Selection(status_attribute="enrichment_status", done="Done")},
            ValuesError,
            "Done",
        ),
    ],
)
def test_bad_setup_fails_before_any_write(
    services: Services,
    app: EmulatorApp,
    provider: FileProvider,
    kwargs: dict[str, Any],
    error: type[Exception],
    match: str,
) -> None:
    """No selection, unknown attributes, lists or status titles raise before the first write."""
    company(services, "acme.com", enrichment_status="Pending")
    before = len(writes(app))
    with pytest.raises(error, match=match):
        enrich_records(services, object="companies", provider=provider, **kwargs)
    assert writes(app)[before:] == []


def test_file_provider_reads_semicolons_latin1_and_json_arrays(tmp_path: Path) -> None:
    """The file provider reads a Latin-1 CSV with ``;`` and a JSON array, keyed by domain
    (the key column's name in any case), and refuses a file without a key column, naming its
    columns."""
    csv_path = tmp_path / "eu.csv"
    csv_path.write_bytes("Website;Description\nwww.cafe.fr;Crème brûlée\n".encode("latin-1"))
    target = EnrichmentTarget("companies", "id", {"domains": ["cafe.fr"]})
    assert FileProvider(csv_path).lookup(target) == {"Description": "Crème brûlée"}

    json_path = tmp_path / "list.json"
    json_path.write_text(json.dumps([{"domain": "cafe.fr", "twitter": "@cafe"}]), "utf-8")
    assert FileProvider(json_path).lookup(target) == {"twitter": "@cafe"}
    elsewhere = EnrichmentTarget("companies", "id", {"domains": ["other.fr"]})
    assert FileProvider(json_path).lookup(elsewhere) is None

    with pytest.raises(ValueError, match=r"no email or email_address.*columns are: domain"):
        FileProvider(json_path, key="email")


def test_the_same_change_again_adds_no_second_note(services: Services, tmp_path: Path) -> None:
    """When a value is cleared and enrichment sets it again, the note of that same change is
    found rather than written twice (as after a run that failed before marking the status)."""
    path = tmp_path / "one.csv"
    path.write_text("domain,description\nacme.com,Anvils\n", encoding="utf-8")
    acme = company(services, "acme.com")
    services.lists.add("to_enrich", acme)
    selection = Selection(list="to_enrich")
    enrich_records(services, object="companies", provider=FileProvider(path), selection=selection)
    services.companies.update(acme, description=None)

    report = enrich_records(
        services, object="companies", provider=FileProvider(path), selection=selection
    )

    [result] = report.results
    assert result.outcome == "enriched"
    assert result.note is False
    assert row(services, acme)["description"] == "Anvils"
    assert len(notes_of(services.context.client, acme)) == 1


def test_load_provider_finds_an_installed_provider_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package registering a provider in ``attio_bridge.enrichment_providers`` is found by
    name and made with the options given; an unknown name says which are installed."""
    (tmp_path / "acme_enrich.py").write_text(
        "class Provider:\n"
        "    def __init__(self, token):\n"
        "        self.name = 'Acme data (' + token + ')'\n"
        "    def lookup(self, target):\n"
        "        return {'description': 'from the plugin'}\n",
        encoding="utf-8",
    )
    info = tmp_path / "acme_enrich-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-enrich\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[attio_bridge.enrichment_providers]\nacme = acme_enrich:Provider\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    provider = load_provider("acme", token="t1")

    assert provider.name == "Acme data (t1)"
    target = EnrichmentTarget("companies", "id", {"domains": ["x.com"]})
    assert provider.lookup(target) == {"description": "from the plugin"}
    with pytest.raises(KeyError, match=r"no enrichment provider 'other'.*acme"):
        load_provider("other")
