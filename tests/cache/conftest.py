"""Fixtures of the cache tests: each backend, the Redis one against the real Redis.

The Redis backend runs against ``127.0.0.1:6379`` database 0 (``ATTIO_TEST_REDIS_URL`` to point
elsewhere) under a key prefix unique to the test, and every key under it is removed afterwards.
It is skipped, with the reason, only when no Redis answers there.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis

from attio_bridge.cache import MemoryBackend, RedisBackend
from tests._servers import server_absent

REDIS_URL = os.environ.get("ATTIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class FakeClock:
    """A clock the test moves by hand (``MemoryBackend(clock=...)``)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (redis.asyncio needs it)."""
    return "asyncio"


@pytest.fixture
def clock() -> FakeClock:
    """The clock of the memory backend."""
    return FakeClock()


@pytest.fixture(scope="session")
def redis_client() -> Iterator[redis.Redis]:
    """A client of the real Redis, or a skip saying why there is none."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        server_absent(f"Redis is not reachable at {REDIS_URL} ({exc})", "start it to run these")
    yield client
    client.close()


@pytest.fixture
def redis_prefix(redis_client: redis.Redis) -> Iterator[str]:
    """A key prefix of this test alone; whatever it leaves under it is deleted afterwards."""
    prefix = f"attio-bridge-test:{uuid.uuid4().hex}:"
    yield prefix
    leftovers = list(redis_client.scan_iter(match=prefix + "*"))
    if leftovers:
        redis_client.delete(*leftovers)


@pytest.fixture(params=["memory", "redis"])
def backend(
    request: pytest.FixtureRequest, clock: FakeClock
) -> Iterator[MemoryBackend | RedisBackend]:
    """Each backend in turn, fresh for the test."""
    if request.param == "memory":
        yield MemoryBackend(clock=clock)
        return
    prefix: str = request.getfixturevalue("redis_prefix")
    made = RedisBackend(REDIS_URL, prefix=prefix)
    yield made
    made.close()
