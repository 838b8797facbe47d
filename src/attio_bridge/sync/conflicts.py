"""The conflicts of the sync: open ones in a queue, decided ones in a log (state store).

Every conflict the merge records (``merge.Conflict``) becomes a ``ConflictRecord`` with the
mapping, both record ids, both values, the base, the decision and its reason. Decided ones go to
the log (``sync-conflict-log``); open ones wait in the queue (``sync-conflicts``, one per
mapping, external record and field, so seeing the same conflict again updates it) until
``SyncEngine.resolve(id, take)`` writes the chosen value to both sides and closes it (the closed
conflict joins the log with the decision ``"resolved: ..."``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import MissingError
from ..state import StateStore
from .merge import Conflict
from .store import plain

__all__ = ["ConflictQueue", "ConflictRecord", "UnknownConflictError"]

OPEN = "sync-conflicts"
LOG = "sync-conflict-log"


class UnknownConflictError(MissingError):
    """No open conflict has the id given."""


@dataclass(frozen=True)
class ConflictRecord:
    """One conflict as stored and shown."""

    id: str
    mapping: str
    external_id: str
    attio_id: str | None
    field: str
    attio_value: Any
    external_value: Any
    base_value: Any
    decision: str
    reason: str
    at: str

    @classmethod
    def of(
        cls, mapping: str, external_id: str, attio_id: str | None, c: Conflict, at: datetime
    ) -> ConflictRecord:
        """The record of merge conflict ``c``; its id is stable per (mapping, record, field)."""
        ident = hashlib.sha256(f"{mapping}\0{external_id}\0{c.field}".encode()).hexdigest()[:12]
        return cls(
            ident,
            mapping,
            external_id,
            attio_id,
            c.field,
            plain(c.attio_value),
            plain(c.external_value),
            plain(c.base_value),
            c.decision,
            c.reason,
            at.isoformat(),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON document."""
        return asdict(self)


def _record(doc: Mapping[str, Any]) -> ConflictRecord:
    fields: dict[str, Any] = {k: doc.get(k) for k in ConflictRecord.__dataclass_fields__}
    return ConflictRecord(**fields)


class ConflictQueue:
    """The open conflicts and the log of decided ones (module docstring)."""

    def __init__(self, state: StateStore) -> None:
        self.state = state

    def record(self, rec: ConflictRecord) -> None:
        """Keep ``rec``: in the queue when open (replacing the same conflict), else in the log."""
        if rec.decision == "open":
            if self.state.get(OPEN, rec.id) != rec.to_dict():
                self.state.put(OPEN, rec.id, rec.to_dict())
        else:
            self.state.put(LOG, f"{rec.at}:{rec.id}", rec.to_dict())

    def open(self, mapping: str | None = None) -> list[ConflictRecord]:
        """The open conflicts, of one mapping or all, oldest first."""
        found = [_record(doc) for _, doc in self.state.items(OPEN)]
        return sorted(
            (c for c in found if mapping is None or c.mapping == mapping), key=lambda c: c.at
        )

    def log(self, limit: int = 100) -> list[ConflictRecord]:
        """The newest decided conflicts, newest first."""
        return [_record(doc) for _, doc in reversed(self.state.items(LOG))][:limit]

    def get(self, conflict_id: str) -> ConflictRecord:
        """An open conflict, else the newest logged one with that id; ``UnknownConflictError``."""
        doc = self.state.get(OPEN, conflict_id)
        if doc is not None:
            return _record(doc)
        for rec in self.log(limit=10_000):
            if rec.id == conflict_id:
                return rec
        raise UnknownConflictError(
            f"no conflict {conflict_id!r}; `attio-bridge sync conflicts list` shows the open ones"
        )

    def close(self, rec: ConflictRecord, decision: str, value: Any) -> ConflictRecord:
        """Move an open conflict to the log with ``decision`` and the value now on both sides."""
        now = datetime.now(UTC)
        done = ConflictRecord(
            rec.id,
            rec.mapping,
            rec.external_id,
            rec.attio_id,
            rec.field,
            rec.attio_value,
            rec.external_value,
            rec.base_value,
            decision,
            f"resolved; both sides now hold {plain(value)!r}",
            now.isoformat(),
        )
        self.state.put(LOG, f"{done.at}:{done.id}", done.to_dict())
        self.state.delete(OPEN, rec.id)
        return done

    def drop(self, conflict_id: str) -> None:
        """Remove an open conflict that no longer holds (the sides agree again)."""
        self.state.delete(OPEN, conflict_id)
