"""Retries against the emulator, in-process, with faults injected on Attio's routes.

What is retried follows the policy (``test_retry_policy.py``): 429 storms with Attio's HTTP-date
``Retry-After`` are waited out for every method (API-NOTES §8: a 429 was not processed); 5xx,
timeouts and connections cut mid-response are retried for idempotent operations only, so a
POST create lands at most once. When the retries run out the caller gets the error class of the
last failure, and every retry is logged without the API key.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from attio_bridge.client import (
    APIConnectionError,
    APITimeoutError,
    AsyncAttioClient,
    AttioAPIError,
    InternalServerError,
    RateLimitError,
)

from ._faults import (
    ASSERT,
    BASE_URL,
    CREATE,
    DELETE_RECORD,
    GET_RECORD,
    PATCH_RECORD,
    QUERY,
    FaultyEmulator,
    count_records,
    emails,
)


@pytest.fixture
def emu() -> FaultyEmulator:
    """An in-process emulator without rate limits (the faults stand in for them)."""
    return FaultyEmulator()


def retry_logs(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The client's retry warnings captured so far."""
    return [
        r
        for r in caplog.records
        if r.name == "attio_bridge.client" and r.getMessage().startswith("retrying")
    ]


async def person(attio: AsyncAttioClient, email: str) -> str:
    """Assert a person by email; their record id."""
    record = await attio.records.assert_record(
        "people", "email_addresses", {"email_addresses": [email]}
    )
    return record.id.record_id


# -- 429 ----------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_429_storm_is_waited_out_then_the_create_succeeds_once(
    emu: FaultyEmulator,
) -> None:
    """API-NOTES §8: 429 with ``Retry-After`` as an HTTP date; the request was not processed, so
    even a POST create is retried, and each retry waits for the second Attio named."""
    emu.fault(CREATE, "rate_limit", count=3)
    async with emu.client() as attio:
        record = await attio.records.create("people", {"email_addresses": ["ada@example.com"]})
        assert emails(record) == ["ada@example.com"]
        assert await count_records(attio) == 1
    answered = emu.journal(CREATE)
    assert [e["status"] for e in answered] == [429, 429, 429, 200]
    # Retry-After named the start of the next second (the emulator's clock, as Attio's): each
    # retry reached the emulator in a later second than the 429 it answered.
    for refused, retry in itertools.pairwise(answered):
        assert int(retry["at"]) > int(refused["at"])


@pytest.mark.anyio
async def test_concurrent_writes_ride_out_a_429_storm(emu: FaultyEmulator) -> None:
    """Ten asserts in flight, twenty 429s between them: every one lands, each exactly once."""
    emu.fault(ASSERT, "rate_limit", count=20)
    # How the twenty 429s fall among the ten requests depends on scheduling: allow enough
    # retries that one unlucky request cannot run out (the default is 5).
    async with emu.client(max_retries=20) as attio:
        ids = await asyncio.gather(*(person(attio, f"p{i}@example.com") for i in range(10)))
        assert len(set(ids)) == 10
        assert await count_records(attio) == 10
    statuses = emu.statuses(ASSERT)
    assert statuses.count(429) == 20
    assert statuses.count(200) == 10


@pytest.mark.anyio
async def test_patch_is_retried_after_a_429(emu: FaultyEmulator) -> None:
    async with emu.client() as attio:
        record_id = await person(attio, "ada@example.com")
        emu.fault(PATCH_RECORD, "rate_limit", count=1)
        updated = await attio.records.update("people", record_id, {"job_title": "Engineer"})
    assert updated.values["job_title"][0]["value"] == "Engineer"
    assert emu.statuses(PATCH_RECORD) == [429, 200]


# -- 5xx ----------------------------------------------------------------------------------------

Call = Callable[[AsyncAttioClient, str], Awaitable[Any]]


async def _get(attio: AsyncAttioClient, record_id: str) -> Any:
    return await attio.records.get("people", record_id)


async def _assert(attio: AsyncAttioClient, record_id: str) -> Any:
    return await person(attio, "ada@example.com")


async def _query(attio: AsyncAttioClient, record_id: str) -> Any:
    return await attio.records.query("people", filter={"email_addresses": "ada@example.com"})


async def _delete(attio: AsyncAttioClient, record_id: str) -> Any:
    return await attio.records.delete("people", record_id)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("operation", "call", "status"),
    [
        (GET_RECORD, _get, 500),
        (ASSERT, _assert, 502),
        (QUERY, _query, 503),
        (DELETE_RECORD, _delete, 504),
    ],
    ids=["get-500", "assert-502", "query-503", "delete-504"],
)
async def test_a_5xx_burst_on_an_idempotent_call_is_retried(
    emu: FaultyEmulator, operation: str, call: Call, status: int
) -> None:
    async with emu.client() as attio:
        record_id = await person(attio, "ada@example.com")
        emu.fault(operation, "error", status=status, count=2)
        await call(attio, record_id)
        assert emu.statuses(operation)[-3:] == [status, status, 200]
        expected_people = 0 if operation == DELETE_RECORD else 1
        assert await count_records(attio) == expected_people


@pytest.mark.anyio
@pytest.mark.parametrize("status", [500, 503])
async def test_a_5xx_on_a_post_create_is_not_retried(emu: FaultyEmulator, status: int) -> None:
    """A create that failed with a 5xx may have been processed: repeating it could duplicate."""
    emu.fault(CREATE, "error", status=status, count=1)
    async with emu.client() as attio:
        with pytest.raises(InternalServerError) as caught:
            await attio.records.create("people", {"email_addresses": ["ada@example.com"]})
        assert caught.value.status_code == status
        assert await count_records(attio) <= 1
    assert emu.statuses(CREATE) == [status]


@pytest.mark.anyio
async def test_a_5xx_on_patch_is_not_retried(emu: FaultyEmulator) -> None:
    """PATCH appends to multiselect values: a repeat is not harmless."""
    async with emu.client() as attio:
        record_id = await person(attio, "ada@example.com")
        emu.fault(PATCH_RECORD, "error", status=502, count=1)
        with pytest.raises(InternalServerError):
            await attio.records.update("people", record_id, {"job_title": "Engineer"})
    assert emu.statuses(PATCH_RECORD) == [502]


# -- dropped connections ------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["drop", "drop_after"])
async def test_a_dropped_connection_on_assert_is_retried(
    emu: FaultyEmulator, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The client cannot tell whether a cut connection was processed (``drop`` cuts it before,
    ``drop_after`` after processing); assert is idempotent, so either way it retries and the
    person exists once."""
    emu.fault(ASSERT, kind, count=2)
    with caplog.at_level(logging.WARNING, logger="attio_bridge.client"):
        async with emu.client() as attio:
            await person(attio, "ada@example.com")
            assert await count_records(attio) == 1
    assert len(retry_logs(caplog)) == 2
    # The cut requests never got an answer (the journal's status 0); the third one did.
    assert emu.statuses(ASSERT) == [0, 0, 200]


@pytest.mark.anyio
@pytest.mark.parametrize(("kind", "created"), [("drop", 0), ("drop_after", 1)])
async def test_a_dropped_connection_on_create_is_not_retried(
    emu: FaultyEmulator, kind: str, created: int, caplog: pytest.LogCaptureFixture
) -> None:
    """The request was sent and the answer lost: the record may exist (``drop_after``), so the
    client reports the failure instead of creating it a second time."""
    emu.fault(CREATE, kind, count=1)
    with caplog.at_level(logging.WARNING, logger="attio_bridge.client"):
        async with emu.client() as attio:
            with pytest.raises(APIConnectionError) as caught:
                await attio.records.create("people", {"email_addresses": ["ada@example.com"]})
            assert caught.value.request_sent
            assert not isinstance(caught.value, APITimeoutError)
            assert await count_records(attio) == created
    assert retry_logs(caplog) == []


@pytest.mark.anyio
async def test_a_success_cut_off_mid_body_counts_as_a_lost_answer(emu: FaultyEmulator) -> None:
    """A transport that does not check the body's length (httpx's own ``ASGITransport``) hands
    over the emulator's cut-off ``200 {"data":`` as is: the client treats the answer as lost,
    like a dropped connection, and retries the assert instead of failing to decode it."""
    emu.fault(ASSERT, "drop_after", count=1)
    emu.fault(CREATE, "drop_after", count=1)
    transport = httpx.ASGITransport(app=emu.app, raise_app_exceptions=False)
    async with AsyncAttioClient(
        api_key=emu.api_key,
        base_url=BASE_URL,
        transport=transport,
        rate_limit_backend="memory",
    ) as attio:
        await person(attio, "ada@example.com")
        with pytest.raises(APIConnectionError, match="not complete JSON"):
            await attio.records.create("people", {"email_addresses": ["bob@example.com"]})
        assert await count_records(attio) == 2


# -- timeouts -----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_timeout_on_an_idempotent_call_is_retried(
    emu: FaultyEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """The emulator holds the first answer longer than the client waits; the retry is quick."""
    emu.fault(ASSERT, "slow", seconds=5.0, count=1)
    with caplog.at_level(logging.WARNING, logger="attio_bridge.client"):
        async with emu.client(timeout=0.3) as attio:
            await person(attio, "ada@example.com")
            assert await count_records(attio) == 1
    (log,) = retry_logs(caplog)
    assert "APITimeoutError" in log.getMessage()


@pytest.mark.anyio
async def test_a_request_that_keeps_timing_out_is_tried_twice_only(
    emu: FaultyEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """However many retries are allowed: each try costs the whole timeout."""
    emu.fault(QUERY, "slow", seconds=5.0)
    with caplog.at_level(logging.WARNING, logger="attio_bridge.client"):
        async with emu.client(timeout=0.2, max_retries=5) as attio:
            with pytest.raises(APITimeoutError):
                await attio.records.query("people")
    (log,) = retry_logs(caplog)
    assert "APITimeoutError" in log.getMessage()


@pytest.mark.anyio
async def test_a_timeout_on_a_create_is_not_retried(emu: FaultyEmulator) -> None:
    emu.fault(CREATE, "slow", seconds=5.0, count=1)
    async with emu.client(timeout=0.3) as attio:
        with pytest.raises(APITimeoutError) as caught:
            await attio.records.create("people", {"email_addresses": ["ada@example.com"]})
        assert caught.value.request_sent


# -- retries exhausted --------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("kind", "opts", "error", "retries"),
    [
        ("error", {"status": 500}, InternalServerError, 2),
        ("error", {"status": 503}, InternalServerError, 2),
        ("rate_limit", {}, RateLimitError, 2),
        ("drop", {}, APIConnectionError, 2),
        # A timeout is tried again once only (MAX_TIMEOUT_RETRIES), whatever max_retries says.
        ("slow", {"seconds": 5.0}, APITimeoutError, 1),
    ],
    ids=["500", "503", "429", "drop", "timeout"],
)
async def test_when_retries_run_out_the_last_failure_is_raised(
    emu: FaultyEmulator,
    kind: str,
    opts: dict[str, Any],
    error: type[Exception],
    retries: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with emu.client(timeout=0.3) as seeding:
        record_id = await person(seeding, "ada@example.com")
    emu.fault(GET_RECORD, kind, **opts)
    with caplog.at_level(logging.WARNING, logger="attio_bridge.client"):
        async with emu.client(max_retries=2, timeout=0.3) as attio:
            with pytest.raises(error) as caught:
                await attio.records.get("people", record_id)
    assert type(caught.value) is error
    assert len(retry_logs(caplog)) == retries
    if isinstance(caught.value, AttioAPIError):
        # Three attempts, all answered with the failure.
        assert len(emu.statuses(GET_RECORD)) == 3
        assert caught.value.path == f"/v2/objects/people/records/{record_id}"


@pytest.mark.anyio
async def test_max_retries_zero_means_one_attempt(emu: FaultyEmulator) -> None:
    emu.fault(ASSERT, "rate_limit", count=1)
    async with emu.client(max_retries=0) as attio:
        with pytest.raises(RateLimitError) as caught:
            await person(attio, "ada@example.com")
    assert caught.value.code == "rate_limit_exceeded"
    assert emu.statuses(ASSERT) == [429]


# -- logging ------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_each_retry_is_logged_without_the_api_key(
    emu: FaultyEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    emu.fault(ASSERT, "error", status=503, count=1)
    emu.fault(ASSERT, "rate_limit", count=1)
    emu.fault(ASSERT, "drop", count=1)
    # Everything any logger says, httpx's request lines included.
    with caplog.at_level(logging.DEBUG):
        async with emu.client() as attio:
            await person(attio, "ada@example.com")
    logs = retry_logs(caplog)
    assert [r.levelno for r in logs] == [logging.WARNING] * 3
    messages = [r.getMessage() for r in logs]
    assert all(m.startswith("retrying PUT /v2/objects/people/records after ") for m in messages)
    assert any("HTTP 503" in m for m in messages)
    assert any("HTTP 429 rate_limit_exceeded" in m for m in messages)
    assert any("APIConnectionError" in m for m in messages)
    assert [m.split("(retry ")[1].split(",")[0] for m in messages] == ["1", "2", "3"]
    assert emu.api_key not in caplog.text
    for record in caplog.records:
        assert emu.api_key not in record.getMessage()
        assert emu.api_key not in repr(record.args)
