"""Each workspace's parts for its handlers: its own client (against the in-process emulator),
its own cache namespace (in the real Redis, seen by every process), one state store shared."""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.web.tenancy import TenantResources
from attio_bridge.webhooks import (
    Coalescer,
    Event,
    EventProcessor,
    HandlerContext,
    Tenant,
    Tenants,
    UnknownTenantError,
    router,
)
from tests._servers import server_absent

from ..conftest import API_KEY

REDIS_URL = os.environ.get("ATTIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _tenants(*names: str) -> Tenants:
    return Tenants(Tenant(name, api_key=API_KEY, base_url="http://emulator.test") for name in names)


def test_each_workspace_has_its_own_client_and_cache_and_shares_the_store(
    emulator: EmulatorApp, tmp_path: Path
) -> None:
    resources = TenantResources(
        _tenants("a", "b"),
        store_url=f"sqlite:///{tmp_path / 'state.sqlite3'}",
        transport=httpx.ASGITransport(app=emulator),
    )

    async def scenario() -> str:
        a, b = resources.parts("a"), resources.parts("b")
        assert resources.parts("a") is a
        assert a.store is b.store
        a.cache.set("rec-1", {"name": "Ada"}, "records")
        assert a.cache.get("rec-1", "records") == {"name": "Ada"}
        assert b.cache.get("rec-1", "records") is None
        me = await a.client.identify()
        await resources.aclose()
        return str(me.workspace_name)

    assert asyncio.run(scenario()) == emulator.state.workspace.name
    with pytest.raises(UnknownTenantError, match="no workspace named 'c'"):
        resources.parts("c")


def test_a_workspace_cache_in_redis_lives_under_its_own_namespace(tmp_path: Path) -> None:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        server_absent(f"Redis is not reachable at {REDIS_URL} ({exc})", "start it to run this")
    name = f"web-test-{uuid.uuid4().hex[:12]}"
    resources = TenantResources(
        _tenants(name), redis_url=REDIS_URL, store_url=f"sqlite:///{tmp_path / 's.sqlite3'}"
    )
    try:
        resources.parts(name).cache.set("rec-9", {"n": 9}, "records")
        keys = [k.decode() for k in client.scan_iter(match=f"attio-bridge:cache:t:{name}:*")]
        assert len(keys) == 1
        other = TenantResources(
            _tenants(name), redis_url=REDIS_URL, store_url=f"sqlite:///{tmp_path / 's.sqlite3'}"
        )
        assert other.parts(name).cache.get("rec-9", "records") == {"n": 9}  # another process
        asyncio.run(other.aclose())
    finally:
        for key in client.scan_iter(match=f"attio-bridge:cache:t:{name}:*"):
            client.delete(key)
        asyncio.run(resources.aclose())
        client.close()


def test_a_record_updated_handled_by_the_worker_empties_the_web_process_cached_record(
    emulator: EmulatorApp, tmp_path: Path
) -> None:
    """Two processes' parts (each its own Redis connection): the web process caches a record,
    the worker handles the ``record.updated`` of a change made elsewhere, and the web process
    reads the new value, not the one it cached."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        server_absent(f"Redis is not reachable at {REDIS_URL} ({exc})", "start it to run this")
    name = f"web-test-{uuid.uuid4().hex[:12]}"
    store = f"sqlite:///{tmp_path / 's.sqlite3'}"
    web, worker = (
        TenantResources(
            _tenants(name),
            redis_url=REDIS_URL,
            store_url=store,
            transport=httpx.ASGITransport(app=emulator),
        )
        for _ in range(2)
    )

    async def scenario() -> tuple[str | None, str | None]:
        try:
            return await steps()
        finally:  # on the loop their connections belong to
            await web.aclose()
            await worker.aclose()

    async def steps() -> tuple[str | None, str | None]:
        page = web.parts(name)
        ada = await page.services.people.upsert(email="ada@example.com", name="Ada Lovelace")
        await page.services.records.get("people", ada.record_id)  # cached, in Redis
        # Changed elsewhere (the raw client: no cache of ours is told).
        await page.client.records.update("people", ada.record_id, {"job_title": "Engineer"})
        stale = await page.services.records.get("people", ada.record_id)
        jobs = worker.parts(name)
        context = HandlerContext.build(jobs.tenant, jobs.services, jobs.store)
        context.coalescer = Coalescer()
        event = Event(
            "attio",
            name,
            "record.updated",
            {
                "event_type": "record.updated",
                "id": {"object_id": "people", "record_id": ada.record_id, "attribute_id": "a"},
                "actor": {"type": "workspace-member", "id": "m-1"},
            },
            "delivery-1",
        )
        await EventProcessor(router, lambda _: context)(event.to_payload())
        fresh = await page.services.records.get("people", ada.record_id)
        return _title(stale.values), _title(fresh.values)

    try:
        assert asyncio.run(scenario()) == (None, "Engineer")
    finally:
        for key in client.scan_iter(match=f"attio-bridge:cache:t:{name}:*"):
            client.delete(key)
        client.close()


def _title(values: dict[str, Any]) -> str | None:
    found = values.get("job_title") or []
    return str(found[0]["value"]) if found else None


def test_a_client_made_on_the_queues_loop_is_closed_on_it_before_that_loop_stops(
    attio_emulator_server: Any, tmp_path: Path
) -> None:
    # the job queue runs handlers on its own loop, in its own thread, and stops it at shutdown
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    tenants = Tenants(
        [
            Tenant(
                "a",
                api_key=attio_emulator_server.api_key,
                base_url=attio_emulator_server.base_url,
            )
        ]
    )
    resources = TenantResources(tenants, store_url=f"sqlite:///{tmp_path / 'state.sqlite3'}")

    async def handle() -> None:  # a handler's read opens a pooled connection on the queue's loop
        await resources.parts("a").client.request("GET", "/v2/self")

    asyncio.run_coroutine_threadsafe(handle(), loop).result(10)
    resources.close_on_their_loops()
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()
    asyncio.run(resources.aclose())  # nothing left bound to the stopped loop: no error
