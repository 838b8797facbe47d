"""Identifiers and timestamps in Attio's forms: UUIDs and nanosecond UTC ISO-8601 strings.

Every id, timestamp and secret the emulator makes comes from here, so they can be put on a
``Tape``: while ``recording()`` is active each value made is also kept, and inside
``replaying(tape)`` the kept values come back in the same order. The persistence layer uses this
to rebuild a workspace with the same ids and ``created_at`` times. Tapes live in a context
variable, so concurrent requests (each its own asyncio task) never share one.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(slots=True)
class Tape:
    """The ids, timestamps and secrets one operation made, in the order it made them."""

    ids: list[str] = field(default_factory=list)
    stamps: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    replay: bool = False
    _at: dict[str, int] = field(default_factory=lambda: {"ids": 0, "stamps": 0, "secrets": 0})

    def take(self, kind: str, make: Callable[[], str]) -> str:
        """The next kept value of ``kind`` when replaying, else a fresh one (kept)."""
        kept: list[str] = getattr(self, kind)
        if self.replay:
            i = self._at[kind]
            if i < len(kept):
                self._at[kind] = i + 1
                return kept[i]
            # Past the end of the tape (the code now makes more values than it did): go live.
            return make()
        value = make()
        kept.append(value)
        return value

    def as_dict(self) -> dict[str, list[str]]:
        """The kept values, for storing."""
        return {"ids": self.ids, "stamps": self.stamps, "secrets": self.secrets}


_TAPE: ContextVar[Tape | None] = ContextVar("attio_emulator_tape", default=None)


@contextmanager
def recording() -> Iterator[Tape]:
    """Keep every id, timestamp and secret made in this context on a new tape."""
    tape = Tape()
    token = _TAPE.set(tape)
    try:
        yield tape
    finally:
        _TAPE.reset(token)


@contextmanager
def replaying(kept: dict[str, list[str]]) -> Iterator[Tape]:
    """Give back the values of a ``Tape.as_dict()``, in order, to the code run in this context."""
    tape = Tape(
        list(kept.get("ids", [])),
        list(kept.get("stamps", [])),
        list(kept.get("secrets", [])),
        replay=True,
    )
    token = _TAPE.set(tape)
    try:
        yield tape
    finally:
        _TAPE.reset(token)


@contextmanager
def untaped() -> Iterator[None]:
    """Make live values, kept on no tape (for side effects such as webhook deliveries)."""
    token = _TAPE.set(None)
    try:
        yield
    finally:
        _TAPE.reset(token)


def _uuid() -> str:
    return str(uuid.uuid4())


def new_id() -> str:
    """A fresh UUID string, the form of every Attio identifier."""
    tape = _TAPE.get()
    return _uuid() if tape is None else tape.take("ids", _uuid)


def _secret() -> str:
    return secrets.token_hex(32)


def new_secret() -> str:
    """A fresh 64-hex-character secret (a webhook's signing secret)."""
    tape = _TAPE.get()
    return _secret() if tape is None else tape.take("secrets", _secret)


def format_ts(dt: datetime, nanos: int | None = None) -> str:
    """``dt`` as Attio writes timestamps: UTC with nine fractional digits and a ``Z``."""
    dt = dt.astimezone(UTC)
    frac = f"{dt.microsecond:06d}000" if nanos is None else f"{nanos:09d}"
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{frac}Z"


def now_ts() -> str:
    """The current time as an Attio timestamp (nanosecond precision)."""
    tape = _TAPE.get()
    return _now() if tape is None else tape.take("stamps", _now)


def _now() -> str:
    ns = time.time_ns()
    secs, frac = divmod(ns, 1_000_000_000)
    return format_ts(datetime.fromtimestamp(secs, UTC), frac)


def parse_ts(value: str) -> datetime:
    """An Attio timestamp back to an aware datetime (nanoseconds truncated to microseconds)."""
    head, _, frac = value.rstrip("Z").partition(".")
    micro = int((frac + "000000")[:6]) if frac else 0
    return datetime.fromisoformat(head).replace(microsecond=micro, tzinfo=UTC)
