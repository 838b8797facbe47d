"""The proactive rate budget: separate read and write budgets per API key (pyrate-limiter).

Attio allows 100 reads and 25 writes per second (API-NOTES §8). Pacing below that means a
well-behaved run never sees a 429. One ``RateBudget`` exists per (key, rates, backend), so every
client in a process shares it; the ``sqlite`` backend (the default) shares it between processes
on one machine through a file, and a Redis URL or client shares it across machines. When Attio
answers 429 anyway, ``pause()`` holds every request on this budget until ``Retry-After``.

Permits are also spread out, a few at a time (5 per fifth of the window at Attio's rates), not a
second's worth at once: a burst of 25 writes reaches Attio spread over tens of milliseconds by
its own processing, and one that straddles the start of Attio's one-second window shares that
window with the next burst. Allowing a few at once lets a caller that woke late catch up, where
strict one-by-one spacing would lose its lateness every time.

The API key itself is never stored or used as a name: buckets are named by a hash of it. A
Redis that cannot be reached or fails is a ``RateBackendError`` (retryable) naming it, its
password hidden.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pyrate_limiter import (
    AbstractBucket,
    Duration,
    InMemoryBucket,
    Limiter,
    Rate,
    RateItem,
    RedisBucket,
    SQLiteBucket,
)
from pyrate_limiter.buckets.redis_bucket import LuaScript
from pyrate_limiter.limiter import combined_lock

from ..errors import ConfigurationError, mask_url
from ._exceptions import RateBackendError

DEFAULT_READ_RATE = 100
DEFAULT_WRITE_RATE = 25
# A little slack on the window: requests sent evenly still reach Attio with jittery latency, and
# a burst compressed in transit must not overflow Attio's one-second window.
DEFAULT_MARGIN_MS = 20
# How much later than the bucket's computed free moment a blocked caller retries. With permits
# spread out, it is paid every few permits: pyrate-limiter's default (50 ms) would cost a fifth
# of the write rate. One millisecond covers timestamps truncated to the millisecond.
WAIT_BUFFER_MS = 1
# At most this many permits at once (fewer for rates under 25/s: a fifth of the rate).
SPREAD_BURST = 5
# Seconds to wait for a connection to a Redis backend (from a URL) before giving up, where
# redis-py would wait as long as the system does (minutes for a host that does not answer).
REDIS_CONNECT_TIMEOUT = 5.0
_REGISTRY: dict[tuple[Any, ...], RateBudget] = {}
_REGISTRY_LOCK = threading.Lock()


def key_fingerprint(api_key: str) -> str:
    """A short, non-reversible name for an API key."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


class RateBudget:
    """Read and write budgets for one API key, paced proactively.

    ``rate`` permits per ``1 s + margin_ms`` window, spread a few at a time over it unless
    ``spread`` is False (then a window's permits may go at once).
    """

    def __init__(
        self,
        fingerprint: str,
        read_rate: int = DEFAULT_READ_RATE,
        write_rate: int = DEFAULT_WRITE_RATE,
        backend: Any = "sqlite",
        margin_ms: int = DEFAULT_MARGIN_MS,
        spread: bool = True,
    ) -> None:
        self.fingerprint = fingerprint
        self.read_rate = read_rate
        self.write_rate = write_rate
        # Never the Redis URL itself: it may hold a password.
        self.backend_name = backend if backend in ("memory", "sqlite") else "redis"
        self._shown = _shown(backend)
        self._redis = None
        self._paused_until = 0.0
        self.spread = spread
        window = Duration.SECOND + margin_ms
        with self._reaching_backend():
            self._limiters: dict[bool, Limiter | None] = {
                False: self._limiter(backend, "read", read_rate, window),
                True: self._limiter(backend, "write", write_rate, window),
            }

    @contextmanager
    def _reaching_backend(self) -> Iterator[None]:
        """A Redis backend's errors inside the block as ``RateBackendError``, naming it."""
        if self.backend_name != "redis":
            yield
            return
        import redis

        try:
            yield
        except redis.RedisError as exc:
            raise RateBackendError(
                f"The rate-limit backend {self._shown} cannot be used ({exc}): start it, or "
                "pace this machine alone with the backend sqlite (ATTIO_RATE_LIMIT_BACKEND, or "
                "rate_limit_backend=)."
            ) from exc

    def _limiter(self, backend: Any, kind: str, rate: int, window: int) -> Limiter | None:
        if rate <= 0:
            return None
        rates = [Rate(rate, window)]
        burst = min(SPREAD_BURST, rate // 5)
        # pyrate-limiter admits a permit a millisecond after the interval, plus its wait buffer:
        # take both off, so that the window, not the spreading, sets the pace.
        spacing = window * burst // rate - 1 - WAIT_BUFFER_MS
        if self.spread and burst >= 1 and spacing >= 1:
            rates.insert(0, Rate(burst, spacing))
        name = f"attio-bridge:{self.fingerprint}:{kind}"
        if backend == "memory":
            return Limiter(InMemoryBucket(rates), buffer_ms=WAIT_BUFFER_MS)
        if backend == "sqlite":
            folder = Path(tempfile.gettempdir()) / "attio-bridge"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"rate-{self.fingerprint}-{kind}.sqlite"
            bucket = SQLiteBucket.init_from_file(
                rates, table="rate_bucket", db_path=str(path), use_file_lock=True
            )
            return Limiter(bucket, buffer_ms=WAIT_BUFFER_MS)
        redis = _redis_client(backend)
        self._redis = redis
        return Limiter(_redis_bucket(rates, redis, name), buffer_ms=WAIT_BUFFER_MS)

    def _pause_key(self) -> str:
        return f"attio-bridge:{self.fingerprint}:paused-until"

    def paused_for(self) -> float:
        """Seconds left of a pause Attio asked for (0 when none)."""
        until = self._paused_until
        if self._redis is not None:
            with self._reaching_backend():
                shared = self._redis.get(self._pause_key())
            if shared is not None:
                until = max(until, float(shared))
        return max(0.0, until - time.time())

    def pause(self, seconds: float) -> None:
        """Hold every request on this budget for ``seconds`` (Attio said 429)."""
        until = time.time() + seconds
        self._paused_until = max(self._paused_until, until)
        if self._redis is not None:
            with self._reaching_backend():
                self._redis.set(self._pause_key(), str(until), px=max(1, int(seconds * 1000)))

    def _put(self, limiter: Limiter, write: bool) -> int | None:
        """Take a permit dated now if one is free (None), else the milliseconds until one is.

        The first step of ``Limiter.try_acquire``, under the same locks, without its wait.
        """
        with combined_lock(limiter.lock, blocking=True), self._reaching_backend():
            item = limiter.bucket_factory.wrap_item("w" if write else "r")
            bucket = limiter.bucket_factory.get(item) if isinstance(item, RateItem) else None
            # Sync buckets only (memory, sqlite, a sync Redis client).
            assert isinstance(item, RateItem) and isinstance(bucket, AbstractBucket)
            if bucket.put(item) is True:
                return None
            wait = bucket.waiting(item)
            assert isinstance(wait, int)
            return max(0, wait)

    def try_take(self, write: bool) -> bool:
        """Take one read or write permit only if one is free now (False when spent or paused)."""
        # Not try_acquire(blocking=False): it calls acquire(False) on the sqlite file lock,
        # which filelock reads as a timeout.
        if self.paused_for() > 0:
            return False
        limiter = self._limiters[write]
        return limiter is None or self._put(limiter, write) is None

    def acquire(self, write: bool) -> None:
        """Wait for one read or write permit."""
        limiter = self._limiters[write]
        while True:
            # Again after each wait: another 429 meanwhile may have pushed the pause further.
            while (wait := self.paused_for()) > 0:
                time.sleep(wait)
            if limiter is None:
                return
            wait_ms = self._put(limiter, write)
            if wait_ms is None:
                return
            # Then a fresh attempt, dated when it is made. Limiter.try_acquire's own blocking
            # wait dates the permit by the sleep it planned, which is earlier than the real use
            # when the thread wakes late or waits for the file lock: the budget then lets more
            # than its rate through.
            time.sleep((wait_ms + WAIT_BUFFER_MS) / 1000)

    def close(self) -> None:
        """Stop the budget's background clean-up and release its buckets; it is unusable after.

        Needed only before closing a Redis client this budget was given: the clean-up thread
        would otherwise go on using it.
        """
        for limiter in self._limiters.values():
            if limiter is not None:
                limiter.close()

    async def acquire_async(self, write: bool) -> None:
        """Wait for one read or write permit without blocking the event loop."""
        while (wait := self.paused_for()) > 0:
            await asyncio.sleep(wait)
        limiter = self._limiters[write]
        if limiter is not None:
            with self._reaching_backend():
                await limiter.try_acquire_async("w" if write else "r")


# pyrate-limiter's Redis script counts the permits dated up to the caller's own clock reading.
# Two callers sharing the key (two machines, or two connections) read their clocks and then run
# the script in either order, so the one that runs second with the earlier reading does not see
# the other's permit and admits one too many. Every permit since the window's start counts.
_ZCOUNT_TO_NOW = "redis.call('ZCOUNT', bucket, window_start, now)"
_ZCOUNT_ALL = "redis.call('ZCOUNT', bucket, window_start, '+inf')"


class _GatedRedisBucket(RedisBucket):
    """A ``RedisBucket`` whose clean-up can be shut off for good.

    pyrate-limiter's clean-up thread wakes every few seconds and may be in the middle of a
    command when the caller closes the Redis client; stopping the thread only keeps it from
    starting another round. ``close()`` (called by ``Limiter.close()``) waits for a round in
    progress, and none runs after it.
    """

    def __init__(self, rates: list[Rate], redis: Any, name: str, script_hash: str) -> None:
        super().__init__(rates, redis, name, script_hash)
        self._gate = threading.Lock()
        self._shut = False

    def leak(self, current_timestamp: int | None = None) -> Any:
        with self._gate:
            if self._shut:
                return 0
            return super().leak(current_timestamp)

    def close(self) -> None:
        with self._gate:
            self._shut = True
        super().close()


def _redis_bucket(rates: list[Rate], redis: Any, name: str) -> RedisBucket:
    """pyrate-limiter's ``RedisBucket`` with the script above corrected (sync clients only)."""
    script = LuaScript.PUT_ITEM
    if _ZCOUNT_TO_NOW not in script:
        raise ConfigurationError(
            "This pyrate-limiter's Redis script is not the one attio-bridge corrects; use the "
            "version the project locks."
        )
    script_hash = redis.script_load(script.replace(_ZCOUNT_TO_NOW, _ZCOUNT_ALL))
    return _GatedRedisBucket(rates, redis, name, script_hash)


def _redis_client(backend: Any) -> Any:
    if isinstance(backend, str):
        if not backend.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigurationError(
                f"rate_limit_backend must be 'memory', 'sqlite', a redis:// URL or a Redis "
                f"client, not {backend!r}."
            )
        import redis

        return redis.Redis.from_url(backend, socket_connect_timeout=REDIS_CONNECT_TIMEOUT)
    return backend


def _shown(backend: Any) -> str:
    """The backend as a message names it: a URL with its password, if any, as ``***``."""
    return mask_url(backend) if isinstance(backend, str) else "(a Redis client)"


def budget_for(
    api_key: str,
    read_rate: int = DEFAULT_READ_RATE,
    write_rate: int = DEFAULT_WRITE_RATE,
    backend: Any = None,
) -> RateBudget:
    """The process-wide budget for this key, rates and backend (created on first use)."""
    if backend is None:
        backend = os.environ.get("ATTIO_RATE_LIMIT_BACKEND", "sqlite")
    fp = key_fingerprint(api_key)
    ident = (fp, read_rate, write_rate, backend if isinstance(backend, str) else id(backend))
    with _REGISTRY_LOCK:
        budget = _REGISTRY.get(ident)
        if budget is None:
            budget = RateBudget(fp, read_rate, write_rate, backend)
            _REGISTRY[ident] = budget
        return budget
