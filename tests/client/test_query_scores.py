"""Pacing queries by Attio's score-based limits (``client/_scores.py``).

docs.attio.com/rest-api/guides/rate-limiting, "Score-based rate limits": record and entry queries
spend a complexity score over a 10-second sliding window; past the limit, 429 with
``Retry-After``. The client honours that 429 like any other, and with ``query_score_budget`` it
spaces its queries so that they stay within the window. Time is a settable clock shared by the
emulator's window and the client's, and the client's sleeps advance it: no test waits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from attio_bridge.client import AsyncAttioClient
from attio_bridge.client._scores import QueryScoreBudget, estimate_score
from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp

pytestmark = pytest.mark.anyio

# 1 + four conditions: 5 points in the emulator's function on an object under 1000 records.
HEAVY: dict[str, Any] = {
    "filter": {
        "$and": [
            {"job_title": {"$contains": "a"}},
            {"job_title": {"$contains": "b"}},
            {"job_title": {"$contains": "c"}},
            {"job_title": {"$contains": "d"}},
        ]
    }
}


class Clock:
    """A settable clock; ``sleep`` moves it on instead of waiting."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    """Epoch time, settable; the async client's sleeps (retries and pacing) advance it."""
    import time

    fake = Clock(time.time())
    monkeypatch.setattr("attio_bridge.client._async.client.async_sleep", fake.sleep)
    monkeypatch.setattr("attio_bridge.client._retry.time.time", fake)
    yield fake


def emulator(clock: Clock, key: str) -> EmulatorApp:
    """Queries limited to 10 points per 10 s (two heavy ones), on ``clock``."""
    app = create_app(
        EmulatorConfig(api_keys=[key], read_rate=0, write_rate=0, query_score_budget=10)
    )
    app.state.scores.clock = clock
    return app


def client(app: EmulatorApp, key: str, **options: Any) -> AsyncAttioClient:
    return AsyncAttioClient(
        api_key=key,
        base_url="http://emulator.test",
        transport=httpx.ASGITransport(app=app),
        read_rate=0,
        write_rate=0,
        **options,
    )


def statuses(app: EmulatorApp) -> list[int]:
    return [e.status for e in app.state.journal.entries if e.operation.endswith("/query")]


def test_the_window_spaces_queries_by_their_cost() -> None:
    """Within the budget a query goes at once; past it, when enough of the window has slid by;
    a reported score replaces the estimate for that path."""
    clock = Clock(100.0)
    window = QueryScoreBudget(10, clock)
    assert estimate_score(HEAVY) == 5
    waits = [window.reserve("/q", HEAVY)[0] for _ in range(3)]
    assert waits == [0, 0, 10]
    clock.now += 10  # the first two have left the window; the third (sent now) is in it
    wait, ticket = window.reserve("/q", HEAVY)
    assert wait == 0
    assert window.reserve("/q", HEAVY)[0] == 10
    window.settle(ticket, {"x-attio-query-score": "1"})
    assert window.cost("/q", HEAVY) == 1
    assert window.cost("/other", HEAVY) == 5


async def test_a_client_with_the_budget_never_meets_the_429(clock: Clock) -> None:
    """rate-limiting guide: with ``query_score_budget`` matching the workspace's, the client
    waits before the third heavy query instead of being refused."""
    key = f"score-{uuid.uuid4().hex}"
    app = emulator(clock, key)
    async with client(app, key, query_score_budget=10) as attio:
        assert attio.score_budget is not None
        attio.score_budget.clock = clock
        for _ in range(3):
            await attio.records.query("people", **HEAVY)
    assert statuses(app) == [200, 200, 200]
    assert sum(clock.slept) >= 10


async def test_a_client_without_it_honours_the_429(clock: Clock) -> None:
    """rate-limiting guide: "You will receive a clear 429 error and a Retry-After header": the
    client waits until that date and tries again, and the query succeeds."""
    key = f"score-{uuid.uuid4().hex}"
    app = emulator(clock, key)
    async with client(app, key) as attio:
        assert attio.score_budget is None
        for _ in range(3):
            await attio.records.query("people", **HEAVY)
    assert statuses(app) == [200, 200, 429, 200]
    assert sum(clock.slept) >= 9
