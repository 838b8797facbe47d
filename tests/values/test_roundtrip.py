"""Round trips against the emulator: plain Python -> encode -> write -> read -> decode gives the
input back, for every attribute type; and a decoded row encoded again writes the same values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from attio_bridge.client import AsyncAttioClient
from attio_bridge.values import (
    AsyncSchemaCache,
    EncodeOptions,
    SchemaCache,
    ValuesError,
    decode_entry,
    decode_history,
    decode_record,
    decode_value,
    encode_values,
)

from .conftest import Workspace

GB = EncodeOptions(default_region="GB")


@pytest.fixture
def cache(ws: Workspace) -> SchemaCache:
    return SchemaCache(ws.client)


@pytest.fixture
def acme(ws: Workspace, cache: SchemaCache) -> str:
    """A company with the domain acme.com; its record id."""
    values = encode_values(cache, "companies", {"name": "Acme", "domains": "acme.com"})
    return ws.client.records.create("companies", values).record_id


@pytest.fixture
def ada(ws: Workspace, cache: SchemaCache) -> str:
    """A person with the email ada@acme.com; her record id."""
    values = encode_values(
        cache, "people", {"name": "Ada Lovelace", "email_addresses": "ada@acme.com"}
    )
    return ws.client.records.create("people", values).record_id


def _write_gadget(ws: Workspace, cache: SchemaCache, data: dict[str, Any]) -> dict[str, Any]:
    values = encode_values(cache, "gadgets", {"label": "g"} | data, create=True, options=GB)
    created = ws.client.records.create("gadgets", values)
    return decode_record(cache, ws.client.records.get("gadgets", created.record_id))


# (attribute, plain Python written, what decoding gives back)
CUSTOM_CASES: list[tuple[str, Any, Any]] = [
    ("label", "Widget ✓", "Widget ✓"),
    ("weight", 2.5, 2.5),
    ("weight", Decimal("7"), 7),
    ("weight", -3, -3),
    ("active", True, True),
    ("active", False, False),
    ("price", Decimal("1234.5678"), Decimal("1234.5678")),
    ("price", Decimal("0.10"), Decimal("0.1")),
    ("price", 19, Decimal("19")),
    ("price", "4.99", Decimal("4.99")),
    ("launched_on", date(2024, 2, 29), date(2024, 2, 29)),
    ("launched_on", "2023", date(2023, 1, 1)),
    # 23:00 at UTC-10 is already the next day in UTC, as Attio stores it.
    (
        "launched_on",
        datetime(2023, 1, 2, 23, 0, tzinfo=timezone(timedelta(hours=-10))),
        date(2023, 1, 3),
    ),
    (
        "seen_at",
        datetime(2024, 3, 1, 9, 30, 15, 123456, tzinfo=UTC),
        datetime(2024, 3, 1, 9, 30, 15, 123456, tzinfo=UTC),
    ),
    (
        "seen_at",
        datetime(2024, 7, 1, 12, 0, tzinfo=ZoneInfo("Europe/Berlin")),
        datetime(2024, 7, 1, 10, 0, tzinfo=UTC),
    ),
    ("seen_at", "2024-01-31T09:30:00+01:00", datetime(2024, 1, 31, 8, 30, tzinfo=UTC)),
    ("score", 4, 4),
    ("score", 0, 0),
    ("colour", "Green", "Green"),
    ("colour", "  bLuE ", "Blue"),
    ("tags", ["Beta", "hardware"], ["Beta", "Hardware"]),
    ("tags", "Software", ["Software"]),
    (
        "site",
        {
            "line_1": "1 Main Street",
            "city": "London",
            "postcode": "N1 9GU",
            "country_code": "gb",
            "latitude": 51.5,
            "longitude": "-0.1",
        },
        {
            "line_1": "1 Main Street",
            "line_2": None,
            "line_3": None,
            "line_4": None,
            "locality": "London",
            "region": None,
            "postcode": "N1 9GU",
            "country_code": "GB",
            "latitude": "51.5",
            "longitude": "-0.1",
        },
    ),
    ("homepage", "https://www.Example.org/about?x=1", "example.org"),
    ("homepage", "docs.example.co.uk", "docs.example.co.uk"),
    ("contact", "ada@acme.com", "ada@acme.com"),
    ("hotline", "+44 20 7946 0958", "+442079460958"),
    ("hotline", "020 7946 0958", "+442079460958"),  # default region GB
    ("serial", "SN-1", "SN-1"),
]


@pytest.mark.parametrize(("slug", "given", "expected"), CUSTOM_CASES)
def test_custom_attribute_round_trip(
    ws: Workspace, cache: SchemaCache, slug: str, given: Any, expected: Any
) -> None:
    row = _write_gadget(ws, cache, {slug: given})
    assert row[slug] == expected
    assert type(row[slug]) is type(expected)


def test_timestamp_naive_uses_default_zone(ws: Workspace, cache: SchemaCache) -> None:
    options = EncodeOptions(default_timezone=ZoneInfo("America/New_York"))
    values = encode_values(
        cache, "gadgets", {"label": "g", "seen_at": datetime(2024, 1, 15, 9, 0)}, options=options
    )
    row = decode_record(cache, ws.client.records.create("gadgets", values))
    assert row["seen_at"] == datetime(2024, 1, 15, 14, 0, tzinfo=UTC)
    assert row["seen_at"].tzinfo is not None


def test_location_from_a_string(ws: Workspace, cache: SchemaCache) -> None:
    row = _write_gadget(ws, cache, {"site": "1 Main Street, London, N1 9GU, GB"})
    assert row["site"]["locality"] == "London"
    assert row["site"]["country_code"] == "GB"
    assert set(row["site"]) >= {"line_1", "latitude", "longitude"}


def test_record_references_by_unique_value_and_id(
    ws: Workspace, cache: SchemaCache, acme: str, ada: str
) -> None:
    row = _write_gadget(
        ws, cache, {"maker": "https://www.acme.com/pricing", "owners": "ADA@acme.com"}
    )
    assert row["maker"] == acme
    assert row["owners"] == [ada]
    row = _write_gadget(ws, cache, {"maker": acme, "owners": [ada]})
    assert (row["maker"], row["owners"]) == (acme, [ada])
    record = ws.client.records.get("companies", acme)
    row = _write_gadget(ws, cache, {"maker": record, "owners": {"target_record_id": ada}})
    assert (row["maker"], row["owners"]) == (acme, [ada])


def test_record_reference_payload_forms(cache: SchemaCache, acme: str) -> None:
    values = encode_values(cache, "gadgets", {"maker": "acme.com", "owners": ["b@c.io"]})
    assert values["maker"] == {"target_object": "companies", "domains": [{"domain": "acme.com"}]}
    assert values["owners"] == [
        {"target_object": "people", "email_addresses": [{"email_address": "b@c.io"}]}
    ]
    values = encode_values(cache, "gadgets", {"maker": acme})
    assert values["maker"] == {"target_object": "companies", "target_record_id": acme}


def test_reference_allowing_several_objects_picks_the_target_by_the_value(
    ws: Workspace, cache: SchemaCache, acme: str, ada: str
) -> None:
    assert _write_gadget(ws, cache, {"related": "ada@acme.com"})["related"] == ada
    assert _write_gadget(ws, cache, {"related": "www.acme.com"})["related"] == acme
    given = {"target_object": "companies", "target_record_id": acme}
    assert _write_gadget(ws, cache, {"related": given})["related"] == acme
    # A bare id does not say which object it belongs to.
    with pytest.raises(ValuesError) as caught:
        encode_values(cache, "gadgets", {"related": acme})
    assert caught.value.problems[0].fix == (
        'Give {"target_object": <one of people, companies>, "target_record_id": ...}.'
    )


def test_actor_reference_by_email_and_id(ws: Workspace, cache: SchemaCache) -> None:
    assert _write_gadget(ws, cache, {"steward": ws.member_email})["steward"] == ws.member_id
    assert _write_gadget(ws, cache, {"steward": ws.member_id})["steward"] == ws.member_id


@pytest.mark.parametrize(
    "name",
    ["Ada Lovelace", "Lovelace, Ada", {"first_name": "Ada", "last_name": "Lovelace"}],
)
def test_personal_name(ws: Workspace, cache: SchemaCache, name: Any) -> None:
    values = encode_values(cache, "people", {"name": name})
    row = decode_record(cache, ws.client.records.create("people", values))
    assert (row["first_name"], row["last_name"], row["full_name"]) == (
        "Ada",
        "Lovelace",
        "Ada Lovelace",
    )


def test_person_with_emails_phones_and_company(
    ws: Workspace, cache: SchemaCache, acme: str
) -> None:
    data = {
        "name": "Grace Brewster Hopper",
        "email_addresses": ["grace@acme.com", "G.Hopper@Navy.mil"],
        "phone_numbers": ["+1 415 555 2671", "020 7946 0958"],
        "company": "acme.com",
        "job_title": "Admiral",
    }
    values = encode_values(cache, "people", data, create=True, options=GB)
    row = decode_record(cache, ws.client.records.create("people", values))
    assert row["first_name"] == "Grace Brewster"
    assert row["last_name"] == "Hopper"
    assert sorted(row["email_addresses"]) == ["g.hopper@navy.mil", "grace@acme.com"]
    assert sorted(row["phone_numbers"]) == ["+14155552671", "+442079460958"]
    assert row["company"] == acme
    assert row["job_title"] == "Admiral"


def test_company_domains_from_urls(ws: Workspace, cache: SchemaCache) -> None:
    values = encode_values(
        cache,
        "companies",
        {"name": "Initech", "domains": ["https://www.initech.com/", "initech.io"]},
    )
    row = decode_record(cache, ws.client.records.create("companies", values))
    assert sorted(row["domains"]) == ["initech.com", "initech.io"]


def test_deal_status_actor_currency_and_company(
    ws: Workspace, cache: SchemaCache, acme: str, ada: str
) -> None:
    data = {
        "name": "Big deal",
        "stage": "won 🎉",
        "owner": ws.member_email,
        "value": Decimal("25000.50"),
        "associated_company": "acme.com",
        "associated_people": ["ada@acme.com"],
    }
    values = encode_values(cache, "deals", data, create=True)
    row = decode_record(cache, ws.client.records.create("deals", values))
    assert row["stage"] == "Won 🎉"
    assert row["owner"] == ws.member_id
    assert row["value"] == Decimal("25000.5")
    assert row["associated_company"] == acme
    assert row["associated_people"] == [ada]


def test_list_entry_status_and_select(ws: Workspace, cache: SchemaCache, acme: str) -> None:
    entry_values = encode_values(cache, "pipeline", {"stage": "qualified", "priority": "HIGH"})
    entry = ws.client.entries.create(
        "pipeline", parent_record_id=acme, parent_object="companies", entry_values=entry_values
    )
    row = decode_entry(cache, ws.client.entries.get("pipeline", entry.entry_id))
    assert row["stage"] == "Qualified"
    assert row["priority"] == "High"
    assert row["parent_record_id"] == acme
    assert row["parent_object"] == "companies"


def test_empty_values_decode_to_none_or_empty_list(ws: Workspace, cache: SchemaCache) -> None:
    row = _write_gadget(ws, cache, {})
    assert row["weight"] is None
    assert row["tags"] == []


def test_decoded_rows_encode_to_the_same_values(
    ws: Workspace, cache: SchemaCache, acme: str, ada: str
) -> None:
    given = {
        "weight": 1.25,
        "active": True,
        "price": Decimal("9.9900"),
        "launched_on": date(2020, 5, 17),
        "seen_at": datetime(2021, 6, 1, 8, 0, 1, 5, tzinfo=UTC),
        "score": 3,
        "colour": "Red",
        "tags": ["Hardware", "Beta"],
        "maker": acme,
        "owners": [ada],
        "steward": ws.member_email,
        "site": {"locality": "Paris", "country_code": "FR"},
        "homepage": "gadgets.example.com",
        "contact": "help@gadgets.example.com",
        "hotline": "+33 1 42 68 53 00",
        "serial": "SN-42",
    }
    row = _write_gadget(ws, cache, given)
    # Write the decoded row over a second record; it must read back identically.
    other = ws.client.records.create("gadgets", encode_values(cache, "gadgets", {"label": "x"}))
    values = encode_values(cache, "gadgets", {**row, "serial": "SN-43"}, ignore_read_only=True)
    ws.client.records.overwrite("gadgets", other.record_id, values)
    again = decode_record(cache, ws.client.records.get("gadgets", other.record_id))
    skip = {"record_id", "created_at", "created_by", "serial"}
    assert {k: v for k, v in again.items() if k not in skip} == {
        k: v for k, v in row.items() if k not in skip
    }


def test_decoded_person_and_deal_encode_to_the_same_values(
    ws: Workspace, cache: SchemaCache, acme: str
) -> None:
    person = {
        "name": "Ada Lovelace",
        "email_addresses": ["ada@acme.com"],
        "phone_numbers": ["+442079460958"],
        "company": acme,
    }
    row = decode_record(
        cache, ws.client.records.create("people", encode_values(cache, "people", person))
    )
    copy = {**row, "email_addresses": ["ada2@acme.com"]}
    second = ws.client.records.create(
        "people", encode_values(cache, "people", copy, ignore_read_only=True)
    )
    again = decode_record(cache, second)
    skip = {"record_id", "created_at", "created_by", "email_addresses"}
    assert {k: v for k, v in again.items() if k not in skip} == {
        k: v for k, v in row.items() if k not in skip
    }

    deal = {"name": "D", "stage": "Lead", "owner": ws.member_id, "value": Decimal("10.5")}
    row = decode_record(
        cache, ws.client.records.create("deals", encode_values(cache, "deals", deal))
    )
    again = decode_record(
        cache,
        ws.client.records.create(
            "deals", encode_values(cache, "deals", row, ignore_read_only=True)
        ),
    )
    skip = {"record_id", "created_at", "created_by"}
    assert {k: v for k, v in again.items() if k not in skip} == {
        k: v for k, v in row.items() if k not in skip
    }


def test_history_on_request(ws: Workspace, cache: SchemaCache) -> None:
    created = ws.client.records.create("gadgets", encode_values(cache, "gadgets", {"label": "one"}))
    for label in ("two", "three"):
        values = encode_values(cache, "gadgets", {"label": label})
        ws.client.records.update("gadgets", created.record_id, values)
    raw = ws.client.records.get_attribute_values(
        "gadgets", created.record_id, "label", show_historic=True
    )
    history = decode_history(raw)
    assert [h.value for h in history] == ["one", "two", "three"]
    assert all(h.active_until is not None for h in history[:-1])
    assert history[-1].active_until is None
    assert history[0].active_from is not None and history[0].active_from.tzinfo is not None
    assert history[1].active_from == history[0].active_until


@pytest.mark.anyio
async def test_async_cache_round_trip(aclient: AsyncAttioClient) -> None:
    cache = AsyncSchemaCache(aclient)
    schema = await cache.get()
    values = encode_values(schema, "companies", {"name": "Acme", "domains": "https://acme.com"})
    record = await aclient.records.create("companies", values)
    row = decode_record(schema, await aclient.records.get("companies", record.record_id))
    assert row["domains"] == ["acme.com"]
    assert row["name"] == "Acme"


def test_interaction_values_decode_but_cannot_be_written(ws: Workspace, cache: SchemaCache) -> None:
    with pytest.raises(ValuesError) as caught:
        encode_values(cache, "people", {"last_interaction": "2024-01-01"})
    assert caught.value.problems[0].code == "read_only"
    value = {
        "active_from": "2024-01-01T00:00:00.000000000Z",
        "active_until": None,
        "created_by_actor": {"type": "system", "id": None},
        "interaction_type": "email",
        "interacted_at": "2024-01-02T10:00:00.000000000Z",
        "owner_actor": {"type": "workspace-member", "id": ws.member_id},
        "attribute_type": "interaction",
    }
    assert decode_value(value) == {
        "interaction_type": "email",
        "interacted_at": datetime(2024, 1, 2, 10, 0, tzinfo=UTC),
        "owner_actor": {"type": "workspace-member", "id": ws.member_id},
    }
