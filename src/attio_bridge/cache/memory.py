"""The in-process cache backend: a bounded dict with per-key expiry and LRU eviction.

Time comes from an injectable ``clock`` (``time.monotonic`` by default) so tests move it by hand
instead of sleeping. Expired entries are dropped when they are read, and the least recently used
entries are evicted once ``max_entries`` is reached.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from ._core import CacheError

Clock = Callable[[], float]
"""Seconds on a monotonic scale; only differences matter."""


class MemoryBackend:
    """A ``CacheBackend`` in this process's memory, safe to share between threads."""

    def __init__(self, *, max_entries: int = 10_000, clock: Clock = time.monotonic) -> None:
        if max_entries < 1:
            raise CacheError(f"max_entries must be at least 1, not {max_entries}")
        self.max_entries = max_entries
        self.clock = clock
        self.evictions = 0
        """Entries dropped to stay within ``max_entries`` (expiry is not counted)."""
        self._data: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def _live(self, key: str) -> tuple[float, bytes] | None:
        item = self._data.get(key)
        if item is not None and item[0] <= self.clock():
            del self._data[key]
            return None
        return item

    def get(self, key: str) -> bytes | None:
        """The bytes under ``key``, marking it recently used; ``None`` when absent or expired."""
        with self._lock:
            item = self._live(key)
            if item is None:
                return None
            self._data.move_to_end(key)
            return item[1]

    def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store ``value`` for ``ttl`` seconds, evicting the least recently used if full."""
        with self._lock:
            self._data[key] = (self.clock() + ttl, value)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)
                self.evictions += 1

    def delete(self, key: str) -> bool:
        """Remove ``key``; whether a live entry was there."""
        with self._lock:
            live = self._live(key) is not None
            self._data.pop(key, None)
            return live

    def delete_prefix(self, prefix: str) -> int:
        """Remove the live keys starting with ``prefix``."""
        with self._lock:
            now = self.clock()
            doomed = [k for k in self._data if k.startswith(prefix)]
            live = sum(1 for k in doomed if self._data[k][0] > now)
            for k in doomed:
                del self._data[k]
            return live

    def ttl(self, key: str) -> float | None:
        """Seconds left for ``key``, ``None`` when absent or expired."""
        with self._lock:
            item = self._live(key)
            return None if item is None else item[0] - self.clock()

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._data.clear()

    async def aget(self, key: str) -> bytes | None:
        """``get`` (no I/O to wait for)."""
        return self.get(key)

    async def aset(self, key: str, value: bytes, ttl: float) -> None:
        """``set`` (no I/O to wait for)."""
        self.set(key, value, ttl)

    async def adelete(self, key: str) -> bool:
        """``delete`` (no I/O to wait for)."""
        return self.delete(key)

    def close(self) -> None:
        """Nothing to release."""

    async def aclose(self) -> None:
        """Nothing to release."""
