"""The retry policy as pure functions: which failures are retried, and how long to wait.

``should_retry`` is checked over a table of real Attio operations (classified by the client's own
``classify``) and every failure kind; ``retry_delay`` with an injected clock and randomness, for
``Retry-After`` in seconds and as the HTTP date Attio sends (API-NOTES §8), and for the
exponential backoff with jitter and its cap.
"""

from __future__ import annotations

from email.utils import formatdate, parsedate_to_datetime

import pytest

from attio_bridge.client._core import classify
from attio_bridge.client._retry import (
    BASE_DELAY,
    MAX_DELAY,
    MAX_RETRY_AFTER,
    parse_retry_after,
    retry_delay,
    should_retry,
)

# Operations by how they may be repeated. Idempotent: reads (GET and the query/search POSTs),
# PUT (assert, overwrite) and DELETE. Not: POST create (a second one makes a second record)
# and PATCH (appends to multiselect values).
IDEMPOTENT = [
    ("GET", "/v2/objects/people/records/abc"),
    ("GET", "/v2/lists"),
    ("PUT", "/v2/objects/people/records"),
    ("PUT", "/v2/lists/deals/entries"),
    ("DELETE", "/v2/objects/people/records/abc"),
    ("POST", "/v2/objects/people/records/query"),
    ("POST", "/v2/lists/deals/entries/query"),
    ("POST", "/v2/objects/records/search"),
]
NOT_IDEMPOTENT = [
    ("POST", "/v2/objects/people/records"),
    ("POST", "/v2/lists/deals/entries"),
    ("POST", "/v2/notes"),
    ("PATCH", "/v2/objects/people/records/abc"),
    ("PATCH", "/v2/lists/deals/entries/abc"),
]
RETRYABLE_STATUSES = [408, 429, 500, 502, 503, 504]
FINAL_STATUSES = [400, 401, 403, 404, 409, 422]


@pytest.mark.parametrize(("method", "path"), IDEMPOTENT)
@pytest.mark.parametrize("status", RETRYABLE_STATUSES)
def test_idempotent_operations_retry_408_429_and_5xx(method: str, path: str, status: int) -> None:
    op = classify(method, path)
    assert should_retry(status_code=status, idempotent=op.idempotent, request_sent=True)


@pytest.mark.parametrize(("method", "path"), IDEMPOTENT)
@pytest.mark.parametrize("sent", [True, False])
def test_idempotent_operations_retry_every_connection_failure(
    method: str, path: str, sent: bool
) -> None:
    op = classify(method, path)
    assert should_retry(status_code=None, idempotent=op.idempotent, request_sent=sent)


@pytest.mark.parametrize(("method", "path"), NOT_IDEMPOTENT)
def test_create_and_patch_retry_429(method: str, path: str) -> None:
    """A 429 means Attio did not process the request (API-NOTES §8): safe for every method."""
    op = classify(method, path)
    assert should_retry(status_code=429, idempotent=op.idempotent, request_sent=True)


@pytest.mark.parametrize(("method", "path"), NOT_IDEMPOTENT)
@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
def test_create_and_patch_do_not_retry_408_or_5xx(method: str, path: str, status: int) -> None:
    """The request may have been processed: repeating a create could make a second record."""
    op = classify(method, path)
    assert not should_retry(status_code=status, idempotent=op.idempotent, request_sent=True)


@pytest.mark.parametrize(("method", "path"), NOT_IDEMPOTENT)
def test_create_and_patch_retry_only_a_connection_failure_before_sending(
    method: str, path: str
) -> None:
    op = classify(method, path)
    assert should_retry(status_code=None, idempotent=op.idempotent, request_sent=False)
    assert not should_retry(status_code=None, idempotent=op.idempotent, request_sent=True)


@pytest.mark.parametrize(("method", "path"), IDEMPOTENT + NOT_IDEMPOTENT)
@pytest.mark.parametrize("status", FINAL_STATUSES)
def test_client_errors_are_never_retried(method: str, path: str, status: int) -> None:
    op = classify(method, path)
    assert not should_retry(status_code=status, idempotent=op.idempotent, request_sent=True)


def test_classify_splits_reads_from_writes() -> None:
    """Query and search POSTs spend the read budget; everything but reads spends the write one."""
    assert not classify("POST", "/v2/objects/people/records/query").write
    assert not classify("GET", "/v2/objects").write
    assert classify("POST", "/v2/objects/people/records").write
    assert classify("PUT", "/v2/objects/people/records").write
    assert classify("DELETE", "/v2/objects/people/records/abc").write


# -- retry_delay ---------------------------------------------------------------------------------

# The example of API-NOTES §8: Attio's Retry-After is an HTTP date, usually the next second.
ATTIO_RETRY_AFTER = "Tue, 23 May 2023 14:42:01 GMT"
ATTIO_NOW = parsedate_to_datetime("Tue, 23 May 2023 14:42:00 GMT").timestamp()


def test_retry_after_http_date_is_read_against_the_injected_clock() -> None:
    """API-NOTES §8: ``Retry-After: Tue, 23 May 2023 14:42:01 GMT`` one second from now."""
    delay = retry_delay(
        1, {"retry-after": ATTIO_RETRY_AFTER}, now=lambda: ATTIO_NOW + 0.25, rand=lambda: 0.0
    )
    assert delay == pytest.approx(0.75)


def test_retry_after_http_date_gets_a_little_jitter() -> None:
    """Many clients told the same second must not all come back at the same instant."""
    low = retry_delay(1, {"retry-after": ATTIO_RETRY_AFTER}, now=lambda: ATTIO_NOW, rand=lambda: 0)
    high = retry_delay(
        1, {"retry-after": ATTIO_RETRY_AFTER}, now=lambda: ATTIO_NOW, rand=lambda: 1.0
    )
    assert low == pytest.approx(1.0)
    assert 1.0 < high <= 1.1


def test_retry_after_http_date_is_not_multiplied_by_the_attempt() -> None:
    for attempt in (1, 3, 6):
        delay = retry_delay(
            attempt, {"retry-after": ATTIO_RETRY_AFTER}, now=lambda: ATTIO_NOW, rand=lambda: 0
        )
        assert delay == pytest.approx(1.0)


def test_retry_after_in_the_past_means_now() -> None:
    delay = retry_delay(
        1, {"retry-after": ATTIO_RETRY_AFTER}, now=lambda: ATTIO_NOW + 30, rand=lambda: 0.0
    )
    assert delay == 0.0


@pytest.mark.parametrize("header", ["retry-after", "Retry-After"])
def test_retry_after_as_seconds(header: str) -> None:
    assert retry_delay(2, {header: "3"}, now=lambda: 0.0, rand=lambda: 0.0) == 3.0
    assert retry_delay(2, {header: " 1.5 "}, now=lambda: 0.0, rand=lambda: 0.0) == 1.5


def test_retry_after_is_capped() -> None:
    """A server asking for an hour does not park the client for an hour."""
    far = formatdate(ATTIO_NOW + 3600, usegmt=True)
    assert retry_delay(1, {"retry-after": "3600"}, now=lambda: 0, rand=lambda: 0) == (
        MAX_RETRY_AFTER
    )
    assert retry_delay(1, {"retry-after": far}, now=lambda: ATTIO_NOW, rand=lambda: 0) == (
        MAX_RETRY_AFTER
    )


@pytest.mark.parametrize("value", ["", "soon", "Tue, 99 Foo 2023", "-"])
def test_an_unreadable_retry_after_falls_back_to_backoff(value: str) -> None:
    backoff = retry_delay(3, None, now=lambda: ATTIO_NOW, rand=lambda: 1.0)
    delay = retry_delay(3, {"retry-after": value}, now=lambda: ATTIO_NOW, rand=lambda: 1.0)
    assert delay == backoff == BASE_DELAY * 4


def test_parse_retry_after_reads_both_forms() -> None:
    assert parse_retry_after("2", now=0.0) == 2.0
    assert parse_retry_after(ATTIO_RETRY_AFTER, now=ATTIO_NOW) == pytest.approx(1.0)
    assert parse_retry_after(None, now=0.0) is None


def test_backoff_grows_exponentially_up_to_the_cap() -> None:
    """With the random part at its top, the waits are base * 2**(n-1), capped."""
    delays = [retry_delay(n, {}, rand=lambda: 1.0) for n in range(1, 9)]
    expected = [min(MAX_DELAY, BASE_DELAY * 2 ** (n - 1)) for n in range(1, 9)]
    assert delays == pytest.approx(expected)
    assert delays[0] < delays[1] < delays[2] < delays[3]
    assert max(delays) == MAX_DELAY
    assert delays[-1] == delays[-2] == MAX_DELAY


def test_backoff_jitter_spans_the_upper_half_of_each_step() -> None:
    """Jitter spreads clients that failed together; the random source decides where."""
    for n in range(1, 8):
        ceiling = min(MAX_DELAY, BASE_DELAY * 2 ** (n - 1))
        assert retry_delay(n, rand=lambda: 0.0) == pytest.approx(ceiling / 2)
        assert retry_delay(n, rand=lambda: 0.5) == pytest.approx(ceiling * 0.75)
        assert retry_delay(n, rand=lambda: 1.0) == pytest.approx(ceiling)


def test_backoff_takes_its_base_and_cap_as_arguments() -> None:
    assert retry_delay(1, base=0.1, rand=lambda: 1.0) == pytest.approx(0.1)
    assert retry_delay(10, base=0.1, cap=2.0, rand=lambda: 1.0) == pytest.approx(2.0)


def test_backoff_ignores_the_clock() -> None:
    """Without Retry-After only the attempt and the random source matter."""

    def clock() -> float:
        raise AssertionError("the clock was read for a plain backoff")

    assert retry_delay(2, {}, now=clock, rand=lambda: 1.0) == pytest.approx(BASE_DELAY * 2)
