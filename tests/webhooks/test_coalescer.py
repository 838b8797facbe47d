"""``Coalescer``: one piece of work for every event received before it started."""

from __future__ import annotations

import asyncio

import pytest

from attio_bridge.webhooks import Coalescer

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_events_received_before_a_run_started_are_covered_by_it() -> None:
    clock = Clock()
    coalescer = Coalescer(clock)
    runs: list[int] = []

    async def work() -> int:
        runs.append(len(runs))
        return len(runs)

    assert await coalescer.run("r1", 99.0, work) == (True, 1)
    assert await coalescer.run("r1", 99.5, work) == (False, None)  # received before the run
    assert await coalescer.run("r2", 99.5, work) == (True, 2)  # another key
    assert await coalescer.run("r1", 100.5, work) == (True, 3)  # received after it started
    assert await coalescer.run("r1", 0.0, work) == (True, 4)  # unknown time: always runs


async def test_waiters_share_a_running_read_and_its_failure() -> None:
    clock = Clock()
    coalescer = Coalescer(clock)
    gate = asyncio.Event()

    async def failing() -> None:
        await gate.wait()
        raise ConnectionError("Attio is down")

    async def never() -> None:
        raise AssertionError("the waiter must not run its own work")

    first = asyncio.create_task(coalescer.run("r1", 99.0, failing))
    await asyncio.sleep(0)
    second = asyncio.create_task(coalescer.run("r1", 99.0, never))
    await asyncio.sleep(0)
    gate.set()
    for task in (first, second):
        with pytest.raises(ConnectionError):
            await task

    async def works() -> str:
        return "read"

    # The failed run covers nothing: the next event runs the work.
    assert await coalescer.run("r1", 99.0, works) == (True, "read")


async def test_old_keys_are_pruned_past_max_keys() -> None:
    clock = Clock()
    coalescer = Coalescer(clock, horizon=10.0, max_keys=3)

    async def work() -> None:
        return None

    for i in range(3):
        await coalescer.run(f"r{i}", 99.0, work)
    clock.now = 200.0
    await coalescer.run("r3", 199.0, work)
    # r0..r2 were older than the horizon and went: even an event received before r0's
    # run runs the work again (kept, it would have been covered).
    assert await coalescer.run("r0", 50.0, work) == (True, None)
