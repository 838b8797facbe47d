"""Retry policy: two pure functions, with the clock and randomness injected.

``should_retry()`` decides from the method, the operation's idempotency, the status or the
connection failure; ``retry_delay()`` reads ``Retry-After`` (seconds or an HTTP date, which is
what Attio sends: API-NOTES §8) or backs off exponentially with jitter, capped.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
BASE_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0


def should_retry(
    *,
    status_code: int | None,
    idempotent: bool,
    request_sent: bool,
) -> bool:
    """Whether a failed attempt may be tried again.

    A 429 and a connection that surely never carried the request are safe for every method: the
    request was not processed. Anything else (408, 5xx, a timeout or a connection lost mid-way)
    may have been processed, so only idempotent operations (GET, PUT, DELETE, queries) retry:
    a POST create or a PATCH append could land twice.
    """
    if status_code is None:
        return idempotent or not request_sent
    if status_code == 429:
        return True
    return status_code in RETRY_STATUSES and idempotent


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, float(when.timestamp()) - now)


def retry_delay(
    attempt: int,
    headers: Mapping[str, str] | None = None,
    *,
    now: Callable[[], float] = time.time,
    rand: Callable[[], float] = random.random,
    base: float = BASE_DELAY,
    cap: float = MAX_DELAY,
) -> float:
    """How long to wait before retry number ``attempt`` (1 for the first retry).

    ``Retry-After`` wins when present (capped at a minute, plus a little jitter so that many
    clients told the same second do not return together); otherwise full-jitter exponential
    backoff: a random wait in ``[0.5, 1] * min(cap, base * 2**(attempt-1))``.
    """
    header = None
    if headers is not None:
        header = headers.get("retry-after") or headers.get("Retry-After")
    after = parse_retry_after(header, now()) if header else None
    if after is not None:
        return min(after, MAX_RETRY_AFTER) + 0.05 * rand()
    ceiling = min(cap, base * (2.0 ** max(0, attempt - 1)))
    return ceiling * (0.5 + 0.5 * rand())
