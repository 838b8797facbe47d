"""The default handlers against the in-process emulator: their real effects on the services'
cache and the state store, the coalescing of bursts, and that running one twice is running it
once. Events are the ones the emulator emits for changes made through the API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from attio_bridge.cache import CacheKind
from attio_bridge.client import AsyncAttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.services import AsyncServices, entries_key, record_key
from attio_bridge.state import StateStore, open_store
from attio_bridge.testing import EmulatorControl
from attio_bridge.webhooks import (
    Coalescer,
    Event,
    EventProcessor,
    HandlerContext,
    Hooks,
    router,
)
from tests._events import received

from .conftest import OUR_TOKEN_ID, tenant

pytestmark = pytest.mark.anyio

RECORDS = CacheKind.RECORDS


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    """A state store in a SQLite file of the test's own."""
    with open_store(f"sqlite:///{tmp_path / 'state.sqlite3'}") as s:
        yield s


@pytest.fixture
def services(attio_async_client: AsyncAttioClient) -> AsyncServices:
    """Services on the emulator, with their own memory cache."""
    return AsyncServices(attio_async_client)


class HookCalls:
    """Hooks that record the events they were given."""

    def __init__(self) -> None:
        self.synced: list[str] = []
        self.staged: list[str] = []

    async def external_sync(self, event: Event, ctx: HandlerContext) -> dict[str, Any]:
        self.synced.append(event.payload["id"]["record_id"])
        return {"pushed": True}

    async def stage_automation(self, event: Event, ctx: HandlerContext) -> dict[str, Any]:
        self.staged.append(event.payload["id"]["entry_id"])
        return {"staged": True}


@pytest.fixture
def hooks() -> HookCalls:
    """The hooks' calls."""
    return HookCalls()


@pytest.fixture
def ctx(services: AsyncServices, store: StateStore, hooks: HookCalls) -> HandlerContext:
    """The tenant's context, with a coalescer of its own."""
    context = HandlerContext.build(
        tenant(),
        services,
        store,
        Hooks(external_sync=hooks.external_sync, stage_automation=hooks.stage_automation),
    )
    context.coalescer = Coalescer()
    return context


@pytest.fixture
def emitted(attio_emulator: EmulatorApp) -> list[dict[str, Any]]:
    """Every webhook event the emulator's workspace emits from now on."""
    seen: list[dict[str, Any]] = []
    attio_emulator.state.workspace.listeners.append(seen.append)
    return seen


@pytest.fixture
def process(ctx: HandlerContext) -> EventProcessor:
    """The processor with the default router and ``ctx`` for every workspace."""
    return EventProcessor(router, lambda workspace: ctx)


def record_gets(control: EmulatorControl, record_id: str) -> int:
    return sum(
        1
        for e in control.journal()
        if e["method"] == "GET" and e["path"].endswith(f"/records/{record_id}")
    )


async def cached(services: AsyncServices, record_id: str) -> Any:
    return await services.cache.aget(record_key("people", record_id), RECORDS)


# -- record.updated --------------------------------------------------------------------------------
async def test_an_update_made_through_the_api_empties_and_refills_the_cache(
    services: AsyncServices,
    attio_async_client: AsyncAttioClient,
    emitted: list[dict[str, Any]],
    process: EventProcessor,
) -> None:
    ada = await services.people.upsert(email="ada@example.com", name="Ada Lovelace")
    await services.records.get("people", ada.record_id)
    emitted.clear()
    # Changed by someone else (the plain client, not the services): the cache is now stale.
    await attio_async_client.records.update("people", ada.record_id, {"job_title": "Engineer"})
    stale = await cached(services, ada.record_id)
    assert stale is not None and not stale["values"].get("job_title")

    (event,) = received(emitted, "record.updated")
    result = await process(event.to_payload())

    assert result["effects"][0]["action"] == "re-read record"
    fresh = await cached(services, ada.record_id)
    assert fresh["values"]["job_title"][0]["value"] == "Engineer"


async def test_five_updates_of_one_record_are_one_read(
    services: AsyncServices,
    attio_async_client: AsyncAttioClient,
    attio_control: EmulatorControl,
    emitted: list[dict[str, Any]],
    process: EventProcessor,
) -> None:
    ada = await services.people.upsert(email="ada@example.com", name="Ada Lovelace")
    emitted.clear()
    for title in ("One", "Two", "Three", "Four", "Five"):
        await attio_async_client.records.update("people", ada.record_id, {"job_title": title})
    events = received(emitted, "record.updated")
    assert len(events) == 5
    before = record_gets(attio_control, ada.record_id)

    # Three at once (as concurrent workers take them), then two after.
    first = await asyncio.gather(*(process(e.to_payload()) for e in events[:3]))
    later = [await process(e.to_payload()) for e in events[3:]]

    assert record_gets(attio_control, ada.record_id) == before + 1
    actions = [r["effects"][0]["action"] for r in [*first, *later]]
    assert actions.count("re-read record") == 1 and actions.count("coalesced") == 4
    assert (await cached(services, ada.record_id))["values"]["job_title"][0]["value"] == "Five"


async def test_an_update_received_after_the_last_read_started_is_read_again(
    services: AsyncServices,
    attio_async_client: AsyncAttioClient,
    attio_control: EmulatorControl,
    emitted: list[dict[str, Any]],
    process: EventProcessor,
) -> None:
    ada = await services.people.upsert(email="ada@example.com", name="Ada Lovelace")
    emitted.clear()
    await attio_async_client.records.update("people", ada.record_id, {"job_title": "One"})
    (first,) = received(emitted, "record.updated")
    await process(first.to_payload())
    emitted.clear()
    await attio_async_client.records.update("people", ada.record_id, {"job_title": "Two"})
    (second,) = received(emitted, "record.updated")
    before = record_gets(attio_control, ada.record_id)
    result = await process(second.to_payload())
    assert result["effects"][0]["action"] == "re-read record"
    assert record_gets(attio_control, ada.record_id) == before + 1
    assert (await cached(services, ada.record_id))["values"]["job_title"][0]["value"] == "Two"


async def test_running_an_update_twice_is_running_it_once(
    services: AsyncServices,
    attio_async_client: AsyncAttioClient,
    emitted: list[dict[str, Any]],
    process: EventProcessor,
) -> None:
    ada = await services.people.upsert(email="ada@example.com", name="Ada Lovelace")
    emitted.clear()
    await attio_async_client.records.update("people", ada.record_id, {"job_title": "Engineer"})
    (event,) = received(emitted, "record.updated")
    await process(event.to_payload())
    once = await cached(services, ada.record_id)
    await process(event.to_payload())
    assert await cached(services, ada.record_id) == once


async def test_an_update_of_a_deleted_record_forgets_it(
    services: AsyncServices,
    attio_async_client: AsyncAttioClient,
    emitted: list[dict[str, Any]],
    process: EventProcessor,
) -> None:
    ada = await services.people.upsert(email="ada@example.com", name="Ada Lovelace")
    emitted.clear()
    await attio_async_client.records.update("people", ada.record_id, {"job_title": "Engineer"})
    await attio_async_client.records.delete("people", ada.record_id)
    (update,) = received(emitted, "record.updated")
    result = await process(update.to_payload())
    assert result["effects"][0]["action"] == "record gone"
    assert await cached(services, ada.record_id) is None


# -- record.created / deleted ----------------------------------------------------------------------
async def test_record_created_runs_the_external_sync_hook(
    services: AsyncServices,
    emitted: list[dict[str, Any]],
    process: EventProcessor,
    hooks: HookCalls,
) -> None:
    ada = await services.people.upsert(email="ada@example.com", name="Ada Lovelace")
    (event,) = received(emitted, "record.created")
    result = await process(event.to_payload())
    assert hooks.synced == [ada.record_id]
    assert result["effects"] == [
        {"action": "external sync", "record_id": ada.record_id, "pushed": True}
    ]


async def test_record_deleted_drops_the_cached_record_and_its_unique_keys(
    services: AsyncServices,
    attio_async_client: AsyncAttioClient,
    emitted: list[dict[str, Any]],
    process: EventProcessor,
) -> None:
    ada = await services.people.upsert(email="ada@example.com", name="Ada Lovelace")
    email_key = "people/email_addresses/ada@example.com"
    assert await services.cache.aget(email_key, RECORDS) == ada.record_id
    await attio_async_client.records.delete("people", ada.record_id)
    (event,) = received(emitted, "record.deleted")
    await process(event.to_payload())
    assert await cached(services, ada.record_id) is None
    assert await services.cache.aget(email_key, RECORDS) is None


# -- record.merged ---------------------------------------------------------------------------------
async def test_a_merge_rewrites_references_and_each_event_twice_changes_nothing_more(
    services: AsyncServices,
    attio_async_client: AsyncAttioClient,
    emitted: list[dict[str, Any]],
    process: EventProcessor,
    ctx: HandlerContext,
    store: StateStore,
) -> None:
    one = await services.people.upsert(email="ada@example.com", name="Ada Lovelace")
    two = await services.people.upsert(email="ada@work.example", name="Ada L.")
    refs = ctx.references
    refs.set("kickoff:acme.com:contact", one.record_id, object="people")
    refs.set("crm:ada", two.record_id, object="people")
    refs.set("crm:other", "not-merged-record")
    emitted.clear()

    merged = await attio_async_client.records.merge("people", one.record_id, two.record_id)
    events = received(emitted, "record.merged")
    assert len(events) == 2 and all(
        e.payload["id"]["record_id"] == merged.new_record_id for e in events
    )

    await process(events[0].to_payload())
    await process(events[1].to_payload())
    after_once = {
        ns: store.items(ns) for ns in ("references", "references-by-record", "merged-records")
    }
    for event in events:
        again = await process(event.to_payload())
        assert again["effects"][0]["references"] == []
    assert {
        ns: store.items(ns) for ns in ("references", "references-by-record", "merged-records")
    } == after_once

    new = merged.new_record_id
    assert refs.get("kickoff:acme.com:contact") == new
    assert refs.get("crm:ada") == new
    assert refs.get("crm:other") == "not-merged-record"
    assert sorted(refs.names(new)) == ["crm:ada", "kickoff:acme.com:contact"]
    assert refs.names(one.record_id) == []
    # A reference set later with an old id lands on the survivor.
    assert refs.set("late", one.record_id) == new
    # Both old records and the new one are out of the cache.
    for record_id in (one.record_id, two.record_id, new):
        assert await cached(services, record_id) is None


# -- list entries, notes, tasks, schema ------------------------------------------------------------
def entry_event(event_type: str, list_id: str, entry_id: str, parent: str) -> Event:
    """A list-entry event in the shape the emulator emits (API-NOTES §7)."""
    payload = {
        "event_type": event_type,
        "id": {"workspace_id": "ws", "list_id": list_id, "entry_id": entry_id},
        "parent_object_id": "people-object",
        "parent_record_id": parent,
        "actor": {"type": "workspace-member", "id": "m1"},
    }
    return Event("attio", "default", event_type, payload, "d", 0, time.time(), "default:l")


async def test_list_entry_created_drops_cached_entries_and_runs_stage_automation(
    services: AsyncServices, process: EventProcessor, hooks: HookCalls
) -> None:
    key = entries_key("list-1", "record-1")
    await services.cache.aset(key, ["old-entry"], CacheKind.LISTS)
    result = await process(
        entry_event("list-entry.created", "list-1", "e1", "record-1").to_payload()
    )
    assert await services.cache.aget(key, CacheKind.LISTS) is None
    assert hooks.staged == ["e1"]
    assert result["effects"][0]["action"] == "stage automation"
    await services.cache.aset(key, ["e1"], CacheKind.LISTS)
    await process(entry_event("list-entry.deleted", "list-1", "e1", "record-1").to_payload())
    assert await services.cache.aget(key, CacheKind.LISTS) is None


async def test_a_note_event_refreshes_a_cached_note_and_deleted_drops_it(
    services: AsyncServices,
    attio_async_client: AsyncAttioClient,
    emitted: list[dict[str, Any]],
    process: EventProcessor,
) -> None:
    ada = await services.people.upsert(email="ada@example.com", name="Ada Lovelace")
    note = await services.notes.create("people", ada.record_id, "Call", "Spoke about engines")
    note_id = note.id["note_id"]
    # A stale copy (as if written by an older process).
    stale = note.model_dump(mode="json") | {"title": "stale"}
    await services.cache.aset(note_id, stale, CacheKind.NOTES)
    (created,) = received(emitted, "note.created")
    result = await process(created.to_payload())
    assert result["effects"][0]["action"] == "re-read note"
    assert (await services.cache.aget(note_id, CacheKind.NOTES))["title"] == "Call"

    await attio_async_client.notes.delete(note_id)
    (deleted,) = received(emitted, "note.deleted")
    await process(deleted.to_payload())
    await process(deleted.to_payload())
    assert await services.cache.aget(note_id, CacheKind.NOTES) is None


async def test_an_attribute_created_drops_the_schema_and_the_objects_records(
    services: AsyncServices,
    attio_async_client: AsyncAttioClient,
    emitted: list[dict[str, Any]],
    process: EventProcessor,
) -> None:
    ada = await services.people.upsert(email="ada@example.com", name="Ada Lovelace")
    loads = services.schema.loads
    assert (await services.schema.get()).object("people").attributes.get("nickname") is None
    await attio_async_client.attributes.create(
        "objects",
        "people",
        {
            "title": "Nickname",
            "description": None,
            "api_slug": "nickname",
            "type": "text",
            "is_required": False,
            "is_unique": False,
            "is_multiselect": False,
            "config": {},
        },
    )
    (event,) = received(emitted, "object-attribute.created")
    result = await process(event.to_payload())
    assert result["effects"][0]["action"] == "invalidated schema"
    assert await cached(services, ada.record_id) is None
    assert (await services.schema.get()).object("people").attributes.get("nickname") is not None
    assert services.schema.loads == loads + 1


# -- the processor ---------------------------------------------------------------------------------
async def test_an_event_without_a_handler_succeeds_with_no_handler(
    process: EventProcessor,
) -> None:
    event = Event("attio", "default", "workspace-member.created", {"event_type": "x"}, "d")
    result = await process(event.to_payload())
    assert result == {
        "handlers": [],
        "effects": [{"action": "no handler", "type": "workspace-member.created"}],
    }


async def test_an_event_of_our_own_token_is_skipped(process: EventProcessor) -> None:
    payload = {
        "event_type": "record.updated",
        "id": {"object_id": "o", "record_id": "r"},
        "actor": {"type": "api-token", "id": OUR_TOKEN_ID},
    }
    event = Event("attio", "default", "record.updated", payload, "d")
    result = await process(event.to_payload())
    assert result["handlers"] == [] and "ignored" in result["effects"][0]["action"]


async def test_a_failing_read_propagates_so_the_queue_retries(
    attio_emulator: EmulatorApp,
    attio_async_client: AsyncAttioClient,
    attio_control: EmulatorControl,
    emitted: list[dict[str, Any]],
    store: StateStore,
) -> None:
    # A client that does not retry by itself: the queue's retry is the one under test.
    once = AsyncAttioClient(
        api_key="test-key",
        base_url="http://attio.test",
        transport=httpx.ASGITransport(app=attio_emulator),
        max_retries=0,
        read_rate=0,
        write_rate=0,
        rate_limit_backend="memory",
    )
    services = AsyncServices(once)
    context = HandlerContext.build(tenant(), services, store)
    context.coalescer = Coalescer()
    process = EventProcessor(router, lambda workspace: context)
    ada = await services.people.upsert(email="ada@example.com", name="Ada Lovelace")
    await services.schema.get()
    emitted.clear()
    await attio_async_client.records.update("people", ada.record_id, {"job_title": "Engineer"})
    (event,) = received(emitted, "record.updated")
    attio_control.fault(match="GET /v2/objects/{object}/records/{record_id}", status=503)
    with pytest.raises(Exception) as failed:
        await process(event.to_payload())
    assert getattr(failed.value, "retryable", True)
    attio_control.clear_faults()
    # The failed read satisfied nothing: the retry reads.
    result = await process(event.to_payload())
    assert result["effects"][0]["action"] == "re-read record"
    assert (await cached(services, ada.record_id))["values"]["job_title"][0]["value"] == "Engineer"
