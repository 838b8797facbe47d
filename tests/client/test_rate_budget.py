"""The proactive rate budget: Attio's limits (API-NOTES §8: 100 reads and 25 writes per second)
are never exceeded, so a well-behaved run never sees a 429.

The emulator enforces those limits as Attio does and journals every answer, so "no 429" is read
from what the server saw, never from timings. Sharing is checked at each scope: every client of
one process (one budget object), processes on one machine (the sqlite file), and machines (the
real Redis at 127.0.0.1:6379; skipped if none answers). Where a count must not depend on timing,
the budget's window is made far longer than the test, so "at most RATE granted" is exact.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from attio_bridge.client import AsyncAttioClient, AttioClient, RateBudget, RateLimitError
from attio_bridge.client._rate import key_fingerprint
from attio_bridge.testing import EmulatorProcess, SyncASGITransport

from ._faults import (
    ASSERT,
    BASE_URL,
    REDIS_URL,
    FaultyEmulator,
    count_records,
    redis_or_skip,
    sqlite_budget_files,
    unique_key,
)

WORKER = Path(__file__).with_name("_budget_worker.py")
# Longer than any test: with it, the permits granted are a count, not a rate.
LONG_WINDOW_MS = 600_000


def counting_budget(
    fingerprint: str, *, read_rate: int, write_rate: int, backend: Any
) -> RateBudget:
    """A budget whose window outlasts the test and whose permits may all go at once: what it
    grants is a count, whatever the timing."""
    return RateBudget(
        fingerprint,
        read_rate=read_rate,
        write_rate=write_rate,
        backend=backend,
        margin_ms=LONG_WINDOW_MS,
        spread=False,
    )


async def person(attio: AsyncAttioClient, email: str) -> None:
    """Assert a person by email."""
    await attio.records.assert_record("people", "email_addresses", {"email_addresses": [email]})


# -- one client ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_sixty_concurrent_asserts_at_attios_limits_see_no_429() -> None:
    emu = FaultyEmulator(read_rate=100, write_rate=25)
    async with emu.client() as attio:
        assert attio.budget is not None
        assert (attio.budget.read_rate, attio.budget.write_rate) == (100, 25)
        await asyncio.gather(*(person(attio, f"p{i}@example.com") for i in range(60)))
        assert await count_records(attio) == 60
    assert 429 not in emu.statuses()
    assert emu.statuses(ASSERT) == [200] * 60


@pytest.mark.anyio
async def test_without_the_budget_the_same_burst_is_refused() -> None:
    """The control for the test above: the emulator does enforce 25 writes/s."""
    emu = FaultyEmulator(read_rate=100, write_rate=25)
    async with emu.client(read_rate=0, write_rate=0, max_retries=0) as attio:
        assert attio.budget is None
        results = await asyncio.gather(
            *(person(attio, f"p{i}@example.com") for i in range(60)), return_exceptions=True
        )
    refused = [r for r in results if isinstance(r, RateLimitError)]
    assert refused
    assert emu.statuses(ASSERT).count(429) == len(refused)


@pytest.mark.anyio
async def test_a_429_holds_every_client_on_the_budget() -> None:
    """Attio said 429 with ``Retry-After`` (API-NOTES §8): the budget pauses until that second,
    for every client sharing it, not only the one that was refused."""
    emu = FaultyEmulator()
    emu.fault(ASSERT, "rate_limit", count=1)
    async with emu.client(max_retries=0) as refused, emu.client() as other:
        assert refused.budget is other.budget
        with pytest.raises(RateLimitError):
            await person(refused, "ada@example.com")
        await other.records.query("people")
    (limited,) = emu.journal(ASSERT)
    (query,) = emu.journal("POST /v2/objects/{object}/records/query")
    assert limited["status"] == 429
    assert int(query["at"]) > int(limited["at"])


# -- read and write budgets ---------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_reads_and_writes_have_separate_budgets(backend: str) -> None:
    fingerprint = uuid.uuid4().hex
    with sqlite_budget_files(fingerprint):
        budget = counting_budget(fingerprint, read_rate=10, write_rate=3, backend=backend)
        assert [budget.try_take(True) for _ in range(5)] == [True, True, True, False, False]
        # Writes are spent; every read is still there.
        assert [budget.try_take(False) for _ in range(12)] == [True] * 10 + [False] * 2
        budget.close()


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_permits_are_spread_a_few_at_a_time(backend: str) -> None:
    """Not a whole second's budget at once: a burst of 25 writes reaches Attio spread by its
    processing and can straddle the start of its one-second window. Five at a time, then the
    next five a fifth of the window later (here the window outlasts the test)."""
    fingerprint = uuid.uuid4().hex
    with sqlite_budget_files(fingerprint):
        budget = RateBudget(
            fingerprint, read_rate=100, write_rate=25, backend=backend, margin_ms=LONG_WINDOW_MS
        )
        assert [budget.try_take(True) for _ in range(7)] == [True] * 5 + [False] * 2
        assert [budget.try_take(False) for _ in range(7)] == [True] * 5 + [False] * 2
        budget.close()


@pytest.mark.anyio
async def test_reads_are_not_slowed_by_queued_writes() -> None:
    """Writes held back by a small write budget do not hold back reads: every read is answered
    before the writes queued ahead of them are through."""
    emu = FaultyEmulator()
    async with emu.client(write_rate=2) as attio:
        writes = [asyncio.create_task(person(attio, f"p{i}@example.com")) for i in range(6)]
        await asyncio.sleep(0)
        await asyncio.gather(*(attio.records.query("people") for _ in range(30)))
        reads_done = len(emu.journal())
        await asyncio.gather(*writes)
    answered = emu.journal()
    first = answered[:reads_done]
    assert sum(e["method"] == "POST" for e in first) == 30
    # Six writes at two a second take over two seconds; the reads did not wait for them.
    assert sum(e["method"] == "PUT" for e in first) < 6
    assert [e["method"] for e in answered].count("PUT") == 6


# -- shared by every client of a process --------------------------------------------------------


@pytest.mark.anyio
async def test_clients_with_one_key_share_one_budget() -> None:
    emu = FaultyEmulator()
    async with emu.client() as a, emu.client() as b, emu.client(api_key=unique_key()) as c:
        assert a.budget is not None
        assert a.budget is b.budget
        assert a.with_options(timeout=5.0).budget is a.budget
        assert c.budget is not a.budget


@pytest.mark.anyio
async def test_two_clients_together_stay_within_the_write_rate() -> None:
    """Forty asserts from each of two clients on one key: 80 writes, which two separate budgets
    would send at 50/s; the shared one keeps them at 25/s, so the emulator refuses none."""
    emu = FaultyEmulator(read_rate=100, write_rate=25)
    async with emu.client() as a, emu.client() as b:
        await asyncio.gather(
            *(person(a, f"a{i}@example.com") for i in range(40)),
            *(person(b, f"b{i}@example.com") for i in range(40)),
        )
        assert await count_records(a) == 80
    assert 429 not in emu.statuses()
    assert emu.statuses(ASSERT) == [200] * 80


def test_sync_client_threads_share_the_budget() -> None:
    """``AttioClient`` (the generated sync twin) used from four threads, 15 asserts each,
    against the emulator at 25 writes/s: the budget paces all 60, and none is refused."""
    emu = FaultyEmulator(read_rate=100, write_rate=25)
    start = threading.Barrier(4)
    with AttioClient(
        api_key=emu.api_key,
        base_url=BASE_URL,
        transport=SyncASGITransport(emu.app),
        rate_limit_backend="memory",
    ) as attio:

        def work(thread: int) -> None:
            start.wait()
            for i in range(15):
                values = {"email_addresses": [f"t{thread}-{i}@example.com"]}
                attio.records.assert_record("people", "email_addresses", values)

        threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert 429 not in emu.statuses()
    assert emu.statuses(ASSERT) == [200] * 60


# -- shared between processes: sqlite -----------------------------------------------------------


def run_workers(*argvs: list[str]) -> list[str]:
    """Run one worker process per argv side by side; what each printed."""
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in argvs
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append(out.strip())
    return outputs


def test_processes_share_the_sqlite_budget() -> None:
    """Two processes each try 30 writes of a budget of 20 per window: 20 granted in all."""
    fingerprint = uuid.uuid4().hex
    with sqlite_budget_files(fingerprint):
        granted = run_workers(["take", fingerprint, "20", "30"], ["take", fingerprint, "20", "30"])
    assert sum(int(n) for n in granted) == 20


def warm_up(emu: EmulatorProcess) -> None:
    """A first request to a fresh emulator process takes 100 ms or more (first code paths), so
    the evenly spread requests behind it bunch up and land in its next second together; Attio
    is always warm. Warm it, then start the journal and the workspace afresh."""
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    with httpx.Client(base_url=emu.base_url, headers=headers) as http:
        http.put(
            "/v2/objects/people/records",
            params={"matching_attribute": "email_addresses"},
            json={"data": {"values": {"email_addresses": ["warm-up@example.com"]}}},
        ).raise_for_status()
        http.post("/v2/objects/people/records/query", json={}).raise_for_status()
        http.post("/_emulator/reset").raise_for_status()
        http.delete("/_emulator/journal").raise_for_status()


def test_processes_on_the_sqlite_budget_see_no_429_from_the_emulator() -> None:
    """Two processes asserting 40 people each through one budget file, against the emulator in
    its own process at Attio's 25 writes/s: all 80 land and the emulator refused none."""
    key = unique_key()
    with (
        sqlite_budget_files(key_fingerprint(key)),
        EmulatorProcess(api_key=key, read_rate=100, write_rate=25) as emu,
    ):
        warm_up(emu)
        done = run_workers(
            ["assert", emu.base_url, key, "40", "one"],
            ["assert", emu.base_url, key, "40", "two"],
        )
        assert done == ["40", "40"]
        journal = httpx.get(f"{emu.base_url}/_emulator/journal").json()
        state = httpx.get(f"{emu.base_url}/_emulator/state").json()
    assert [e["status"] for e in journal if e["operation"] == ASSERT] == [200] * 80
    assert 429 not in [e["status"] for e in journal]
    assert state["records"]["people"] == 80


# -- shared between machines: Redis -------------------------------------------------------------


class Machines:
    """Budgets each on its own connection to the real Redis, as on separate machines; ``close()``
    closes them, then deletes their keys and the connections."""

    def __init__(self) -> None:
        redis_or_skip().close()
        self.budgets: list[RateBudget] = []
        self.conns: list[redis.Redis] = []

    def budget(
        self,
        fingerprint: str,
        *,
        read_rate: int = 100,
        write_rate: int = 25,
        counting: bool = False,
    ) -> RateBudget:
        """A budget for ``fingerprint`` on a new connection (``counting``: see counting_budget)."""
        conn = redis.Redis.from_url(REDIS_URL)
        self.conns.append(conn)
        if counting:
            made = counting_budget(
                fingerprint, read_rate=read_rate, write_rate=write_rate, backend=conn
            )
        else:
            made = RateBudget(fingerprint, read_rate=read_rate, write_rate=write_rate, backend=conn)
        self.budgets.append(made)
        return made

    def close(self) -> None:
        """Stop the budgets' clean-up threads before their connections go."""
        for budget in self.budgets:
            budget.close()
        for budget in self.budgets:
            keys = self.conns[0].keys(f"attio-bridge:{budget.fingerprint}:*")
            if keys:
                self.conns[0].delete(*keys)
        for conn in self.conns:
            conn.close()


def test_budgets_on_separate_redis_connections_share_one_key() -> None:
    """Eight budgets, each on its own Redis connection (as on eight machines), racing from eight
    threads for 30 write permits each of a budget of 20: 20 granted in all, reads untouched.

    Each reads its clock before Redis runs its check, in either order: pyrate-limiter's own
    script missed permits dated after the reader's clock and granted one too many in about one
    race out of six (``_rate._redis_bucket`` corrects it)."""
    machines = Machines()
    fingerprint = uuid.uuid4().hex
    try:
        budgets = [
            machines.budget(fingerprint, counting=True, read_rate=5, write_rate=20)
            for _ in range(8)
        ]
        granted = [0] * 8
        start = threading.Barrier(8)

        def spend(i: int) -> None:
            start.wait()
            granted[i] = sum(budgets[i].try_take(True) for _ in range(30))

        threads = [threading.Thread(target=spend, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(granted) == 20
        assert not any(b.try_take(True) for b in budgets)
        # The read budget is its own key: 5 in all, from any connection.
        reads = [budgets[i % 8].try_take(False) for i in range(8)]
        assert reads == [True] * 5 + [False] * 3
    finally:
        machines.close()


def test_a_pause_through_redis_holds_every_budget() -> None:
    """Attio's 429 seen on one machine pauses the budget on the others."""
    machines = Machines()
    shared = uuid.uuid4().hex
    try:
        here = machines.budget(shared)
        there = machines.budget(shared)
        elsewhere = machines.budget(uuid.uuid4().hex)
        assert there.paused_for() == 0
        assert there.try_take(True)
        here.pause(30.0)
        assert 0 < there.paused_for() <= 30.0
        assert not there.try_take(True)
        assert not there.try_take(False)
        # Another key's budget is not held.
        assert elsewhere.paused_for() == 0
        assert elsewhere.try_take(True)
    finally:
        machines.close()


class _HeldCleanUp:
    """A Redis connection whose clean-up command (ZREMRANGEBYSCORE) waits until released when
    the clean-up thread sends it. (pyrate-limiter also sends one from the thread that makes the
    bucket, to learn whether it is async; that one goes through.)"""

    def __init__(self, conn: redis.Redis) -> None:
        self._conn = conn
        self._maker = threading.current_thread()
        self.entered = threading.Event()
        self.release = threading.Event()

    def zremrangebyscore(self, *args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is not self._maker:
            self.entered.set()
            self.release.wait(10)
        return self._conn.zremrangebyscore(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def test_closing_a_redis_budget_waits_for_a_clean_up_in_progress() -> None:
    """pyrate-limiter's clean-up thread may be mid-command when the budget is closed; the
    connection is closed right after, so ``close()`` must wait for that command to end. (CI
    once saw the thread read from a connection closed under it.)"""
    redis_or_skip().close()
    conn = redis.Redis.from_url(REDIS_URL)
    held = _HeldCleanUp(conn)
    budget = RateBudget(uuid.uuid4().hex, backend=held)
    try:
        # The clean-up thread runs a first round as soon as the bucket exists.
        assert held.entered.wait(10), "the clean-up thread never ran"
        closer = threading.Thread(target=budget.close)
        closer.start()
        closer.join(0.3)
        assert closer.is_alive(), "close() returned while a clean-up command was in flight"
        held.release.set()
        closer.join(10)
        assert not closer.is_alive()
    finally:
        held.release.set()
        budget.close()
        keys = conn.keys(f"attio-bridge:{budget.fingerprint}:*")
        if keys:
            conn.delete(*keys)
        conn.close()


@pytest.mark.anyio
async def test_a_redis_url_budget_paces_a_client() -> None:
    """A client given a Redis URL paces itself through Redis: 40 concurrent asserts against the
    emulator at 25 writes/s, none refused."""
    redis_or_skip().close()
    emu = FaultyEmulator(read_rate=100, write_rate=25)
    fingerprint = key_fingerprint(emu.api_key)
    async with emu.client(rate_limit_backend=REDIS_URL) as attio:
        assert attio.budget is not None and attio.budget.backend_name == "redis"
        try:
            await asyncio.gather(*(person(attio, f"p{i}@example.com") for i in range(40)))
        finally:
            conn = redis_or_skip()
            keys = conn.keys(f"attio-bridge:{fingerprint}:*")
            if keys:
                conn.delete(*keys)
            conn.close()
    assert emu.statuses(ASSERT) == [200] * 40
