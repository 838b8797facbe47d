"""The cache front: kinds and their TTLs, JSON encoding, statistics and read-through loading.

A ``Cache`` stores JSON values (``dict``, ``list``, ``str``, ``int``, ``float``, ``bool``,
``None``) under a key *within a kind* (``records``, ``lists``, ``notes``, ``schema`` or one the
caller configures). Each kind has its own TTL. The value is encoded to bytes here, so backends
only ever see ``bytes`` and the cache never sees our models: callers store pydantic models as
``model.model_dump(mode="json")`` and rebuild them with ``Model.model_validate(value)``.

Backends (``MemoryBackend``, ``RedisBackend``) implement ``CacheBackend`` over full keys
``<kind>:<key>``, which is what makes invalidation by kind a prefix deletion.
"""

from __future__ import annotations

import asyncio
import functools
import re
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, ParamSpec, Protocol, TypeAlias, runtime_checkable

import orjson

from ..errors import AttioError

JSON: TypeAlias = dict[str, Any] | list[Any] | str | int | float | bool | None
"""What a cache holds: a value that survives ``json.dumps`` / ``json.loads`` unchanged."""

P = ParamSpec("P")


class CacheKind(StrEnum):
    """The kinds of cached data with a default TTL (``DEFAULT_TTLS``)."""

    RECORDS = "records"
    LISTS = "lists"
    NOTES = "notes"
    SCHEMA = "schema"


DEFAULT_TTLS: Mapping[str, float] = {
    CacheKind.RECORDS: 5 * 60.0,
    CacheKind.LISTS: 2 * 60.0,
    CacheKind.NOTES: 60.0,
    CacheKind.SCHEMA: 30 * 60.0,
}
"""Seconds each kind lives, unless ``Cache(ttls=...)`` says otherwise (issue 4)."""

# A kind becomes part of every key, and ':' separates it from the key; keep kinds plain so a
# prefix such as "records:" can never match the keys of another kind.
_KIND_RE = re.compile(r"^[a-z0-9_-]+$")

# orjson would turn datetimes and dataclasses into JSON silently; a hit would then return a
# str or dict where the miss returned the object. Passing them through makes orjson refuse them.
_DUMP_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


class CacheError(AttioError):
    """A cache was used wrongly (unknown kind, a value that is not JSON), or its backend could
    not be reached (``retryable``: Redis is down or slow; the same call may work later)."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


@runtime_checkable
class CacheBackend(Protocol):
    """Where cached bytes live. Keys are full keys (``<kind>:<key>``); ``ttl`` is in seconds.

    The ``a``-prefixed twins serve async callers; a backend without async I/O (memory) simply
    calls its sync methods from them.
    """

    def get(self, key: str) -> bytes | None:
        """The bytes under ``key``, or ``None`` when absent or expired."""
        ...

    def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds."""
        ...

    def delete(self, key: str) -> bool:
        """Remove ``key``; whether it was there."""
        ...

    def delete_prefix(self, prefix: str) -> int:
        """Remove every key starting with ``prefix``; how many were removed."""
        ...

    def ttl(self, key: str) -> float | None:
        """Seconds ``key`` has left, or ``None`` when absent."""
        ...

    def clear(self) -> None:
        """Remove every key of this backend (only its own namespace for a shared store)."""
        ...

    async def aget(self, key: str) -> bytes | None:
        """``get`` for async callers."""
        ...

    async def aset(self, key: str, value: bytes, ttl: float) -> None:
        """``set`` for async callers."""
        ...

    async def adelete(self, key: str) -> bool:
        """``delete`` for async callers."""
        ...

    def close(self) -> None:
        """Release connections (nothing to do in memory)."""
        ...

    async def aclose(self) -> None:
        """Release async connections."""
        ...


@dataclass(frozen=True)
class KindStats:
    """Counters of one kind."""

    hits: int = 0
    misses: int = 0
    sets: int = 0
    loads: int = 0
    coalesced: int = 0
    invalidations: int = 0


@dataclass(frozen=True)
class CacheStats:
    """Counters of a cache since it was made or ``reset_stats()``; ``by_kind`` splits them."""

    by_kind: Mapping[str, KindStats] = field(default_factory=dict)

    def _total(self, name: str) -> int:
        return sum(getattr(s, name) for s in self.by_kind.values())

    @property
    def hits(self) -> int:
        """Reads answered from the cache."""
        return self._total("hits")

    @property
    def misses(self) -> int:
        """Reads that found nothing (absent or expired)."""
        return self._total("misses")

    @property
    def sets(self) -> int:
        """Values written."""
        return self._total("sets")

    @property
    def loads(self) -> int:
        """Loader calls made by ``get_or_load`` / ``aget_or_load`` / ``cached``."""
        return self._total("loads")

    @property
    def coalesced(self) -> int:
        """Async misses that waited for a load already running for the same key."""
        return self._total("coalesced")

    @property
    def invalidations(self) -> int:
        """Keys removed by ``delete`` / ``invalidate*``."""
        return self._total("invalidations")

    @property
    def hit_ratio(self) -> float:
        """``hits / (hits + misses)``, 0.0 before any read."""
        reads = self.hits + self.misses
        return self.hits / reads if reads else 0.0

    def kind(self, kind: str) -> KindStats:
        """The counters of ``kind`` (zeros when it was never used)."""
        return self.by_kind.get(str(kind), KindStats())


def encode(value: object) -> bytes:
    """``value`` as JSON bytes; ``CacheError`` when it is not plain JSON."""
    try:
        return orjson.dumps(value, option=_DUMP_OPTIONS)
    except TypeError as exc:
        raise CacheError(
            f"cache values must be JSON (dict, list, str, int, float, bool, None), not "
            f"{type(value).__name__}: store a pydantic model as model_dump(mode='json') ({exc})"
        ) from None


def decode(data: bytes) -> JSON:
    """JSON bytes back into a value."""
    value: JSON = orjson.loads(data)
    return value


class Cache:
    """A TTL cache of JSON values by kind, over a ``CacheBackend`` (memory when none is given).

    ``ttls`` overrides or extends ``DEFAULT_TTLS``; a kind with TTL 0 is never stored (reads
    always miss and loaders always run), which turns caching off for it.
    """

    def __init__(
        self, backend: CacheBackend | None = None, *, ttls: Mapping[str, float] | None = None
    ) -> None:
        if backend is None:
            from .memory import MemoryBackend

            backend = MemoryBackend()
        self.backend = backend
        merged = {str(k): float(v) for k, v in DEFAULT_TTLS.items()}
        for kind, ttl in (ttls or {}).items():
            if not _KIND_RE.match(str(kind)):
                raise CacheError(f"cache kind {kind!r} must match [a-z0-9_-]+")
            if ttl < 0:
                raise CacheError(f"TTL of {kind!r} must be >= 0 seconds, not {ttl}")
            merged[str(kind)] = float(ttl)
        self.ttls: Mapping[str, float] = merged
        self._lock = threading.Lock()
        self._stats: dict[str, KindStats] = {}
        self._inflight: dict[str, asyncio.Future[bytes]] = {}

    # -- keys and counters -----------------------------------------------------------------
    def _full(self, key: str, kind: str) -> str:
        kind = str(kind)
        if kind not in self.ttls:
            known = ", ".join(sorted(self.ttls))
            raise CacheError(f"unknown cache kind {kind!r}; known kinds: {known}")
        return f"{kind}:{key}"

    def _count(self, kind: str, name: str, n: int = 1) -> None:
        kind = str(kind)
        with self._lock:
            current = self._stats.get(kind, KindStats())
            self._stats[kind] = replace(current, **{name: getattr(current, name) + n})

    @property
    def stats(self) -> CacheStats:
        """A snapshot of the counters."""
        with self._lock:
            return CacheStats(by_kind=dict(self._stats))

    def reset_stats(self) -> None:
        """Set every counter back to zero."""
        with self._lock:
            self._stats.clear()

    def ttl_of(self, kind: str) -> float:
        """The TTL of ``kind`` in seconds."""
        self._full("", kind)
        return self.ttls[str(kind)]

    # -- sync ------------------------------------------------------------------------------
    def _read(self, kind: str, raw: bytes | None) -> bytes | None:
        self._count(kind, "hits" if raw is not None else "misses")
        return raw

    def get(self, key: str, kind: str, default: JSON = None) -> JSON:
        """The value under ``key`` in ``kind``, or ``default`` on a miss."""
        raw = self._read(kind, self.backend.get(self._full(key, kind)))
        return default if raw is None else decode(raw)

    def contains(self, key: str, kind: str) -> bool:
        """Whether ``key`` is cached in ``kind`` (not counted as a read)."""
        return self.backend.get(self._full(key, kind)) is not None

    def set(self, key: str, value: JSON, kind: str) -> None:
        """Store ``value`` under ``key`` for the TTL of ``kind``."""
        full, data = self._full(key, kind), encode(value)
        self._store(full, data, kind)

    def _store(self, full: str, data: bytes, kind: str) -> None:
        ttl = self.ttls[str(kind)]
        if ttl > 0:
            self.backend.set(full, data, ttl)
            self._count(kind, "sets")

    def delete(self, key: str, kind: str) -> bool:
        """Invalidate ``key`` in ``kind``; whether it was cached."""
        removed = self.backend.delete(self._full(key, kind))
        self._count(kind, "invalidations", int(removed))
        return removed

    invalidate = delete

    def invalidate_prefix(self, prefix: str, kind: str | None = None) -> int:
        """Invalidate the keys starting with ``prefix`` in ``kind`` (every kind when ``None``)."""
        kinds: Iterable[str] = self.ttls if kind is None else [str(kind)]
        total = 0
        for k in kinds:
            removed = self.backend.delete_prefix(self._full(prefix, k))
            self._count(k, "invalidations", removed)
            total += removed
        return total

    def invalidate_kind(self, kind: str) -> int:
        """Invalidate every key of ``kind``."""
        return self.invalidate_prefix("", kind)

    def clear(self) -> None:
        """Invalidate everything this cache holds."""
        self.backend.clear()

    def ttl_remaining(self, key: str, kind: str) -> float | None:
        """Seconds ``key`` has left in ``kind``, ``None`` when it is not cached."""
        return self.backend.ttl(self._full(key, kind))

    def get_or_load(self, key: str, kind: str, loader: Callable[[], JSON]) -> JSON:
        """The cached value, or ``loader()``'s value, stored for the kind's TTL.

        A miss returns the value as it will read back from the cache (it goes through JSON), so
        a hit and a miss always give the same shapes.
        """
        full = self._full(key, kind)
        raw = self._read(kind, self.backend.get(full))
        if raw is not None:
            return decode(raw)
        self._count(kind, "loads")
        data = encode(loader())
        self._store(full, data, kind)
        return decode(data)

    def cached(
        self, kind: str, key: Callable[P, str]
    ) -> Callable[[Callable[P, JSON]], Callable[P, JSON]]:
        """Decorate a function so its results are cached in ``kind`` under ``key(*args)``."""
        self._full("", kind)

        def decorate(func: Callable[P, JSON]) -> Callable[P, JSON]:
            @functools.wraps(func)
            def wrapper(*args: P.args, **kwargs: P.kwargs) -> JSON:
                return self.get_or_load(key(*args, **kwargs), kind, lambda: func(*args, **kwargs))

            return wrapper

        return decorate

    # -- async -----------------------------------------------------------------------------
    async def aget(self, key: str, kind: str, default: JSON = None) -> JSON:
        """``get`` for async callers."""
        raw = self._read(kind, await self.backend.aget(self._full(key, kind)))
        return default if raw is None else decode(raw)

    async def aset(self, key: str, value: JSON, kind: str) -> None:
        """``set`` for async callers."""
        full, data = self._full(key, kind), encode(value)
        await self._astore(full, data, kind)

    async def _astore(self, full: str, data: bytes, kind: str) -> None:
        ttl = self.ttls[str(kind)]
        if ttl > 0:
            await self.backend.aset(full, data, ttl)
            self._count(kind, "sets")

    async def adelete(self, key: str, kind: str) -> bool:
        """``delete`` for async callers."""
        removed = await self.backend.adelete(self._full(key, kind))
        self._count(kind, "invalidations", int(removed))
        return removed

    async def aget_or_load(
        self, key: str, kind: str, loader: Callable[[], Awaitable[JSON]]
    ) -> JSON:
        """``get_or_load`` with an async loader (``lambda: client.records.get(...)``).

        Concurrent misses of one key share one load: a hundred tasks asking for the schema of a
        cold cache make one API call, not a hundred (counted in ``stats.coalesced``).
        """
        full = self._full(key, kind)
        raw = self._read(kind, await self.backend.aget(full))
        if raw is not None:
            return decode(raw)
        loop = asyncio.get_running_loop()
        pending = self._inflight.get(full)
        if pending is not None and pending.get_loop() is loop:
            self._count(kind, "coalesced")
            # shield: a waiter being cancelled must not cancel the load the others wait for.
            return decode(await asyncio.shield(pending))
        future: asyncio.Future[bytes] = loop.create_future()
        self._inflight[full] = future
        try:
            self._count(kind, "loads")
            data = encode(await loader())
            await self._astore(full, data, kind)
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(exc)
                # Retrieved here, so a load nobody else waited for is not logged as unhandled.
                future.exception()
            raise
        else:
            future.set_result(data)
            return decode(data)
        finally:
            if self._inflight.get(full) is future:
                del self._inflight[full]

    def acached(
        self, kind: str, key: Callable[P, str]
    ) -> Callable[[Callable[P, Awaitable[JSON]]], Callable[P, Awaitable[JSON]]]:
        """``cached`` for coroutine functions."""
        self._full("", kind)

        def decorate(func: Callable[P, Awaitable[JSON]]) -> Callable[P, Awaitable[JSON]]:
            @functools.wraps(func)
            async def wrapper(*args: P.args, **kwargs: P.kwargs) -> JSON:
                return await self.aget_or_load(
                    key(*args, **kwargs), kind, lambda: func(*args, **kwargs)
                )

            return wrapper

        return decorate

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        """Close the backend's connections."""
        self.backend.close()

    async def aclose(self) -> None:
        """Close the backend's async connections."""
        await self.backend.aclose()
