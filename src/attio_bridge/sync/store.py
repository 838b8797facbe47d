"""The sync's memory in the shared state store: one link per synced record, cursors, checkpoints.

``RecordStore(state)`` keeps, per ``(source, object, external id)`` (namespace ``sync-records``),
the Attio record id it is linked to, the last synced copy (the merge's base) with its content
hash, the fields whose conflict is open, and the hash of what we last wrote to each side, so that
the echo of our own write (a webhook, a modified-since page) is recognised and starts no loop.
A second key per Attio record (``sync-attio``) finds the link from Attio's side. A link is
written only when something in it changed.

Cursors (``sync-cursors``, per ``(source, object)``) hold the time the previous pull *started*,
so a change made while a pull ran, or whose webhook was missed, is caught by the next one.
Checkpoints (``sync-checkpoints``, per mapping) let a full sync resume where it stopped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..state import StateStore
from ..values import plain  # the sync modules take it from here too

__all__ = ["Link", "RecordStore", "content_hash", "plain", "record_key"]

RECORDS = "sync-records"
ATTIO = "sync-attio"
CURSORS = "sync-cursors"
CHECKPOINTS = "sync-checkpoints"


def content_hash(values: Mapping[str, Any] | None) -> str:
    """A stable hash of canonical values (key order does not matter); ``""`` for None."""
    if values is None:
        return ""
    text = json.dumps(plain(values), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Link:
    """What the store knows of one synced record."""

    source: str
    object: str
    external_id: str
    attio_id: str | None = None
    base: dict[str, Any] | None = None
    pending: tuple[str, ...] = ()
    wrote_attio: str = ""  # hash of the values we last wrote to Attio
    wrote_external: str = ""
    flagged: str | None = None  # "deleted in attio" / "deleted in external" with on_delete=flag
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Its key in the store."""
        return record_key(self.source, self.object, self.external_id)

    def document(self) -> dict[str, Any]:
        """The JSON document stored."""
        return {
            "attio_id": self.attio_id,
            "base": plain(self.base),
            "hash": content_hash(self.base),
            "pending": list(self.pending),
            "wrote_attio": self.wrote_attio,
            "wrote_external": self.wrote_external,
            "flagged": self.flagged,
            **({"extra": self.extra} if self.extra else {}),
        }


def record_key(source: str, object: str, external_id: str) -> str:
    """The store key of one external record."""
    return f"{source}:{object}:{external_id}"


class RecordStore:
    """Links, cursors and checkpoints of the sync, in ``state`` (module docstring)."""

    def __init__(self, state: StateStore) -> None:
        self.state = state
        self.writes = 0  # documents written, for tests and the bench

    # -- links -----------------------------------------------------------------------------------
    def get(self, source: str, object: str, external_id: str) -> Link | None:
        """The link of one external record, or None."""
        doc = self.state.get(RECORDS, record_key(source, object, external_id))
        return None if doc is None else _link(source, object, external_id, doc)

    def by_attio(self, source: str, object: str, attio_id: str) -> Link | None:
        """The link of the external record synced with Attio's ``attio_id``, or None."""
        doc = self.state.get(ATTIO, f"{source}:{object}:{attio_id}")
        if doc is None:
            return None
        return self.get(source, object, str(doc["external_id"]))

    def links(self, source: str, object: str) -> list[Link]:
        """Every link of ``(source, object)``."""
        prefix = f"{source}:{object}:"
        return [
            _link(source, object, key.removeprefix(prefix), doc)
            for key, doc in self.state.items(RECORDS, prefix)
        ]

    def put(self, link: Link, previous: Link | None) -> bool:
        """Store ``link`` unless it equals ``previous``; whether it was written."""
        if previous is not None and previous.document() == link.document():
            return False
        self.state.put(RECORDS, link.key, link.document())
        self.writes += 1
        if link.attio_id and (previous is None or previous.attio_id != link.attio_id):
            self.state.put(
                ATTIO,
                f"{link.source}:{link.object}:{link.attio_id}",
                {"external_id": link.external_id},
            )
        if previous is not None and previous.attio_id and previous.attio_id != link.attio_id:
            self.state.delete(ATTIO, f"{link.source}:{link.object}:{previous.attio_id}")
        return True

    def forget(self, link: Link) -> None:
        """Remove a link (both sides gone)."""
        self.state.delete(RECORDS, link.key)
        if link.attio_id:
            self.state.delete(ATTIO, f"{link.source}:{link.object}:{link.attio_id}")
        self.writes += 1

    # -- cursors and checkpoints -----------------------------------------------------------------
    def cursor(self, source: str, object: str) -> datetime | None:
        """When the previous pull of ``(source, object)`` started, or None."""
        doc = self.state.get(CURSORS, f"{source}:{object}")
        return None if doc is None else datetime.fromisoformat(doc["started_at"])

    def set_cursor(self, source: str, object: str, started_at: datetime) -> None:
        """Remember that a pull which started at ``started_at`` finished."""
        self.state.put(CURSORS, f"{source}:{object}", {"started_at": started_at.isoformat()})

    def checkpoint(self, name: str) -> dict[str, Any] | None:
        """The checkpoint of the full sync of mapping ``name``, or None."""
        return self.state.get(CHECKPOINTS, name)

    def set_checkpoint(self, name: str, doc: Mapping[str, Any] | None) -> None:
        """Replace (or with None, remove) the full sync's checkpoint of mapping ``name``."""
        if doc is None:
            self.state.delete(CHECKPOINTS, name)
        else:
            self.state.put(CHECKPOINTS, name, doc)


def _link(source: str, object: str, external_id: str, doc: Mapping[str, Any]) -> Link:
    return Link(
        source,
        object,
        external_id,
        attio_id=doc.get("attio_id"),
        base=doc.get("base"),
        pending=tuple(doc.get("pending", ())),
        wrote_attio=doc.get("wrote_attio", ""),
        wrote_external=doc.get("wrote_external", ""),
        flagged=doc.get("flagged"),
        extra=dict(doc.get("extra", {})),
    )
