"""The Redis cache backend: one key per entry under a configurable prefix, expiry by Redis.

Values are stored with ``SET ... PX`` so Redis expires them itself; several processes sharing
one Redis therefore share one cache. Every key starts with ``prefix`` (default
``attio-bridge:cache:``), so ``clear()`` and prefix invalidation touch only this cache's keys,
found with ``SCAN`` (never ``KEYS``, which blocks the server). Sync callers use ``redis.Redis``,
async callers ``redis.asyncio.Redis``; both are made from one URL unless given.

Redis's own errors come out as ``CacheError``: ``retryable`` when Redis could not be reached or
answered too late (the same call may work once it is back), not when it refused the credentials
or the command. Messages show the URL without its password.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..errors import mask_url
from ._core import CacheError

# redis-py is imported when a backend first talks to Redis: the services, and so every command
# of the CLI, import this module whether or not a cache is in Redis.
if TYPE_CHECKING:
    import redis
    import redis.asyncio

DEFAULT_PREFIX = "attio-bridge:cache:"
DEFAULT_URL = "redis://127.0.0.1:6379/0"

# Glob characters of SCAN MATCH; a key prefix must match itself literally.
_GLOB = re.compile(r"([*?\[\]\\])")


def _bytes(value: bytes | str | None) -> bytes | None:
    # A client made with decode_responses=True answers str; the cache deals in bytes.
    return value.encode() if isinstance(value, str) else value


class RedisBackend:
    """A ``CacheBackend`` in Redis."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        prefix: str = DEFAULT_PREFIX,
        client: redis.Redis | None = None,
        async_client: redis.asyncio.Redis | None = None,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self._client = client
        self._async_client = async_client
        self._own_async_client = async_client is None
        self._async_loop: asyncio.AbstractEventLoop | None = None

    @property
    def client(self) -> redis.Redis:
        """The sync client (made from ``url`` on first use)."""
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(self.url)
        return self._client

    @property
    def async_client(self) -> redis.asyncio.Redis:
        """The async client, made from ``url`` for the running event loop.

        Its connections belong to the loop that opened them, so a backend used from a new loop
        (a sync program calling ``asyncio.run`` repeatedly) gets a new client; one passed in as
        ``async_client`` is always used as is.
        """
        loop = asyncio.get_running_loop()
        client = self._async_client
        if client is not None and (not self._own_async_client or self._async_loop is loop):
            return client
        import redis.asyncio

        client = self._async_client = redis.asyncio.Redis.from_url(self.url)
        self._async_loop = loop
        return client

    @contextmanager
    def _failures(self) -> Iterator[None]:
        """Redis's errors inside the block, as ``CacheError``."""
        import redis

        where = mask_url(self.url)
        try:
            yield
        # AuthenticationError is a ConnectionError in redis-py, but waiting will not fix it.
        except redis.AuthenticationError as exc:
            raise CacheError(
                f"Redis at {where} refused the credentials ({exc}): fix the user and password "
                "in the cache URL"
            ) from exc
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise CacheError(
                f"cannot reach Redis at {where} ({exc}): check that it runs and the cache URL "
                "names it, then try again",
                retryable=True,
            ) from exc
        except redis.RedisError as exc:
            raise CacheError(f"Redis at {where} failed: {exc}") from exc

    def _key(self, key: str) -> str:
        return self.prefix + key

    @staticmethod
    def _ms(ttl: float) -> int:
        # PX takes whole milliseconds and rejects 0; a positive TTL keeps at least 1 ms.
        return max(1, round(ttl * 1000))

    def get(self, key: str) -> bytes | None:
        """The bytes under ``key``, ``None`` when absent or expired."""
        with self._failures():
            return _bytes(self.client.get(self._key(key)))

    def set(self, key: str, value: bytes, ttl: float) -> None:
        """``SET key value PX ttl``."""
        with self._failures():
            self.client.set(self._key(key), value, px=self._ms(ttl))

    def delete(self, key: str) -> bool:
        """Remove ``key``; whether it was there."""
        with self._failures():
            return bool(self.client.delete(self._key(key)))

    def delete_prefix(self, prefix: str) -> int:
        """Remove the keys starting with ``prefix`` (found with ``SCAN``), in batches."""
        with self._failures():
            pattern = _GLOB.sub(r"\\\1", self._key(prefix)) + "*"
            removed = 0
            batch: list[bytes] = []
            for found in self.client.scan_iter(match=pattern, count=500):
                batch.append(found)
                if len(batch) >= 500:
                    removed += int(self.client.unlink(*batch))
                    batch.clear()
            if batch:
                removed += int(self.client.unlink(*batch))
            return removed

    def ttl(self, key: str) -> float | None:
        """Seconds left for ``key`` from ``PTTL``, ``None`` when absent."""
        with self._failures():
            ms = int(self.client.pttl(self._key(key)))
            # -2: no such key; -1: a key without expiry, which this backend never writes.
            return None if ms < 0 else ms / 1000

    def clear(self) -> None:
        """Remove every key under this backend's prefix (other keys in the database stay)."""
        self.delete_prefix("")

    async def aget(self, key: str) -> bytes | None:
        """``get`` for async callers."""
        with self._failures():
            return _bytes(await self.async_client.get(self._key(key)))

    async def aset(self, key: str, value: bytes, ttl: float) -> None:
        """``set`` for async callers."""
        with self._failures():
            await self.async_client.set(self._key(key), value, px=self._ms(ttl))

    async def adelete(self, key: str) -> bool:
        """``delete`` for async callers."""
        with self._failures():
            return bool(await self.async_client.delete(self._key(key)))

    def close(self) -> None:
        """Close the sync client's connections."""
        if self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        """Close the async client's connections.

        Call it before the event loop ends (at the end of each ``asyncio.run``): a client whose
        loop is already gone can no longer be closed, only dropped, and redis-py then warns
        (``ResourceWarning``) about its connections when they are collected.
        """
        client = self._async_client
        if client is None:
            return
        if self._own_async_client:
            self._async_client = None
            if self._async_loop is not asyncio.get_running_loop():
                self._async_loop = None
                return
            self._async_loop = None
        await client.aclose()
