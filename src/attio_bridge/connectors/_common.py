"""Small pieces the CRM connectors share: times, retry delays, settings from the environment,
proactive pacing at a system's published rate."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from pyrate_limiter import Duration, InMemoryBucket, Limiter, Rate

from ._errors import ConnectorError


def utc(value: Any) -> datetime:
    """An aware UTC datetime from a datetime, ISO text (``Z`` or offset) or epoch milliseconds."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    text = str(value).replace("Z", "+00:00")
    # Salesforce writes "+0000" without the colon.
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-2] + ":" + text[-2:]
    return utc(datetime.fromisoformat(text))


def retry_after(headers: Mapping[str, str] | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header (seconds or an HTTP date) asks to wait, if any."""
    if not headers:
        return None
    raw = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if raw is None:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def setting(environ: Mapping[str, str] | None, name: str) -> str:
    """An environment setting, stripped ('' when unset)."""
    return (os.environ if environ is None else environ).get(name, "").strip()


def require_token(system: str, token: str, how: str) -> str:
    """``token`` stripped; ``ConnectorError(not_configured)`` saying ``how`` to set it if empty."""
    if not token or not token.strip():
        raise ConnectorError(system, "not_configured", f"no {system} token given: {how}")
    return token.strip()


def unknown_object(system: str, object: str, known: list[str]) -> ConnectorError:
    """The error for an object name the connector does not sync."""
    return ConnectorError(
        system,
        "unknown_object",
        f"{system} connector has no object {object!r}: use one of {', '.join(known)}",
    )


_T = TypeVar("_T")
# Slack on the window: calls admitted evenly still reach the system with jittery latency.
PACE_MARGIN = 1.02


class Pacer:
    """At most ``limit`` calls per ``window_s`` seconds from this process (pyrate-limiter, in
    memory), waiting for a permit before each call, so that a run does not live on 429s.
    ``limit <= 0`` paces nothing. Thread-safe: callers on many threads share the budget."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._limiter: Limiter | None = None
        if limit > 0:
            window_ms = max(1, int(window_s * Duration.SECOND * PACE_MARGIN))
            self._limiter = Limiter(InMemoryBucket([Rate(limit, window_ms)]), buffer_ms=1)

    def wait(self) -> None:
        """Return once one more call may go."""
        if self._limiter is None:
            return
        while not self._limiter.try_acquire("call", blocking=False):
            time.sleep(min(0.05, self.window_s / max(self.limit, 1)))


def chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    """``items`` in runs of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
