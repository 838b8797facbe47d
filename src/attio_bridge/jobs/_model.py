"""The shapes of the job queue: what is submitted (``JobSpec``), what is shown (``JobInfo``),
what observers hear (``JobEvent``), how failures are retried (``RetrySchedule``); no I/O."""

from __future__ import annotations

import random
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from ..errors import AttioError, InvalidInputError

__all__ = [
    "EVENT_KINDS",
    "STATUSES",
    "JobEvent",
    "JobInfo",
    "JobSpec",
    "JobStatus",
    "Processor",
    "RetrySchedule",
    "error_message",
    "parse_duration",
]

JobStatus = Literal["queued", "running", "retrying", "succeeded", "dead", "cancelled"]
STATUSES: tuple[JobStatus, ...] = (
    "queued",
    "running",
    "retrying",
    "succeeded",
    "dead",
    "cancelled",
)
EventKind = Literal["started", "succeeded", "retrying", "dead"]
EVENT_KINDS: tuple[EventKind, ...] = ("started", "succeeded", "retrying", "dead")

Processor = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]
"""Runs one job's payload. Raising an ``AttioError`` with ``retryable=False`` sends the job to
the dead letter at once; any other exception is retried on the schedule. The dict returned is
the job's effect, shown to users."""

# An error message is cut to this many characters: it is shown in lists and pages.
_MAX_ERROR = 500


@dataclass(frozen=True)
class RetrySchedule:
    """How a failing job is tried again: ``attempts`` tries in all, the n-th wait
    ``first_delay * factor**(n-1)`` seconds (at most ``max_delay``), each spread by
    ``± jitter`` of itself so that many jobs failing together do not return together."""

    attempts: int = 5
    first_delay: float = 1.0
    factor: float = 2.0
    max_delay: float = 300.0
    jitter: float = 0.25

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise InvalidInputError(
                f"a retry schedule needs at least 1 attempt, not {self.attempts}"
            )
        if self.first_delay < 0 or self.max_delay < 0 or self.factor < 1:
            raise InvalidInputError(
                "a retry schedule needs first_delay >= 0, max_delay >= 0 and factor >= 1"
            )
        if not 0 <= self.jitter <= 1:
            raise InvalidInputError(f"jitter is a fraction between 0 and 1, not {self.jitter}")

    def base_delay(self, attempt: int) -> float:
        """The wait after failed attempt ``attempt`` (1-based), before jitter."""
        return float(min(self.max_delay, self.first_delay * self.factor ** (attempt - 1)))

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """The wait after failed attempt ``attempt``, jittered with ``rand()`` in [0, 1)."""
        base = self.base_delay(attempt)
        return max(0.0, base * (1 + self.jitter * (2 * rand() - 1)))

    def delays(self) -> Iterator[float]:
        """The waits between the attempts, before jitter (one fewer than ``attempts``)."""
        return (self.base_delay(n) for n in range(1, self.attempts))

    @classmethod
    def from_string(cls, text: str, *, jitter: float = 0.25) -> RetrySchedule:
        """``"1s,2s,4s"`` (or ``"500ms,1m"``): these waits between attempts, so one more attempt
        than waits; the factor is taken from the first two and ``max_delay`` is the last."""
        waits = [parse_duration(part).total_seconds() for part in text.split(",") if part.strip()]
        if not waits:
            raise InvalidInputError(f"a retry schedule lists waits like '1s,2s,4s', not {text!r}")
        factor = waits[1] / waits[0] if len(waits) > 1 and waits[0] > 0 else 1.0
        return cls(
            attempts=len(waits) + 1,
            first_delay=waits[0],
            factor=max(1.0, factor),
            max_delay=max(waits),
            jitter=jitter,
        )


@dataclass(frozen=True)
class JobSpec:
    """One unit of work: ``id`` is its identity (submitting it again starts nothing new),
    ``kind`` picks the processor, ``partition`` the lane it waits in (one flooded partition
    does not hold up another), ``payload`` a JSON-compatible dict the processor receives."""

    id: str
    kind: str
    partition: str
    payload: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id or not self.kind:
            raise InvalidInputError("a job needs a non-empty id and kind")


@dataclass(frozen=True)
class JobInfo:
    """A job as stored: its status, the attempts made, the last error (message only), and the
    effect its processor returned once it succeeded."""

    id: str
    kind: str
    partition: str
    status: JobStatus
    attempts: int
    created_at: datetime
    updated_at: datetime
    error: str | None
    result: dict[str, Any] | None
    payload: dict[str, Any]

    @property
    def type(self) -> str | None:
        """The payload's event ``type`` when it has one (webhook events do)."""
        value = self.payload.get("type")
        return value if isinstance(value, str) else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict (times as ISO 8601)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "type": self.type,
            "partition": self.partition,
            "status": self.status,
            "attempts": self.attempts,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "error": self.error,
            "result": self.result,
            "payload": self.payload,
        }


@dataclass(frozen=True)
class JobEvent:
    """What observers hear: a job ``started`` an attempt, ``succeeded``, failed and is
    ``retrying`` after a wait, or went ``dead``."""

    job_id: str
    kind: str
    partition: str
    what: EventKind
    attempt: int
    error: str | None
    result: dict[str, Any] | None
    at: float
    # Seconds the attempt took (0.0 for "started").
    duration: float = 0.0
    payload_type: str | None = None


def error_message(exc: BaseException) -> str:
    """What a failure is shown as: the class and message, never a traceback, cut short."""
    text = exc.message if isinstance(exc, AttioError) and exc.message else str(exc)
    shown = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return shown if len(shown) <= _MAX_ERROR else shown[: _MAX_ERROR - 1] + "…"


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """``"30m"``, ``"1h"``, ``"2d"``, ``"500ms"``, ``"45"`` (seconds) as a ``timedelta``."""
    match = _DURATION.match(text)
    if match is None:
        raise InvalidInputError(
            f"{text!r} is not a duration; write a number and a unit: 500ms, 30s, 15m, 1h, 2d, 1w"
        )
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2) or "s"])
