"""Many writes at once, paced by the client's rate budget, with one result per item.

``run_bulk()`` runs coroutine factories with bounded concurrency. It does no pacing of its own:
every call goes through the client, whose shared write budget admits Attio's 25 writes/s, so
``concurrency`` only has to cover latency (25/s at 1 s each needs 25 in flight). Each item gets a
``BulkResult`` holding its value or its error, in the order given: one failure never loses the
rest. ``assert_records()`` is the common case, an upsert of many records by a unique attribute.

Async only: ``scripts/gen_sync.py`` leaves this module out, because running writes side by
side is what the event loop is for.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from ...errors import ConfigurationError

if TYPE_CHECKING:
    from ..models import Record
    from .client import AsyncAttioClient

T = TypeVar("T")
# Enough in flight to fill the write budget at Attio's slowest usual latencies (about 1 s per
# write); more only queue on the budget.
DEFAULT_CONCURRENCY = 50


@dataclass(frozen=True, slots=True)
class BulkResult(Generic[T]):
    """What became of one item: ``value`` when it succeeded, ``error`` when it failed."""

    index: int
    value: T | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.error is None

    def unwrap(self) -> T:
        """The value, or raise the item's error."""
        if self.error is not None:
            raise self.error
        return cast(T, self.value)


async def run_bulk(
    calls: Iterable[Callable[[], Awaitable[T]]],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> list[BulkResult[T]]:
    """Await every ``call()``, at most ``concurrency`` at a time; a result per call, in order.

    ``calls`` are factories (``functools.partial(attio.records.assert_record, ...)``), not
    coroutines, so nothing starts before its turn and ``calls`` may be a lazy iterable. An
    exception from one call becomes that item's ``error`` (the client has already retried it as
    far as was safe); cancellation is not caught and stops the whole run.
    """
    if concurrency < 1:
        raise ConfigurationError("concurrency must be 1 or more.")
    pending = enumerate(calls)
    results: dict[int, BulkResult[T]] = {}

    async def worker() -> None:
        # Workers share one iterator: each takes the next call when it is free.
        for index, call in pending:
            try:
                value = await call()
            except Exception as exc:
                results[index] = BulkResult(index, error=exc)
            else:
                results[index] = BulkResult(index, value=value)

    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    return [results[i] for i in range(len(results))]


async def assert_records(
    client: AsyncAttioClient,
    object: str,
    matching_attribute: str,
    records: Iterable[dict[str, Any]],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> list[BulkResult[Record]]:
    """Assert (upsert) each ``values`` dict of ``records`` on ``object``; result i is item i.

    Assert is idempotent, so the client retries each one through 5xx answers and lost
    connections without risk of a duplicate.
    """
    calls = (
        functools.partial(client.records.assert_record, object, matching_attribute, values)
        for values in records
    )
    return await run_bulk(calls, concurrency=concurrency)
