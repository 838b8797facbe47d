"""Lists and pipelines: add, assert (no duplicate entry), update entry values, move between
lists, filter entries by entry values and by the parent record's values; the errors."""

from __future__ import annotations

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.client.models import Record
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.services import AsyncServices, ServiceError, Services
from attio_bridge.values import ValuesError, decode_entry

from .conftest import writes

pytestmark = pytest.mark.anyio


@pytest.fixture
async def acme(aservices: AsyncServices) -> Record:
    return await aservices.companies.upsert("acme.com", name="Acme", categories=["SaaS"])


async def _stage_of(aservices: AsyncServices, client: AttioClient, lst: str, rid: str) -> list[str]:
    schema = await aservices.schema.get()
    entries = client.entries.query(lst)
    return [decode_entry(schema, e)["stage"] for e in entries if e.parent_record_id == rid]


async def test_add_and_update_entry(
    aservices: AsyncServices, client: AttioClient, acme: Record
) -> None:
    entry = await aservices.lists.add("pipeline", acme, {"stage": "lead", "priority": "High"})
    row = decode_entry(await aservices.schema.get(), entry)
    assert (row["stage"], row["priority"], row["parent_object"]) == ("Lead", "High", "companies")
    assert row["parent_record_id"] == acme.record_id
    updated = await aservices.lists.update_entry("pipeline", entry.entry_id, {"stage": "Qualified"})
    row = decode_entry(await aservices.schema.get(), updated)
    assert (row["stage"], row["priority"]) == ("Qualified", "High")


async def test_assert_entry_twice_keeps_one_entry(
    aservices: AsyncServices, client: AttioClient, acme: Record
) -> None:
    first = await aservices.lists.assert_entry("pipeline", acme.record_id, {"stage": "Lead"})
    again = await aservices.lists.assert_entry("pipeline", acme.record_id, {"stage": "Closed"})
    assert again.entry_id == first.entry_id
    assert await _stage_of(aservices, client, "pipeline", acme.record_id) == ["Closed"]
    assert await aservices.lists.entry_ids("pipeline", acme) == [first.entry_id]


async def test_move_between_lists(
    aservices: AsyncServices, client: AttioClient, acme: Record
) -> None:
    await aservices.lists.add("prospects", acme, {"stage": "Qualified"})
    moved = await aservices.lists.move(acme, "prospects", "pipeline", {"stage": "Lead"})
    assert moved.parent_record_id == acme.record_id
    assert await aservices.lists.entry_ids("prospects", acme) == []
    assert await _stage_of(aservices, client, "pipeline", acme.record_id) == ["Lead"]
    # Running the move again (say after a retry) finishes it without a second entry.
    again = await aservices.lists.move(acme, "prospects", "pipeline", {"stage": "Qualified"})
    assert again.entry_id == moved.entry_id
    assert await _stage_of(aservices, client, "pipeline", acme.record_id) == ["Qualified"]


async def test_moving_a_record_that_is_in_neither_list(
    aservices: AsyncServices, app: EmulatorApp, acme: Record
) -> None:
    app.state.journal.entries.clear()
    with pytest.raises(ServiceError, match=r"not in list 'prospects'.*lists.add\('pipeline'"):
        await aservices.lists.move(acme, "prospects", "pipeline")
    assert writes(app) == []


async def test_moving_between_lists_of_different_objects(
    aservices: AsyncServices, acme: Record
) -> None:
    with pytest.raises(ServiceError, match="different objects"):
        await aservices.lists.move(acme, "pipeline", "big_deals")


async def test_filter_by_entry_value_and_by_parent_value(
    aservices: AsyncServices, acme: Record
) -> None:
    globex = await aservices.companies.upsert("globex.com", name="Globex", categories=["Retail"])
    initech = await aservices.companies.upsert("initech.com", name="Initech", categories=["SaaS"])
    await aservices.lists.add("pipeline", acme, {"stage": "Lead", "priority": "High"})
    await aservices.lists.add("pipeline", globex, {"stage": "Lead", "priority": "High"})
    await aservices.lists.add("pipeline", initech, {"stage": "Closed", "priority": "Low"})
    high = await aservices.lists.filter_entries("pipeline", {"priority": "High"})
    assert {e.parent_record_id for e in high} == {acme.record_id, globex.record_id}
    # "categories" is the companies' attribute, not the list's: filtered through the parent.
    saas = await aservices.lists.filter_entries("pipeline", {"categories": "SaaS"})
    assert {e.parent_record_id for e in saas} == {acme.record_id, initech.record_id}
    both = await aservices.lists.filter_entries(
        "pipeline", {"categories": "SaaS", "priority": "High"}
    )
    assert [e.parent_record_id for e in both] == [acme.record_id]


async def test_filter_deals_list_by_deal_value(aservices: AsyncServices, member_email: str) -> None:
    small = await aservices.deals.create("Small", 900, "Lead", owner=member_email)
    big = await aservices.deals.create("Big", 25000, "Lead", owner=member_email)
    bigger = await aservices.deals.create("Bigger", 40000, "Lead", owner=member_email)
    for deal in (small, big, bigger):
        await aservices.lists.add("big_deals", deal, {"note": deal.record_id})
    found = await aservices.lists.filter_entries(
        "big_deals", {"value": {"$gt": 10000}}, page_size=1
    )
    assert {e.parent_record_id for e in found} == {big.record_id, bigger.record_id}


async def test_errors_name_the_list_the_value_and_the_attribute(
    aservices: AsyncServices, app: EmulatorApp, acme: Record
) -> None:
    with pytest.raises(ServiceError, match=r"no list 'pipline'.*big_deals, pipeline, prospects"):
        await aservices.lists.add("pipline", acme)
    with pytest.raises(ValuesError) as caught:
        await aservices.lists.add("pipeline", acme, {"stage": "Won", "priorty": "High"})
    problems = {p.field: p for p in caught.value.problems}
    assert problems["stage"].fix == 'Use one of: "Lead", "Qualified", "Closed".'
    assert problems["priorty"].fix == 'Did you mean "priority"?'
    with pytest.raises(ValuesError, match='Did you mean "categories"'):
        await aservices.lists.filter_entries("pipeline", {"categoris": "SaaS"})
    assert writes(app) == [("PUT", "/v2/objects/companies/records")]


def test_sync_lists(services: Services) -> None:
    acme = services.companies.upsert("acme.com", categories=["SaaS"])
    services.lists.add("prospects", acme, {"stage": "Lead"})
    moved = services.lists.move(acme, "prospects", "pipeline", {"priority": "Low"})
    assert services.lists.entry_ids("prospects", acme) == []
    assert services.lists.entry_ids("pipeline", acme) == [moved.entry_id]
    entry = services.lists.assert_entry("pipeline", acme, {"stage": "Qualified"})
    assert entry.entry_id == moved.entry_id
    found = services.lists.filter_entries("pipeline", {"stage": "Qualified"})
    assert [e.entry_id for e in found] == [moved.entry_id]
