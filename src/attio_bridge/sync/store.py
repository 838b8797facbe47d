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

A full run reads every link of its object at once (``cached``) and then answers ``get`` and
``by_attio`` from memory, and writes a page's links in one transaction (``deferred``): one
query and one commit a page instead of several per record. Both belong to the thread that
opened them (one store may serve several engines on several threads, as the sync service's
does); the state store stays the source of truth (every change is written through).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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
        self._local = threading.local()  # this thread's cache and deferred writes

    @property
    def _cache(self) -> dict[tuple[str, str], tuple[dict[str, Link], dict[str, str]]]:
        """(source, object) -> (external id -> link, Attio id -> external id), while cached."""
        if not hasattr(self._local, "cache"):
            self._local.cache = {}
        cache: dict[tuple[str, str], tuple[dict[str, Link], dict[str, str]]] = self._local.cache
        return cache

    @property
    def _pending(self) -> list[tuple[str, str, dict[str, Any] | None]] | None:
        pending: list[tuple[str, str, dict[str, Any] | None]] | None = getattr(
            self._local, "pending", None
        )
        return pending

    @_pending.setter
    def _pending(self, value: list[tuple[str, str, dict[str, Any] | None]] | None) -> None:
        self._local.pending = value

    # -- links -----------------------------------------------------------------------------------
    @contextmanager
    def cached(self, source: str, object: str) -> Iterator[None]:
        """Inside, the links of ``(source, object)`` are read once and ``get`` / ``by_attio``
        answered from memory (``put`` and ``forget`` keep it current). One thread's use only."""
        links = self.links(source, object)
        by_id = {link.external_id: link for link in links}
        by_attio = {link.attio_id: link.external_id for link in links if link.attio_id}
        self._cache[(source, object)] = (by_id, by_attio)
        try:
            yield
        finally:
            self._cache.pop((source, object), None)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Inside, ``put`` and ``forget`` are collected and written at the end, in order, in
        one transaction (also when the block raised: what was decided stands)."""
        if self._pending is not None:
            yield
            return
        self._pending = []
        try:
            yield
        finally:
            pending, self._pending = self._pending, None
            self.state.write_many(pending)

    def _write(self, changes: list[tuple[str, str, dict[str, Any] | None]]) -> None:
        if self._pending is not None:
            self._pending += changes
        else:
            self.state.write_many(changes)

    def get(self, source: str, object: str, external_id: str) -> Link | None:
        """The link of one external record, or None."""
        cache = self._cache.get((source, object))
        if cache is not None:
            return cache[0].get(external_id)
        doc = self.state.get(RECORDS, record_key(source, object, external_id))
        return None if doc is None else _link(source, object, external_id, doc)

    def by_attio(self, source: str, object: str, attio_id: str) -> Link | None:
        """The link of the external record synced with Attio's ``attio_id``, or None."""
        cache = self._cache.get((source, object))
        if cache is not None:
            external_id = cache[1].get(attio_id)
            return None if external_id is None else cache[0].get(external_id)
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
        prefix = f"{link.source}:{link.object}:"
        changes: list[tuple[str, str, dict[str, Any] | None]] = [
            (RECORDS, link.key, link.document())
        ]
        cache = self._cache.get((link.source, link.object))
        if cache is not None:
            cache[0][link.external_id] = link
        if link.attio_id and (previous is None or previous.attio_id != link.attio_id):
            changes.append((ATTIO, prefix + link.attio_id, {"external_id": link.external_id}))
            if cache is not None:
                cache[1][link.attio_id] = link.external_id
        if previous is not None and previous.attio_id and previous.attio_id != link.attio_id:
            changes.append((ATTIO, prefix + previous.attio_id, None))
            if cache is not None:
                cache[1].pop(previous.attio_id, None)
        self._write(changes)
        self.writes += 1
        return True

    def forget(self, link: Link) -> None:
        """Remove a link (both sides gone)."""
        changes: list[tuple[str, str, dict[str, Any] | None]] = [(RECORDS, link.key, None)]
        cache = self._cache.get((link.source, link.object))
        if cache is not None:
            cache[0].pop(link.external_id, None)
        if link.attio_id:
            changes.append((ATTIO, f"{link.source}:{link.object}:{link.attio_id}", None))
            if cache is not None:
                cache[1].pop(link.attio_id, None)
        self._write(changes)
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
