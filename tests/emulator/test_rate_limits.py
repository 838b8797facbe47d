"""Rate limits as Attio applies them (API-NOTES §8, gotcha 11): per-second read and write
budgets, 429 with Attio's body and an HTTP-date ``Retry-After``, and nothing done on a 429.

Most tests pin the budget's clock inside one second (``RateBudget.clock``) so they cannot flake
at a second boundary; one runs on the real clock and retries when the second rolls over.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import pytest
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp

from .core_helpers import error

KEY_A = "key-a"
KEY_B = "key-b"
PINNED = 1_700_000_000.25  # a fixed instant, a quarter into its second
RATE_LIMIT_BODY = {
    "status_code": 429,
    "type": "rate_limit_error",
    "code": "rate_limit_exceeded",
    "message": "Rate limit exceeded, please try again later",
}


class Clock:
    """A settable clock for the rate budget."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def limited() -> EmulatorApp:
    """An emulator allowing 5 reads and 2 writes per second per token."""
    return create_app(EmulatorConfig(api_keys=[KEY_A, KEY_B], read_rate=5, write_rate=2))


@pytest.fixture
def clock(limited: EmulatorApp) -> Clock:
    """The budget's clock, pinned to ``PINNED``."""
    pinned = Clock(PINNED)
    limited.state.budget.clock = pinned
    return pinned


@pytest.fixture
def client(limited: EmulatorApp) -> Iterator[TestClient]:
    """A client without a default token (each call names its key)."""
    with TestClient(limited, base_url="http://emulator.test") as c:
        yield c


def auth(key: str) -> dict[str, str]:
    """The bearer header for ``key``."""
    return {"Authorization": f"Bearer {key}"}


def write(client: TestClient, key: str, n: int) -> int:
    """Create a company (its domain unique to ``n`` and ``key``); the status code."""
    body = {"data": {"values": {"domains": [f"c{n}-{key}.com"]}}}
    response = client.post("/v2/objects/companies/records", json=body, headers=auth(key))
    status: int = response.status_code
    return status


def read(client: TestClient, key: str) -> int:
    """List objects; the status code."""
    status: int = client.get("/v2/objects", headers=auth(key)).status_code
    return status


def companies(client: TestClient, key: str) -> int:
    """How many companies exist (one read)."""
    response = client.post("/v2/objects/companies/records/query", json={}, headers=auth(key))
    assert response.status_code == 200, response.text
    return len(response.json()["data"])


def test_third_write_in_a_second_is_429_with_attio_body(client: TestClient, clock: Clock) -> None:
    """API-NOTES §8: over the write limit Attio answers 429 with ``{status_code:429,
    type:"rate_limit_error", code:"rate_limit_exceeded", message}`` and a ``Retry-After``
    HTTP-date (gotcha 11: not seconds), usually the next second."""
    assert [write(client, KEY_A, n) for n in range(2)] == [200, 200]
    refused = client.post(
        "/v2/objects/companies/records",
        json={"data": {"values": {"domains": ["third.com"]}}},
        headers=auth(KEY_A),
    )
    error(refused, 429, "rate_limit_exceeded")
    assert refused.json() == RATE_LIMIT_BODY
    header = refused.headers["Retry-After"]
    assert not header.isdigit()
    retry_at = parsedate_to_datetime(header)
    assert retry_at.tzinfo is not None
    assert retry_at.timestamp() > clock.now
    assert retry_at.timestamp() == int(PINNED) + 1


def test_a_refused_write_changes_nothing(client: TestClient, clock: Clock) -> None:
    """API-NOTES §8: a 429 means the request was not processed, so it is safe to retry."""
    write(client, KEY_A, 0)
    write(client, KEY_A, 1)
    before = companies(client, KEY_A)
    assert write(client, KEY_A, 2) == 429
    assert companies(client, KEY_A) == before
    # Next second: the same write goes through, proving it had not been applied.
    clock.now += 1
    assert write(client, KEY_A, 2) == 200
    assert companies(client, KEY_A) == before + 1


def test_reads_and_writes_are_counted_separately(client: TestClient, clock: Clock) -> None:
    """API-NOTES §8: separate read (100/s) and write (25/s) limits; here 5 and 2."""
    assert [write(client, KEY_A, n) for n in range(3)] == [200, 200, 429]
    assert [read(client, KEY_A) for _ in range(6)] == [200] * 5 + [429]
    clock.now += 1
    assert [read(client, KEY_A) for _ in range(2)] == [200, 200]
    assert write(client, KEY_A, 9) == 200


def test_record_query_counts_as_a_read(client: TestClient, clock: Clock) -> None:
    """API-NOTES §1: record query is a POST but a read (it needs only read scopes)."""
    assert [write(client, KEY_A, n) for n in range(3)] == [200, 200, 429]
    for _ in range(5):
        companies(client, KEY_A)


def test_each_token_has_its_own_budget(client: TestClient, clock: Clock) -> None:
    """The budget is kept per token: one token's spent budget leaves another's intact."""
    assert [write(client, KEY_A, n) for n in range(3)] == [200, 200, 429]
    assert [write(client, KEY_B, n) for n in range(3)] == [200, 200, 429]
    assert [read(client, KEY_B) for _ in range(6)] == [200] * 5 + [429]
    assert read(client, KEY_A) == 200


def test_unauthenticated_requests_get_401_not_429(client: TestClient, clock: Clock) -> None:
    """API-NOTES §8: an invalid token is 401 unauthorized; it spends no one's budget."""
    for _ in range(5):
        error(client.get("/v2/objects", headers=auth("nope")), 401, "unauthorized")
    assert read(client, KEY_A) == 200


def test_limit_on_the_real_clock(limited: EmulatorApp, client: TestClient) -> None:
    """API-NOTES §8 on the wall clock: three writes inside one second, the third refused with a
    ``Retry-After`` in the future. Retries when the second rolled over during the burst."""
    for attempt in range(20):
        started = time.time()
        statuses = [write(client, KEY_A, attempt * 10 + n) for n in range(3)]
        ended = time.time()
        if int(started) != int(ended):
            # The burst straddled a second boundary; the budget may have refilled midway.
            time.sleep(max(0.0, int(ended) + 1 - time.time()) + 0.01)
            continue
        assert statuses == [200, 200, 429]
        refused = client.post(
            "/v2/objects/companies/records",
            json={"data": {"values": {"domains": ["late.com"]}}},
            headers=auth(KEY_A),
        )
        if int(time.time()) != int(started):
            continue
        retry_at = parsedate_to_datetime(refused.headers["Retry-After"]).timestamp()
        assert refused.status_code == 429
        assert retry_at > ended
        return
    pytest.fail("never managed three writes inside one second")
