"""Deals: create with value, stage, close date, company and owner; change the stage and the
probability; the errors (unknown stage lists the valid ones, unknown owner lists the members,
attributes the workspace lacks say how to add them)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.services import AsyncServices, Services
from attio_bridge.values import ValuesError, decode_record

from .conftest import add_deal_attributes, writes

pytestmark = pytest.mark.anyio


async def test_create_with_company_domain_and_owner_email(
    aservices: AsyncServices, client: AttioClient, member_email: str
) -> None:
    deal = await aservices.deals.create(
        "Acme renewal", Decimal("12500.50"), "in progress", company="acme.com", owner=member_email
    )
    schema = await aservices.schema.get()
    row = decode_record(schema, client.records.get("deals", deal.record_id))
    assert row["name"] == "Acme renewal"
    assert row["value"] == Decimal("12500.50")
    assert row["stage"] == "In Progress"
    member = client.workspace_members.list()[0]
    assert row["owner"] == member.id["workspace_member_id"]
    company = decode_record(schema, client.records.query("companies")[0])
    assert company["domains"] == ["acme.com"]
    assert row["associated_company"] == company["record_id"]
    assert company["associated_deals"] == [deal.record_id]


async def test_unknown_stage_lists_the_valid_ones_and_writes_nothing(
    aservices: AsyncServices, app: EmulatorApp, member_email: str
) -> None:
    with pytest.raises(ValuesError) as caught:
        await aservices.deals.create(
            "Acme", 100, "Negotiation", company="acme.com", owner=member_email
        )
    (problem,) = caught.value.problems
    assert problem.field == "stage"
    assert problem.fix == 'Use one of: "Lead", "In Progress", "Won 🎉", "Lost".'
    assert writes(app) == []


async def test_check_gives_what_create_would_write_and_writes_nothing(
    aservices: AsyncServices, app: EmulatorApp, client: AttioClient, member_email: str
) -> None:
    """``check`` resolves the owner and names the close-date attribute as ``create`` does, and
    refuses what ``create`` refuses, without a write either way."""
    add_deal_attributes(client)
    before = writes(app)
    member = (await aservices.context.client.workspace_members.list())[0]
    data = await aservices.deals.check("Acme", 100, "Lead", date(2026, 12, 31), owner=member_email)
    assert data == {
        "name": "Acme",
        "value": 100,
        "stage": "Lead",
        "close_date": date(2026, 12, 31),
        "owner": member.id["workspace_member_id"],
    }
    with pytest.raises(ValuesError) as caught:
        await aservices.deals.check("Acme", 100, "Negotiation", owner="someone@else.com")
    assert {p.field for p in caught.value.problems} == {"stage", "owner"}
    assert writes(app) == before


async def test_unknown_owner_lists_the_members(aservices: AsyncServices, member_email: str) -> None:
    with pytest.raises(ValuesError) as caught:
        await aservices.deals.create("Acme", 100, "Lead", owner="someone@else.com")
    (problem,) = caught.value.problems
    assert problem.field == "owner"
    assert member_email in problem.fix


async def test_missing_required_values_are_named(aservices: AsyncServices) -> None:
    with pytest.raises(ValuesError) as caught:
        await aservices.deals.create("Acme", 100)
    assert {p.field for p in caught.value.problems} == {"stage", "owner"}
    assert all(p.code == "missing_required" for p in caught.value.problems)


async def test_close_date_needs_the_attribute(
    aservices: AsyncServices, client: AttioClient, member_email: str
) -> None:
    with pytest.raises(ValuesError) as caught:
        await aservices.deals.create("Acme", 100, "Lead", date(2027, 3, 31), owner=member_email)
    (problem,) = caught.value.problems
    assert problem.field == "close_date"
    assert 'Create a date or timestamp attribute "close_date" on deals' in problem.fix
    add_deal_attributes(client)
    aservices.schema.invalidate()
    deal = await aservices.deals.create("Acme", 100, "Lead", date(2027, 3, 31), owner=member_email)
    assert decode_record(await aservices.schema.get(), deal)["close_date"] == date(2027, 3, 31)


async def test_update_stage_and_probability(
    aservices: AsyncServices, client: AttioClient, member_email: str
) -> None:
    deal = await aservices.deals.create("Acme", 100, "Lead", owner=member_email)
    moved = await aservices.deals.update_stage(deal.record_id, "won 🎉")
    assert decode_record(await aservices.schema.get(), moved)["stage"] == "Won 🎉"
    with pytest.raises(ValuesError) as caught:
        await aservices.deals.update_stage(deal, "Lost", probability=0)
    (problem,) = caught.value.problems
    assert (problem.field, problem.code) == ("probability", "unknown_attribute")
    assert 'number or rating attribute "probability"' in problem.fix
    # Nothing was changed by the refused call.
    current = decode_record(
        await aservices.schema.get(), client.records.get("deals", deal.record_id)
    )
    assert current["stage"] == "Won 🎉"
    add_deal_attributes(client)
    aservices.schema.invalidate()
    updated = await aservices.deals.update_stage(deal, "Lost", probability=0.25)
    row = decode_record(await aservices.schema.get(), updated)
    assert (row["stage"], row["probability"]) == ("Lost", 0.25)


async def test_update_stage_to_an_unknown_stage(
    aservices: AsyncServices, member_email: str
) -> None:
    deal = await aservices.deals.create("Acme", 100, "Lead", owner=member_email)
    with pytest.raises(ValuesError, match='Use one of: "Lead", "In Progress"'):
        await aservices.deals.update_stage(deal, "Signed")


def test_sync_deals(services: Services, member_email: str) -> None:
    deal = services.deals.create("Acme", 250, "Lead", company="acme.com", owner=member_email)
    moved = services.deals.update_stage(deal, "In Progress")
    row = decode_record(services.schema, moved)
    assert (row["stage"], row["value"]) == ("In Progress", Decimal(250))
    with pytest.raises(ValuesError, match="stage"):
        services.deals.update_stage(deal, "Nope")
