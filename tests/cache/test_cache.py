"""The cache through its public surface, on both backends (memory and the real Redis)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

import pytest
import redis

from attio_bridge.cache import (
    DEFAULT_TTLS,
    JSON,
    Cache,
    CacheError,
    CacheKind,
    MemoryBackend,
    RedisBackend,
    create_cache,
)
from attio_bridge.client.models import Record
from attio_bridge.errors import AttioError
from attio_bridge.testing import free_port

from .conftest import REDIS_URL, FakeClock

Backend = MemoryBackend | RedisBackend

PERSON: dict[str, Any] = {
    "id": {"workspace_id": "w", "object_id": "o", "record_id": "r1"},
    "web_url": "https://app.attio.com/acme/person/r1",
    "values": {"name": [{"full_name": "Ada Lovelace"}], "email_addresses": []},
}


def test_default_ttls_are_the_issues() -> None:
    cache = Cache(MemoryBackend())
    assert DEFAULT_TTLS == {"records": 300, "lists": 120, "notes": 60, "schema": 1800}
    assert cache.ttl_of(CacheKind.RECORDS) == 300
    assert Cache(MemoryBackend(), ttls={"records": 10, "meetings": 5}).ttl_of("meetings") == 5


def test_set_then_get_hits_and_an_absent_key_misses(backend: Backend) -> None:
    cache = Cache(backend)
    assert cache.get("people:r1", "records") is None
    cache.set("people:r1", PERSON, "records")
    assert cache.get("people:r1", "records") == PERSON
    assert cache.get("people:r2", "records", default={"absent": True}) == {"absent": True}
    stats = cache.stats
    assert (stats.hits, stats.misses, stats.sets) == (1, 2, 1)
    assert stats.kind("records").hits == 1 and stats.kind("notes").hits == 0
    assert stats.hit_ratio == pytest.approx(1 / 3)
    cache.reset_stats()
    assert cache.stats.hits == cache.stats.misses == 0


def test_kinds_are_separate_namespaces(backend: Backend) -> None:
    cache = Cache(backend)
    cache.set("k", "a record", "records")
    cache.set("k", "a note", "notes")
    assert cache.get("k", "records") == "a record"
    assert cache.get("k", "notes") == "a note"


def test_a_cached_null_is_a_hit_not_a_miss(backend: Backend) -> None:
    cache = Cache(backend)
    cache.set("gone", None, "records")
    assert cache.contains("gone", "records")
    assert cache.get("gone", "records", default="miss") is None
    assert cache.get_or_load("gone", "records", lambda: pytest.fail("loaded")) is None


def test_get_or_load_loads_once_then_hits(backend: Backend) -> None:
    cache = Cache(backend)
    calls: list[str] = []

    def load() -> JSON:
        calls.append("load")
        return PERSON

    assert cache.get_or_load("people:r1", "records", load) == PERSON
    assert cache.get_or_load("people:r1", "records", load) == PERSON
    assert calls == ["load"]
    assert (cache.stats.loads, cache.stats.hits, cache.stats.misses) == (1, 1, 1)


def test_a_pydantic_model_round_trips_as_json(backend: Backend) -> None:
    cache = Cache(backend)
    record = Record.model_validate(PERSON)
    cache.set("people:r1", record.model_dump(mode="json"), "records")
    assert Record.model_validate(cache.get("people:r1", "records")) == record


def test_values_that_are_not_json_are_refused_with_the_fix(backend: Backend) -> None:
    cache = Cache(backend)
    with pytest.raises(CacheError, match=r"store a pydantic model as model_dump\(mode='json'\)"):
        cache.set("r", Record.model_validate(PERSON), "records")  # type: ignore[arg-type]
    with pytest.raises(CacheError, match="not datetime"):
        now = dt.datetime.now(dt.UTC)
        cache.get_or_load("t", "records", lambda: now)  # type: ignore[arg-type,return-value]
    assert not cache.contains("t", "records")


def test_a_miss_returns_what_a_hit_will_return(backend: Backend) -> None:
    cache = Cache(backend)
    first = cache.get_or_load("t", "records", lambda: {"n": (1, 2)})
    assert first == {"n": [1, 2]}
    assert cache.get_or_load("t", "records", lambda: None) == first


def test_unknown_kinds_are_refused(backend: Backend) -> None:
    cache = Cache(backend)
    with pytest.raises(CacheError, match="unknown cache kind 'meetings'; known kinds: lists"):
        cache.get("x", "meetings")
    with pytest.raises(CacheError, match=r"must match \[a-z0-9_-\]\+"):
        Cache(backend, ttls={"bad:kind": 1})
    with pytest.raises(CacheError, match="must be >= 0"):
        Cache(backend, ttls={"records": -1})


def test_delete_invalidates_one_key(backend: Backend) -> None:
    cache = Cache(backend)
    cache.set("people:r1", 1, "records")
    cache.set("people:r2", 2, "records")
    assert cache.invalidate("people:r1", "records") is True
    assert cache.delete("people:r1", "records") is False
    assert cache.get("people:r1", "records") is None
    assert cache.get("people:r2", "records") == 2
    assert cache.stats.invalidations == 1


def test_invalidate_prefix_within_a_kind_and_across_kinds(backend: Backend) -> None:
    cache = Cache(backend)
    for key in ("people:r1", "people:r2", "companies:c1"):
        cache.set(key, key, "records")
    cache.set("people:r1", "note", "notes")
    assert cache.invalidate_prefix("people:", "records") == 2
    assert cache.get("companies:c1", "records") == "companies:c1"
    assert cache.get("people:r1", "notes") == "note"
    cache.set("people:r3", 3, "records")
    assert cache.invalidate_prefix("people:") == 2  # one record, one note
    assert cache.get("people:r3", "records") is None
    assert cache.get("people:r1", "notes") is None


def test_prefixes_with_glob_characters_match_literally(backend: Backend) -> None:
    cache = Cache(backend)
    cache.set("a*b:1", 1, "records")
    cache.set("axb:1", 2, "records")
    cache.set("q?[x]\\:1", 3, "records")
    assert cache.invalidate_prefix("a*", "records") == 1
    assert cache.get("axb:1", "records") == 2
    assert cache.invalidate_prefix("q?[x]\\", "records") == 1


def test_invalidate_kind_leaves_other_kinds(backend: Backend) -> None:
    cache = Cache(backend)
    cache.set("a", 1, "lists")
    cache.set("b", 2, "lists")
    cache.set("a", 3, "schema")
    assert cache.invalidate_kind("lists") == 2
    assert cache.get("a", "lists") is None
    assert cache.get("a", "schema") == 3
    cache.clear()
    assert cache.get("a", "schema") is None


def test_each_kind_is_stored_for_its_own_ttl(backend: Backend) -> None:
    cache = Cache(backend)
    cache.set("r", 1, "records")
    cache.set("n", 1, "notes")
    record_left, note_left = cache.ttl_remaining("r", "records"), cache.ttl_remaining("n", "notes")
    assert record_left is not None and 60 < record_left <= 300
    assert note_left is not None and 0 < note_left <= 60
    assert cache.ttl_remaining("absent", "records") is None


def test_a_kind_with_ttl_zero_is_never_stored(backend: Backend) -> None:
    cache = Cache(backend, ttls={"notes": 0})
    calls: list[int] = []
    for _ in range(2):
        cache.get_or_load("n", "notes", lambda: calls.append(1) or "fresh")  # type: ignore[func-returns-value]
    assert calls == [1, 1]
    assert not cache.contains("n", "notes")


def test_cached_decorator_reads_through(backend: Backend) -> None:
    cache = Cache(backend)
    calls: list[str] = []

    @cache.cached("records", key=lambda object, record_id: f"{object}:{record_id}")
    def get_record(object: str, record_id: str) -> JSON:
        calls.append(record_id)
        return {"object": object, "id": record_id}

    assert get_record("people", "r1") == {"object": "people", "id": "r1"}
    assert get_record("people", "r1") == {"object": "people", "id": "r1"}
    assert get_record("people", "r2")["id"] == "r2"  # type: ignore[index,call-overload]
    assert calls == ["r1", "r2"]
    cache.invalidate("people:r1", "records")
    get_record("people", "r1")
    assert calls == ["r1", "r2", "r1"]


@pytest.mark.anyio
async def test_async_read_through_and_decorator(backend: Backend) -> None:
    cache = Cache(backend)
    calls: list[str] = []

    async def load() -> JSON:
        calls.append("load")
        return PERSON

    assert await cache.aget_or_load("people:r1", "records", load) == PERSON
    assert await cache.aget_or_load("people:r1", "records", load) == PERSON
    assert calls == ["load"]

    @cache.acached("notes", key=lambda note_id: note_id)
    async def get_note(note_id: str) -> JSON:
        calls.append(note_id)
        return {"note": note_id}

    assert await get_note("n1") == await get_note("n1") == {"note": "n1"}
    assert calls == ["load", "n1"]
    await cache.aset("x", [1, 2], "lists")
    assert await cache.aget("x", "lists") == [1, 2]
    assert await cache.adelete("x", "lists") is True
    assert await cache.aget("x", "lists", default="miss") == "miss"
    # The sync and async paths share one store.
    assert cache.get("people:r1", "records") == PERSON
    await cache.aclose()


# -- expiry ----------------------------------------------------------------------------------
def test_memory_entries_expire_at_their_kinds_ttl(clock: FakeClock) -> None:
    cache = Cache(MemoryBackend(clock=clock))
    cache.set("r", 1, "records")
    cache.set("n", 1, "notes")
    clock.advance(59.9)
    assert cache.get("n", "notes") == 1
    clock.advance(0.1)
    assert cache.get("n", "notes") is None
    assert cache.get("r", "records") == 1
    assert cache.ttl_remaining("r", "records") == pytest.approx(240)
    clock.advance(240)
    assert cache.get("r", "records") is None
    assert cache.stats.kind("records").misses == 1


def test_memory_reload_after_expiry(clock: FakeClock) -> None:
    cache = Cache(MemoryBackend(clock=clock), ttls={"schema": 10})
    versions = iter(["v1", "v2"])
    assert cache.get_or_load("objects", "schema", lambda: next(versions)) == "v1"
    clock.advance(9)
    assert cache.get_or_load("objects", "schema", lambda: next(versions)) == "v1"
    clock.advance(1)
    assert cache.get_or_load("objects", "schema", lambda: next(versions)) == "v2"
    assert cache.stats.loads == 2


def test_expired_entries_are_not_counted_as_invalidated(clock: FakeClock) -> None:
    cache = Cache(MemoryBackend(clock=clock))
    cache.set("a:1", 1, "notes")
    cache.set("a:2", 2, "notes")
    clock.advance(61)
    assert cache.invalidate_prefix("a:", "notes") == 0
    assert cache.invalidate("a:1", "notes") is False


def test_redis_stores_with_the_kinds_expiry(redis_client: redis.Redis, redis_prefix: str) -> None:
    cache = Cache(RedisBackend(REDIS_URL, prefix=redis_prefix))
    cache.set("people:r1", PERSON, "records")
    pttl = int(redis_client.pttl(f"{redis_prefix}records:people:r1"))
    assert 0 < pttl <= 300_000
    cache.set("s", 1, "schema")
    assert 300_000 < int(redis_client.pttl(f"{redis_prefix}schema:s")) <= 1_800_000
    cache.close()


def test_redis_entries_expire(redis_prefix: str) -> None:
    # Redis's own expiry, so real time has to pass; polled, never timed.
    cache = Cache(RedisBackend(REDIS_URL, prefix=redis_prefix), ttls={"notes": 0.2})
    cache.set("n", 1, "notes")
    deadline = time.monotonic() + 10
    while cache.contains("n", "notes") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cache.get("n", "notes") is None
    assert cache.get_or_load("n", "notes", lambda: 2) == 2
    cache.close()


def test_redis_keys_stay_under_the_prefix_and_clear_touches_only_them(
    redis_client: redis.Redis, redis_prefix: str
) -> None:
    other = f"{redis_prefix}-not-ours"
    redis_client.set(other, b"keep", px=60_000)
    cache = Cache(RedisBackend(REDIS_URL, prefix=redis_prefix + "c:"))
    for i in range(1200):  # more than one SCAN/UNLINK batch
        cache.set(f"people:{i}", i, "records")
    keys = list(redis_client.scan_iter(match=f"{redis_prefix}c:*", count=1000))
    assert len(keys) == 1200
    assert all(k.startswith(f"{redis_prefix}c:records:people:".encode()) for k in keys)
    assert cache.invalidate_kind("records") == 1200
    cache.set("a", 1, "lists")
    cache.clear()
    assert list(redis_client.scan_iter(match=f"{redis_prefix}c:*")) == []
    assert redis_client.get(other) == b"keep"
    cache.close()


def test_two_caches_on_one_redis_share_entries(redis_prefix: str) -> None:
    writer = Cache(RedisBackend(REDIS_URL, prefix=redis_prefix))
    reader = create_cache(REDIS_URL, prefix=redis_prefix)
    writer.set("people:r1", PERSON, "records")
    assert reader.get("people:r1", "records") == PERSON
    reader.invalidate("people:r1", "records")
    assert writer.get("people:r1", "records") is None
    writer.close()
    reader.close()


# -- the memory bound ------------------------------------------------------------------------
def test_memory_evicts_the_least_recently_used(clock: FakeClock) -> None:
    backend = MemoryBackend(max_entries=3, clock=clock)
    cache = Cache(backend)
    for key in ("a", "b", "c"):
        cache.set(key, key, "records")
    assert cache.get("a", "records") == "a"  # a is now the most recently used
    cache.set("d", "d", "records")
    assert len(backend) == 3 and backend.evictions == 1
    assert cache.get("b", "records") is None
    assert [cache.get(k, "records") for k in ("a", "c", "d")] == ["a", "c", "d"]
    with pytest.raises(CacheError, match="max_entries must be at least 1"):
        MemoryBackend(max_entries=0)


def test_create_cache_picks_the_backend_from_a_url() -> None:
    assert isinstance(create_cache().backend, MemoryBackend)
    assert isinstance(create_cache("memory://").backend, MemoryBackend)
    assert isinstance(create_cache("redis://127.0.0.1:6379/0").backend, RedisBackend)
    assert isinstance(Cache().backend, MemoryBackend)
    with pytest.raises(CacheError, match="memory:// or redis://host:port/db") as caught:
        create_cache("memcached://x")
    assert caught.value.retryable is False


# -- errors: Redis's become CacheError, retryable when Redis cannot be reached -------------------
def test_a_redis_that_does_not_answer_is_a_retryable_cache_error() -> None:
    port = free_port()  # nothing listens there
    cache = create_cache(f"redis://:s3cret@127.0.0.1:{port}/0")
    for use in (lambda: cache.get("k", "records"), lambda: cache.set("k", 1, "records")):
        with pytest.raises(CacheError, match=f"cannot reach Redis at .*127.0.0.1:{port}") as caught:
            use()
        assert isinstance(caught.value, AttioError) and caught.value.retryable is True
        assert "s3cret" not in str(caught.value) and ":***@" in str(caught.value)
    # redis-py also reads a password from the query.
    cache = create_cache(f"redis://127.0.0.1:{port}/0?password=s3cret")
    with pytest.raises(CacheError) as caught:
        cache.get("k", "records")
    assert "s3cret" not in str(caught.value) and "password=***" in str(caught.value)


@pytest.mark.anyio
async def test_an_async_redis_that_does_not_answer_is_a_retryable_cache_error() -> None:
    cache = create_cache(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(CacheError) as caught:
        await cache.aget_or_load("k", "records", _never)
    assert caught.value.retryable is True
    await cache.aclose()


async def _never() -> JSON:
    raise AssertionError("a cache whose backend is down does not get as far as loading")


def test_refused_credentials_are_a_cache_error_not_worth_retrying(
    redis_client: redis.Redis,
) -> None:
    # redis_client: skipped with the reason when no Redis answers. It has no user "nobody".
    cache = create_cache(REDIS_URL.replace("redis://", "redis://nobody:wrong@", 1))
    with pytest.raises(CacheError, match="refused the credentials") as caught:
        cache.get("k", "records")
    assert caught.value.retryable is False and "wrong" not in str(caught.value)


def test_a_cache_used_wrongly_is_a_cache_error_not_worth_retrying() -> None:
    with pytest.raises(CacheError, match="unknown cache kind") as caught:
        Cache(MemoryBackend()).get("k", "meetings")
    assert isinstance(caught.value, AttioError) and caught.value.retryable is False


# -- concurrent async loads ------------------------------------------------------------------
@pytest.mark.anyio
async def test_concurrent_async_misses_share_one_load(backend: Backend) -> None:
    cache = Cache(backend)
    calls: list[str] = []
    release = asyncio.Event()

    async def load() -> JSON:
        calls.append("load")
        await release.wait()
        return {"objects": ["people"]}

    tasks = [asyncio.create_task(cache.aget_or_load("all", "schema", load)) for _ in range(20)]
    while len(calls) < 1 or cache.stats.coalesced < 19:
        await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*tasks) == [{"objects": ["people"]}] * 20
    assert calls == ["load"]
    assert (cache.stats.loads, cache.stats.coalesced) == (1, 19)
    await cache.aclose()


@pytest.mark.anyio
async def test_a_failed_async_load_fails_its_waiters_and_is_retried(backend: Backend) -> None:
    cache = Cache(backend)
    release = asyncio.Event()
    attempts: list[int] = []

    async def failing() -> JSON:
        attempts.append(1)
        await release.wait()
        raise RuntimeError("Attio is down")

    tasks = [asyncio.create_task(cache.aget_or_load("k", "records", failing)) for _ in range(3)]
    while cache.stats.coalesced < 2:
        await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert [str(r) for r in results] == ["Attio is down"] * 3
    assert attempts == [1]

    async def working() -> JSON:
        return "back"

    assert await cache.aget_or_load("k", "records", working) == "back"
    await cache.aclose()


@pytest.mark.anyio
async def test_a_cancelled_waiter_does_not_cancel_the_shared_load(backend: Backend) -> None:
    cache = Cache(backend)
    release = asyncio.Event()

    async def load() -> JSON:
        await release.wait()
        return 42

    owner = asyncio.create_task(cache.aget_or_load("k", "records", load))
    # The owner starts its load before the waiter asks: two Redis GETs run on two connections
    # and may answer in either order, which would make the waiter the owner.
    while cache.stats.loads < 1:
        await asyncio.sleep(0)
    waiter = asyncio.create_task(cache.aget_or_load("k", "records", load))
    while cache.stats.coalesced < 1:
        await asyncio.sleep(0)
    waiter.cancel()
    release.set()
    assert await owner == 42
    assert waiter.cancelled()
    assert cache.get("k", "records") == 42
    await cache.aclose()


def test_the_redis_backend_serves_successive_event_loops(redis_prefix: str) -> None:
    # A sync program running asyncio.run twice: the second loop must not reuse the first's pool.
    cache = Cache(RedisBackend(REDIS_URL, prefix=redis_prefix))

    async def roundtrip(value: int) -> JSON:
        await cache.aset("k", value, "records")
        got = await cache.aget("k", "records")
        await cache.aclose()
        return got

    assert asyncio.run(roundtrip(1)) == 1
    assert asyncio.run(roundtrip(2)) == 2
    assert cache.get("k", "records") == 2
    cache.close()
