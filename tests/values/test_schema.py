"""The workspace schema: what it holds, lookups by slug or id, and the cache (hits, TTL expiry,
refresh, invalidation), counted through the emulator's request journal."""

from __future__ import annotations

import asyncio

import pytest

from attio_bridge.client import AsyncAttioClient, AttioClient
from attio_bridge.values import (
    AsyncSchemaCache,
    SchemaCache,
    ValuesError,
    encode_values,
    load_schema,
    load_schema_async,
)

from .conftest import COLOURS, STAGES, Workspace, build_workspace


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_schema_holds_objects_lists_attributes_options_and_statuses(ws: Workspace) -> None:
    schema = load_schema(ws.client)
    assert {"people", "companies", "deals", "gadgets"} <= set(schema.objects)
    assert set(schema.lists) == {"pipeline"}

    people = schema.target("people")
    emails = people.attribute("email_addresses")
    assert emails is not None
    assert (emails.type, emails.is_unique, emails.is_multiselect) == ("email-address", True, True)
    company = people.attribute("company")
    assert company is not None
    assert company.allowed_targets == ("companies",)
    assert company.relationship == "team"
    created = people.attribute("created_at")
    assert created is not None and not created.is_writable

    gadgets = schema.target("gadgets", "object")
    price = gadgets.attribute("price")
    assert price is not None and price.currency_code == "EUR"
    colour = gadgets.attribute("colour")
    assert colour is not None and [c.title for c in colour.options] == COLOURS
    label = gadgets.attribute("label")
    assert label is not None and label.is_required

    pipeline = schema.target("pipeline")
    assert (pipeline.kind, pipeline.parent_object) == ("list", "companies")
    stage = pipeline.attribute("stage")
    assert stage is not None and [s.title for s in stage.statuses] == STAGES


def test_lookups_by_slug_or_id(ws: Workspace) -> None:
    schema = load_schema(ws.client)
    gadgets = schema.target("gadgets")
    assert schema.object(gadgets.id) is gadgets
    assert schema.target(gadgets.id) is gadgets
    pipeline = schema.target("pipeline")
    assert schema.list(pipeline.id) is pipeline
    assert schema.object("pipeline") is None
    score = gadgets.attribute("score")
    assert score is not None and gadgets.attribute(score.id) is score
    colour = gadgets.attribute("colour")
    assert colour is not None
    green = colour.find_choice("GREEN")
    assert green is not None and colour.find_choice(green.id) is green
    # Values may be keyed by attribute id; the payload is keyed by slug.
    assert encode_values(schema, "gadgets", {score.id: 5}) == {"score": {"value": 5}}


def test_cache_makes_no_schema_call_within_the_ttl(ws: Workspace) -> None:
    clock = FakeClock()
    cache = SchemaCache(ws.client, clock=clock)
    first = cache.get()
    calls = ws.schema_calls()
    assert calls > 0
    for _ in range(5):
        clock.now += 60
        assert cache.get() is first
        encode_values(cache, "people", {"name": "Ada Lovelace"})
    assert ws.schema_calls() == calls
    assert cache.loads == 1


def test_cache_reloads_after_the_ttl(ws: Workspace) -> None:
    clock = FakeClock()
    cache = SchemaCache(ws.client, clock=clock)
    assert cache.ttl == 30 * 60
    first = cache.get()
    calls = ws.schema_calls()
    clock.now += 30 * 60 - 1
    assert cache.get() is first
    assert ws.schema_calls() == calls
    clock.now += 1
    second = cache.get()
    assert second is not first
    assert ws.schema_calls() == 2 * calls
    assert cache.loads == 2


def test_refresh_and_invalidate(ws: Workspace) -> None:
    cache = SchemaCache(ws.client, ttl=3600, clock=FakeClock())
    cache.get()
    calls = ws.schema_calls()
    ws.client.attributes.create_option("objects", "gadgets", "colour", title="Black")
    # A stale schema within its TTL does not know the new option ...
    with pytest.raises(ValuesError):
        encode_values(cache, "gadgets", {"colour": "black"})
    assert ws.schema_calls() == calls
    # ... refresh() loads it now.
    cache.refresh()
    assert ws.schema_calls() == 2 * calls
    assert encode_values(cache, "gadgets", {"colour": "black"}) == {"colour": {"option": "Black"}}
    # invalidate() makes the next get() load, and only that one.
    cache.invalidate()
    assert cache.cached is None
    assert ws.schema_calls() == 2 * calls
    cache.get()
    cache.get()
    assert ws.schema_calls() == 3 * calls


@pytest.mark.anyio
async def test_async_load_matches_sync_load(aclient: AsyncAttioClient, client: AttioClient) -> None:
    build_workspace(client)
    assert await load_schema_async(aclient) == load_schema(client)


@pytest.mark.anyio
async def test_async_cache_loads_once_for_concurrent_callers(
    aclient: AsyncAttioClient, client: AttioClient
) -> None:
    build_workspace(client)
    clock = FakeClock()
    cache = AsyncSchemaCache(aclient, clock=clock)
    schemas = await asyncio.gather(*(cache.get() for _ in range(10)))
    assert all(s is schemas[0] for s in schemas)
    assert cache.loads == 1
    clock.now += 30 * 60
    assert await cache.get() is not schemas[0]
    assert cache.loads == 2
    cache.invalidate()
    await cache.refresh()
    assert cache.loads == 3
