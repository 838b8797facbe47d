"""TTL cache for records, lists, notes and the workspace schema, in memory or in Redis.

``Cache`` is the front every caller uses: ``get``/``set``/``delete`` by key and kind,
``invalidate_prefix`` and ``invalidate_kind``, read-through ``get_or_load`` / ``aget_or_load`` and
the ``cached`` / ``acached`` decorators, and ``stats`` (hits, misses, loads) for tests and
benchmarks. TTLs are per kind (``DEFAULT_TTLS``: records 5 min, lists 2 min, notes 1 min, schema
30 min). Values are JSON; the backends (``MemoryBackend`` by default, ``RedisBackend``) store bytes.

``create_cache("redis://127.0.0.1:6379/0")`` picks the backend from a URL (``memory://`` or
``None`` for memory).

Every failure is a ``CacheError`` (an ``AttioError``): a cache used wrongly (unknown kind, a value
that is not JSON, a bad URL), or a Redis that cannot be reached, which is ``retryable``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._core import (
    DEFAULT_TTLS,
    JSON,
    Cache,
    CacheBackend,
    CacheError,
    CacheKind,
    CacheStats,
    KindStats,
)
from .memory import Clock, MemoryBackend
from .redis_backend import DEFAULT_PREFIX, RedisBackend


def create_cache(
    url: str | None = None,
    *,
    ttls: Mapping[str, float] | None = None,
    prefix: str = DEFAULT_PREFIX,
    max_entries: int = 10_000,
) -> Cache:
    """A ``Cache`` whose backend ``url`` names: ``None``/``memory://`` or ``redis://...``."""
    if url is None or url.startswith("memory:"):
        return Cache(MemoryBackend(max_entries=max_entries), ttls=ttls)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return Cache(RedisBackend(url, prefix=prefix), ttls=ttls)
    raise CacheError(f"cache URL must be memory:// or redis://host:port/db, not {url!r}")


__all__ = [
    "DEFAULT_PREFIX",
    "DEFAULT_TTLS",
    "JSON",
    "Cache",
    "CacheBackend",
    "CacheError",
    "CacheKind",
    "CacheStats",
    "Clock",
    "KindStats",
    "MemoryBackend",
    "RedisBackend",
    "create_cache",
]
