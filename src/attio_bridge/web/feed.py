"""The events page's data: the most recent events and what became of them, in memory.

``EventFeed`` is fed from two sides: the receiver's submit (``received``: an event stored, or a
redelivery of one already known) and the job queue's observer (``observe``: a job started,
succeeded with its effect, is retrying, or is dead). It keeps one row per event, newest first,
in a ring of ``size`` rows, and running counts (of events, and of attempts: ``COUNT_LABELS``
says so on the page, as "4 retries scheduled" is not "4 jobs retrying now"). An effect is kept
as a readable line (``summary``: its ``action`` and the id it is about, "re-read record 5f3c…")
and as its JSON. Observers may call it from worker threads, so
every change holds a lock. Text that may carry a secret (an error, an effect) goes through
``scrub`` before it is kept.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import orjson

from ..webhooks import Event
from .ports import JobEvent

__all__ = ["COUNTS", "COUNT_LABELS", "EventFeed", "FeedRow", "summary"]

COUNTS = ("received", "redelivered", "started", "succeeded", "retrying", "dead")
"""The counters the page shows, in its order."""

COUNT_LABELS = {
    "received": "received",
    "redelivered": "redelivered",
    "started": "attempts started",
    "succeeded": "succeeded",
    "retrying": "retries scheduled",
    "dead": "dead letters",
}
"""What each counter counts, as the page labels it: since start, not jobs in that state now."""

_ID_SHOWN = 8

_SUBJECT_KEYS = ("record_id", "entry_id", "note_id", "task_id", "attribute_id", "list_id")
_TEXT_MAX = 300


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One event on the page: where it came from and where its job is."""

    job_id: str
    received_at: float
    source: str
    workspace: str
    type: str
    subject: str
    status: str
    attempts: int = 0
    effect: str = ""  # the effect's JSON
    error: str = ""
    summary: str = ""  # the effect as a line to read
    updated_at: float = 0.0


def _subject(payload: Mapping[str, Any]) -> str:
    """The id of the thing an event is about (a record, an entry, a note ...), if it names one."""
    ids = payload.get("id")
    if isinstance(ids, Mapping):
        for key in _SUBJECT_KEYS:
            if isinstance(ids.get(key), str):
                return f"{key.removesuffix('_id')} {ids[key]}"
    return ""


def summary(effect: Mapping[str, Any]) -> str:
    """An effect as a line: its ``action`` and the id it names ("re-read record 5f3c1a2b…",
    "no external sync hook (record 5f3c1a2b…)"), else its first fields ("note: …")."""
    action = effect.get("action")
    named = next(
        ((k.removesuffix("_id"), v) for k, v in effect.items() if k.endswith("_id") and v), None
    )
    if isinstance(action, str):
        if named is None:
            return action
        kind, value = named
        text = str(value)
        short = text if len(text) <= _ID_SHOWN + 1 else text[:_ID_SHOWN] + "…"
        return f"{action} {short}" if action.endswith(kind) else f"{action} ({kind} {short})"
    return ", ".join(f"{k}: {v}" for k, v in list(effect.items())[:3])


def _short(text: str) -> str:
    return text if len(text) <= _TEXT_MAX else text[: _TEXT_MAX - 1] + "…"


class EventFeed:
    """A ring of the last ``size`` events with their jobs' progress, and counts since start."""

    def __init__(
        self,
        size: int = 200,
        *,
        scrub: Callable[[str], str] = lambda text: text,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._size = size
        self._scrub = scrub
        self._clock = clock
        self._lock = threading.Lock()
        self._rows: OrderedDict[str, FeedRow] = OrderedDict()
        self._counts = dict.fromkeys(COUNTS, 0)
        self._version = 0

    def received(self, events: Sequence[Event], new: Sequence[bool]) -> None:
        """``events`` were handed to the queue; ``new[i]`` False means a redelivery."""
        now = self._clock()
        with self._lock:
            for event, fresh in zip(events, new, strict=True):
                self._counts["received" if fresh else "redelivered"] += 1
                if not fresh and event.job_id in self._rows:
                    continue  # a redelivery changes nothing: the first row stands
                self._put(
                    FeedRow(
                        job_id=event.job_id,
                        received_at=event.received_at or now,
                        source=event.source,
                        workspace=event.workspace,
                        type=event.type,
                        subject=_subject(event.payload),
                        status="queued" if fresh else "redelivered",
                        updated_at=now,
                    )
                )

    def observe(self, event: JobEvent) -> None:
        """A job queue observer: the job's row follows its progress."""
        with self._lock:
            if event.what in self._counts:
                self._counts[event.what] += 1
            row = self._rows.get(event.job_id) or FeedRow(
                job_id=event.job_id,
                received_at=event.at,
                source="",
                workspace=event.partition.partition(":")[0],
                type=event.kind,
                subject="",
                status="queued",
            )
            effect, line = row.effect, row.summary
            if event.result is not None:
                effect = _short(self._scrub(orjson.dumps(event.result).decode()))
                line = _short(self._scrub(summary(event.result)))
            self._put(
                replace(
                    row,
                    status=event.what,
                    attempts=max(row.attempts, event.attempt),
                    effect=effect,
                    summary=line,
                    error=_short(self._scrub(event.error)) if event.error else "",
                    updated_at=event.at,
                ),
                move=False,
            )

    def _put(self, row: FeedRow, *, move: bool = True) -> None:
        """Keep ``row`` (lock held): new rows go to the front, the oldest beyond ``size`` go."""
        known = row.job_id in self._rows
        self._rows[row.job_id] = row
        if move or not known:
            self._rows.move_to_end(row.job_id)
        while len(self._rows) > self._size:
            self._rows.popitem(last=False)
        self._version += 1

    def rows(self) -> list[FeedRow]:
        """The kept rows, newest event first."""
        with self._lock:
            return list(reversed(self._rows.values()))

    def counts(self) -> dict[str, int]:
        """Events received and redelivered, and job steps seen, since the feed began."""
        with self._lock:
            return dict(self._counts)

    @property
    def version(self) -> int:
        """A number that grows with every change: the page's poll can skip an unchanged feed."""
        with self._lock:
            return self._version
