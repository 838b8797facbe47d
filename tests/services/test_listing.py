"""Listing and changing records by their key: ``records.query`` (one page, sorted, filtered),
``records.find`` with sorts, ``people.update`` and ``people.delete`` by email address, and
``companies.delete`` giving back what it deleted."""

from __future__ import annotations

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.errors import MissingError
from attio_bridge.services import AsyncServices, Services
from attio_bridge.values import decode_record

pytestmark = pytest.mark.anyio

NAMES = ["Cobalt", "Acme", "Bolt", "Delta"]


async def test_query_gives_one_sorted_filtered_page(aservices: AsyncServices) -> None:
    for name in NAMES:
        await aservices.companies.upsert(f"{name.lower()}.com", name=name)
    by_name = [{"attribute": "name", "direction": "asc"}]
    page = await aservices.records.query("companies", sorts=by_name, limit=2, offset=1)
    schema = await aservices.schema.get()
    assert [decode_record(schema, r)["name"] for r in page] == ["Bolt", "Cobalt"]
    found = await aservices.records.query("companies", {"name": {"$contains": "o"}}, limit=10)
    assert sorted(decode_record(schema, r)["name"] for r in found) == ["Bolt", "Cobalt"]
    backwards = [{"attribute": "name", "direction": "desc"}]
    every = await aservices.records.find("companies", sorts=backwards, page_size=1)
    assert [decode_record(schema, r)["name"] for r in every] == sorted(NAMES, reverse=True)


async def test_query_of_an_unknown_object_names_the_objects(aservices: AsyncServices) -> None:
    with pytest.raises(MissingError, match=r"its objects are: .*people"):
        await aservices.records.query("peeple")


def test_people_update_and_delete_by_email(services: Services, client: AttioClient) -> None:
    ada = services.people.upsert("ada@acme.com", name="Ada Lovelace")
    updated = services.people.update("ADA@acme.com", job_title="CTO")
    assert updated.record_id == ada.record_id
    assert decode_record(services.schema, updated)["job_title"] == "CTO"
    deleted = services.people.delete("ada@acme.com")
    assert deleted.record_id == ada.record_id
    assert client.records.query("people") == []
    assert services.people.find_by_email("ada@acme.com") is None


def test_a_person_nobody_has_is_missing(services: Services) -> None:
    with pytest.raises(MissingError, match=r"no person has the email address 'nobody@acme\.com'"):
        services.people.update("nobody@acme.com", job_title="CTO")
    with pytest.raises(MissingError, match="no person has the email address"):
        services.people.delete("nobody@acme.com")


def test_companies_delete_gives_the_deleted_record(services: Services) -> None:
    acme = services.companies.upsert("acme.com", name="Acme")
    deleted = services.companies.delete("https://www.acme.com/")
    assert deleted.record_id == acme.record_id
    assert services.companies.find_by_domain("acme.com") is None
