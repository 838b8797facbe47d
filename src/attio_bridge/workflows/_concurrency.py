"""Running many calls at once, in both flavours: ``AsyncWorkers`` and ``AsyncLock`` for the
async workflows, ``Workers`` and ``Lock`` for their generated sync twins (``scripts/gen_sync.py``
renames ``AsyncX`` to ``X``). The async side runs coroutines on the event loop (the client's
``run_bulk``); the sync side runs calls in threads, which the sync client allows (one connection
pool and rate budget shared by threads).

Both take calls lazily, at most ``concurrency`` at a time, and give one ``BulkResult`` per call
in the order given: a call that fails does not stop the others.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TypeVar

from ..client import DEFAULT_CONCURRENCY, BulkResult, run_bulk
from ..errors import InvalidInputError

__all__ = ["DEFAULT_CONCURRENCY", "AsyncLock", "AsyncWorkers", "Lock", "Workers"]

T = TypeVar("T")

# A lock shared by the tasks of one event loop / by threads: ``async with`` / ``with``.
AsyncLock = asyncio.Lock
Lock = threading.Lock


def _check(concurrency: int) -> int:
    if concurrency < 1:
        raise InvalidInputError(f"concurrency must be 1 or more, not {concurrency}")
    return concurrency


class AsyncWorkers:
    """Awaits calls (factories of coroutines) at most ``concurrency`` at a time."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = _check(concurrency)

    async def results(self, calls: Iterable[Callable[[], Awaitable[T]]]) -> list[BulkResult[T]]:
        """A result per call, in order (``run_bulk``)."""
        return await run_bulk(calls, concurrency=self.concurrency)

    async def all(self, calls: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
        """The value of every call, in order; the first error (in call order) raised."""
        return [result.unwrap() for result in await self.results(calls)]


class Workers:
    """Runs calls in at most ``concurrency`` threads at a time.

    Interrupted (Ctrl-C in the calling thread), it starts no further call; the calls running
    finish in their threads, which do not keep the process alive."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = _check(concurrency)

    def results(self, calls: Iterable[Callable[[], T]]) -> list[BulkResult[T]]:
        """A result per call, in order."""
        pending = enumerate(calls)
        taking = threading.Lock()  # ``calls`` may be a generator: one thread advances it
        stop = threading.Event()
        results: dict[int, BulkResult[T]] = {}
        broken: list[Exception] = []  # ``calls`` itself failed: raised, as ``run_bulk`` does

        def worker() -> None:
            while not stop.is_set():
                with taking:
                    try:
                        item = next(pending, None)
                    except Exception as exc:
                        broken.append(exc)
                        stop.set()
                        return
                if item is None:
                    return
                index, call = item
                try:
                    results[index] = BulkResult(index, value=call())
                except Exception as exc:
                    results[index] = BulkResult(index, error=exc)

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(self.concurrency)]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                thread.join()
        finally:
            stop.set()
        if broken:
            raise broken[0]
        return [results[i] for i in range(len(results))]

    def all(self, calls: Sequence[Callable[[], T]]) -> list[T]:
        """The value of every call, in order; the first error (in call order) raised."""
        return [result.unwrap() for result in self.results(calls)]
