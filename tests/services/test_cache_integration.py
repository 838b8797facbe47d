"""The services read through the ``attio_bridge.cache`` cache and keep it true after writes.

Calls are counted from the emulator's journal: repeated upserts of people of one company make
one company lookup and no schema call after the first; a read after a write sees the write
(also on the other side of a relationship); invalidating a key makes the next read ask Attio;
a delete leaves nothing behind. Each flow runs in memory and against the real Redis at
127.0.0.1:6379 (skipped, saying why, only when it does not answer), under a key prefix of its
own that is removed afterwards.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator

import pytest

from attio_bridge.cache import Cache, MemoryBackend, RedisBackend
from attio_bridge.client import AsyncAttioClient, AttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.services import AsyncServices, Services
from attio_bridge.services._common import record_key
from tests._servers import redis_client

REDIS_URL = "redis://127.0.0.1:6379/0"
PUT_RECORD = "PUT /v2/objects/{object}/records"
GET_RECORD = "GET /v2/objects/{object}/records/{record_id}"
QUERY = "POST /v2/objects/{object}/records/query"

pytestmark = pytest.mark.anyio


def calls(app: EmulatorApp) -> Counter[str]:
    """The requests the emulator received, counted by operation."""
    return Counter(e["operation"] for e in app.state.journal.render())


def schema_calls(app: EmulatorApp) -> int:
    """How many of them loaded the schema (objects, lists, attributes, options, statuses)."""
    return sum(
        n
        for op, n in calls(app).items()
        if op in ("GET /v2/objects", "GET /v2/lists") or "/attributes" in op
    )


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of one test in the real Redis, its keys removed afterwards (or a skip
    saying why there is no Redis)."""
    client = redis_client(REDIS_URL)
    prefix = f"attio-bridge-test:{uuid.uuid4().hex}:"
    yield prefix
    leftovers = list(client.scan_iter(match=prefix + "*"))
    if leftovers:
        client.delete(*leftovers)
    client.close()


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> MemoryBackend | RedisBackend:
    """The cache backend under test: in memory, or the real Redis."""
    if request.param == "memory":
        return MemoryBackend()
    return RedisBackend(REDIS_URL, prefix=request.getfixturevalue("redis_prefix"))


@pytest.fixture
async def acache(backend: MemoryBackend | RedisBackend) -> AsyncIterator[Cache]:
    """A cache on ``backend``, closed in the test's event loop."""
    cache = Cache(backend)
    yield cache
    await cache.aclose()


@pytest.fixture
def cache(backend: MemoryBackend | RedisBackend) -> Iterator[Cache]:
    """A cache on ``backend`` for the sync services."""
    cache = Cache(backend)
    yield cache
    cache.close()


@pytest.fixture
def cached_aservices(aclient: AsyncAttioClient, acache: Cache) -> AsyncServices:
    """Async services reading through ``acache``."""
    return AsyncServices(aclient, cache=acache)


async def test_repeated_upserts_look_the_company_and_schema_up_once(
    cached_aservices: AsyncServices, app: EmulatorApp
) -> None:
    await cached_aservices.people.upsert(email="p0@acme.com", name="P Zero", company="acme.com")
    first_schema = schema_calls(app)
    assert first_schema > 0
    assert calls(app)[PUT_RECORD] == 2  # the company, then the person
    for i in range(1, 10):
        await cached_aservices.people.upsert(
            email=f"p{i}@acme.com", name=f"P {i}", company="https://www.acme.com/about"
        )
    # Nine more people: nine person asserts, no company assert, no query, no schema call.
    assert calls(app)[PUT_RECORD] == 11
    assert calls(app)[QUERY] == 0
    assert schema_calls(app) == first_schema
    team = (await cached_aservices.companies.get("acme.com")).values["team"]
    assert len(team) == 10


async def test_without_a_cache_every_upsert_asks_again(
    aclient: AsyncAttioClient, app: EmulatorApp
) -> None:
    # The reference for the test above: TTL 0 for every kind is caching turned off.
    off = AsyncServices(aclient, cache=Cache(ttls=dict.fromkeys(Cache().ttls, 0)))
    await off.people.upsert(email="p0@acme.com", company="acme.com")
    first_schema = schema_calls(app)
    await off.people.upsert(email="p1@acme.com", company="acme.com")
    assert calls(app)[PUT_RECORD] == 4
    assert schema_calls(app) >= 2 * first_schema


async def test_a_read_after_a_write_sees_the_write(
    cached_aservices: AsyncServices, app: EmulatorApp
) -> None:
    people = cached_aservices.people
    ada = await people.upsert(email="ada@acme.com", name="Ada Lovelace", job_title="Analyst")
    found = await people.find_by_email("ADA@acme.com")
    assert found is not None and found.record_id == ada.record_id
    assert calls(app)[QUERY] == 0 and calls(app)[GET_RECORD] == 0  # answered by the cache
    await people.upsert(email="ada@acme.com", job_title="Engineer")
    again = await people.get(ada.record_id)
    assert again.values["job_title"][0]["value"] == "Engineer"
    assert calls(app)[GET_RECORD] == 0
    # The other side of a relationship: a company read before a person joins it is read again.
    company = await cached_aservices.companies.upsert("acme.com", name="Acme")
    assert company.values.get("team", []) == []
    await people.upsert(email="ada@acme.com", company="acme.com")
    team = (await cached_aservices.companies.get(company.record_id)).values["team"]
    assert [t["target_record_id"] for t in team] == [ada.record_id]
    await cached_aservices.companies.update("acme.com", name="Acme Ltd")
    fresh = await cached_aservices.companies.find_by_domain("acme.com")
    assert fresh is not None and fresh.values["name"][0]["value"] == "Acme Ltd"


async def test_invalidating_a_key_makes_the_next_read_ask_attio(
    cached_aservices: AsyncServices, aclient: AsyncAttioClient, app: EmulatorApp
) -> None:
    ada = await cached_aservices.people.upsert(email="ada@acme.com", job_title="Analyst")
    # A change made behind the services' back stays unseen until its key is invalidated.
    await aclient.records.update(
        "people", ada.record_id, {"job_title": [{"value": "Changed elsewhere"}]}
    )
    stale = await cached_aservices.people.get(ada.record_id)
    assert stale.values["job_title"][0]["value"] == "Analyst"
    assert calls(app)[GET_RECORD] == 0
    assert await cached_aservices.cache.adelete(record_key("people", ada.record_id), "records")
    fresh = await cached_aservices.people.get(ada.record_id)
    assert fresh.values["job_title"][0]["value"] == "Changed elsewhere"
    assert calls(app)[GET_RECORD] == 1


async def test_a_delete_leaves_nothing_cached(
    cached_aservices: AsyncServices, app: EmulatorApp
) -> None:
    ada = await cached_aservices.people.upsert(email="ada@acme.com", company="acme.com")
    await cached_aservices.people.delete(ada)
    assert await cached_aservices.people.find_by_email("ada@acme.com") is None
    assert calls(app)[QUERY] == 1  # asked Attio, not the cache
    await cached_aservices.companies.delete("acme.com")
    assert await cached_aservices.companies.find_by_domain("acme.com") is None
    # The company is made again, not linked by a remembered id of the deleted one.
    bob = await cached_aservices.people.upsert(email="bob@acme.com", company="acme.com")
    company = await cached_aservices.companies.find_by_domain("acme.com")
    assert company is not None
    assert bob.values["company"][0]["target_record_id"] == company.record_id


async def test_entry_ids_and_notes_read_through_the_cache(
    cached_aservices: AsyncServices, app: EmulatorApp
) -> None:
    acme = await cached_aservices.companies.upsert("acme.com")
    assert await cached_aservices.lists.entry_ids("pipeline", acme) == []
    entry = await cached_aservices.lists.add("pipeline", acme, {"stage": "Lead"})
    assert await cached_aservices.lists.entry_ids("pipeline", acme) == [entry.entry_id]
    before = calls(app)
    assert await cached_aservices.lists.entry_ids("pipeline", acme) == [entry.entry_id]
    assert calls(app) == before
    await cached_aservices.lists.move(acme, "pipeline", "prospects")
    assert await cached_aservices.lists.entry_ids("pipeline", acme) == []
    assert len(await cached_aservices.lists.entry_ids("prospects", acme)) == 1
    note = await cached_aservices.notes.create("companies", acme, "Call", "Went well")
    middle = calls(app)
    got = await cached_aservices.notes.get(note.id["note_id"])
    assert got.title == "Call"
    assert calls(app) == middle


def test_sync_services_share_the_cache(client: AttioClient, app: EmulatorApp, cache: Cache) -> None:
    first = Services(client, cache=cache)
    first.people.upsert(email="p0@acme.com", company="acme.com")
    # A second set of services (another process, with Redis) finds the company in the cache.
    second = Services(client, cache=cache)
    second.people.upsert(email="p1@acme.com", company="acme.com")
    assert calls(app)[PUT_RECORD] == 3
    found = second.people.find_by_email("p0@acme.com")
    assert found is not None
    assert calls(app)[QUERY] == 0 and calls(app)[GET_RECORD] == 0
