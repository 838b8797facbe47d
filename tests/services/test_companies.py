"""Companies: upsert by domain (taken from a URL), update, find by domain, search by name across
pages, and the errors for bad input."""

from __future__ import annotations

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.services import AsyncServices, ServiceError, Services
from attio_bridge.values import ValuesError, decode_record

from .conftest import writes

pytestmark = pytest.mark.anyio


async def test_upsert_by_url_then_again_updates_the_same_company(
    aservices: AsyncServices, client: AttioClient
) -> None:
    first = await aservices.companies.upsert("https://www.Acme.com/about?x=1", name="Acme")
    again = await aservices.companies.upsert("acme.com", name="Acme Corp", categories=["SaaS"])
    assert again.record_id == first.record_id
    assert len(client.records.query("companies")) == 1
    row = decode_record(await aservices.schema.get(), again)
    assert row["domains"] == ["acme.com"]
    assert row["name"] == "Acme Corp"
    assert row["categories"] == ["SaaS"]


async def test_update_by_id_and_by_domain(aservices: AsyncServices) -> None:
    acme = await aservices.companies.upsert("acme.com", name="Acme")
    by_id = await aservices.companies.update(acme.record_id, description="Anvils")
    by_domain = await aservices.companies.update("https://acme.com", name="Acme Anvils")
    assert by_id.record_id == by_domain.record_id == acme.record_id
    row = decode_record(await aservices.schema.get(), by_domain)
    assert (row["name"], row["description"]) == ("Acme Anvils", "Anvils")


async def test_updating_an_unknown_domain_says_to_upsert(aservices: AsyncServices) -> None:
    with pytest.raises(ServiceError, match=r"no company has the domain 'nowhere.com'.*upsert"):
        await aservices.companies.update("nowhere.com", name="X")


async def test_find_by_domain(aservices: AsyncServices) -> None:
    acme = await aservices.companies.upsert("acme.com")
    found = await aservices.companies.find_by_domain("https://www.acme.com/")
    assert found is not None and found.record_id == acme.record_id
    assert await aservices.companies.find_by_domain("globex.com") is None


async def test_search_by_name_reads_every_page(aservices: AsyncServices, app: EmulatorApp) -> None:
    for i in range(7):
        await aservices.companies.upsert(f"acme{i}.com", name=f"ACME Branch {i}")
    await aservices.companies.upsert("globex.com", name="Globex")
    app.state.journal.entries.clear()
    found = await aservices.companies.search_by_name("acme", page_size=3)
    schema = await aservices.schema.get()
    names = sorted(decode_record(schema, r)["name"] for r in found)
    assert names == [f"ACME Branch {i}" for i in range(7)]
    queries = [e for e in app.state.journal.render() if e["path"].endswith("/query")]
    assert len(queries) == 3  # 3 + 3 + 1


async def test_bad_domain_and_unknown_option_are_reported_together(
    aservices: AsyncServices, app: EmulatorApp
) -> None:
    with pytest.raises(ValuesError) as caught:
        await aservices.companies.upsert("not a domain", categories=["Saas", "Space"])
    problems = {(p.field, str(p.value)): p for p in caught.value.problems}
    assert ("domains", "not a domain") in problems
    space = problems[("categories", "Space")]
    assert space.code == "unknown_choice"
    assert '"SaaS"' in space.fix and '"Fintech"' in space.fix
    # "Saas" matches "SaaS" ignoring case, so it is no problem.
    assert ("categories", "Saas") not in problems
    assert writes(app) == []


def test_sync_companies(services: Services) -> None:
    acme = services.companies.upsert("acme.com", name="Acme")
    services.companies.upsert("acme.org", name="Acme Foundation")
    assert services.companies.upsert("www.acme.com").record_id == acme.record_id
    updated = services.companies.update(acme, description="Anvils")
    assert decode_record(services.schema, updated)["description"] == "Anvils"
    assert len(services.companies.search_by_name("Acme", page_size=1)) == 2
