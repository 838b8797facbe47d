"""Bulk writes: many calls side by side, paced by the client's budget, one result per item.

Against the emulator at Attio's limits (API-NOTES §8), a batch of asserts with a few invalid
items fails exactly those items with their own errors, lands every other one, and keeps the
order of the input; the run itself never sees a 429.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterator

import pytest

from attio_bridge.client import (
    BadRequestError,
    BulkResult,
    ConfigurationError,
    assert_records,
    run_bulk,
)

from ._faults import ASSERT, FaultyEmulator, count_records, emails

INVALID = {7: "not-an-email", 33: "still@", 34: "@nobody", 90: "spaces in@example.com"}


def people(n: int) -> list[dict[str, list[str]]]:
    """Assert payloads for ``n`` people, the ones at ``INVALID`` positions with a bad email."""
    return [{"email_addresses": [INVALID.get(i, f"person{i}@example.com")]} for i in range(n)]


@pytest.mark.anyio
async def test_a_hundred_asserts_fail_only_the_invalid_ones_in_order() -> None:
    emu = FaultyEmulator(read_rate=100, write_rate=25)
    async with emu.client() as attio:
        results = await assert_records(attio, "people", "email_addresses", people(100))
        assert await count_records(attio) == 100 - len(INVALID)
    assert [r.index for r in results] == list(range(100))
    failed = {r.index for r in results if not r.ok}
    assert failed == set(INVALID)
    for result in results:
        if result.index in INVALID:
            assert isinstance(result.error, BadRequestError)
            assert result.error.code == "validation_type"
            assert INVALID[result.index] in result.error.message
            assert result.value is None
        else:
            assert result.error is None
            assert emails(result.unwrap()) == [f"person{result.index}@example.com"]
    statuses = emu.statuses(ASSERT)
    assert 429 not in statuses
    assert sorted(statuses) == [200] * (100 - len(INVALID)) + [400] * len(INVALID)


@pytest.mark.anyio
async def test_run_bulk_with_any_write_keeps_going_past_failures() -> None:
    """Creates through ``run_bulk``: a duplicate of a unique email fails alone."""
    emu = FaultyEmulator()
    async with emu.client() as attio:
        addresses = ["a@example.com", "b@example.com", "a@example.com", "c@example.com"]
        calls = [
            functools.partial(attio.records.create, "people", {"email_addresses": [address]})
            for address in addresses
        ]
        results = await run_bulk(calls, concurrency=1)
        assert await count_records(attio) == 3
    assert [r.ok for r in results] == [True, True, False, True]
    assert isinstance(results[2].error, BadRequestError)
    assert results[2].error.code == "uniqueness_conflict"


@pytest.mark.anyio
async def test_run_bulk_bounds_concurrency_and_starts_calls_lazily() -> None:
    in_flight = 0
    peak = 0
    finished = 0
    taken: list[int] = []

    async def work(i: int) -> int:
        nonlocal in_flight, peak, finished
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await asyncio.sleep(0.001 * (i % 3))
            if i % 10 == 9:
                raise ValueError(f"item {i} is bad")
            return i * i
        finally:
            in_flight -= 1
            finished += 1

    def calls() -> Iterator[Callable[[], Awaitable[int]]]:
        for i in range(40):
            # A call is taken only when a worker is free: at most three others still running.
            assert i - finished <= 3
            taken.append(i)
            yield functools.partial(work, i)

    results = await run_bulk(calls(), concurrency=4)
    assert peak == 4
    assert taken == list(range(40))
    assert [r.value for r in results if r.ok] == [i * i for i in range(40) if i % 10 != 9]
    errors = [r for r in results if not r.ok]
    assert [r.index for r in errors] == [9, 19, 29, 39]
    assert all(isinstance(r.error, ValueError) for r in errors)
    with pytest.raises(ValueError, match="item 9 is bad"):
        errors[0].unwrap()


@pytest.mark.anyio
async def test_run_bulk_of_nothing_is_empty() -> None:
    assert await run_bulk([]) == []


@pytest.mark.anyio
async def test_run_bulk_needs_a_positive_concurrency() -> None:
    with pytest.raises(ConfigurationError):
        await run_bulk([], concurrency=0)


def test_a_result_says_whether_it_succeeded() -> None:
    good: BulkResult[int] = BulkResult(0, value=3)
    bad: BulkResult[int] = BulkResult(1, error=KeyError("x"))
    assert good.ok and good.unwrap() == 3
    assert not bad.ok
    with pytest.raises(KeyError):
        bad.unwrap()
