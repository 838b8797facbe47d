"""An in-memory ``CrmConnector`` that follows the contract (``connectors.crm``), with a clock
the test drives and faults it injects: the other side of the sync engine's tests."""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from attio_bridge.connectors import ConnectorError
from attio_bridge.connectors.crm import ExternalRecord, FieldChange, Page

CONTACT_FIELDS = {
    "email": "string",
    "firstname": "string",
    "lastname": "string",
    "jobtitle": "string",
    "about": "string",
}


class FakeClock:
    """A clock that moves forward by a millisecond each time it is read."""

    def __init__(self, start: datetime | None = None) -> None:
        self.at = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        self.at += timedelta(milliseconds=1)
        return self.at


@dataclass
class Fault:
    op: str
    error: ConnectorError
    times: int


class FakeSide:
    """Records of a few objects in memory; ``faults`` make calls fail, ``writes`` counts them."""

    def __init__(
        self,
        fields: dict[str, dict[str, str]],
        *,
        system: str = "hubspot",
        clock: FakeClock | None = None,
    ) -> None:
        self.system = system
        self._fields = fields
        self.clock = clock or FakeClock()
        self.records: dict[str, dict[str, ExternalRecord]] = {o: {} for o in fields}
        self.deleted: dict[str, list[tuple[str, datetime]]] = {o: [] for o in fields}
        self.changes: dict[tuple[str, str], list[FieldChange]] = {}
        self.faults: list[Fault] = []
        self.writes = 0
        self.calls: list[str] = []
        self._ids = itertools.count(1001)

    # -- the test's handles ----------------------------------------------------------------------
    def fail(self, op: str, error: ConnectorError, times: int = 1) -> None:
        """Make the next ``times`` calls of ``op`` raise ``error``."""
        self.faults.append(Fault(op, error, times))

    def put(
        self, object: str, properties: dict[str, Any], *, at: datetime | None = None
    ) -> ExternalRecord:
        """A record created by someone on this side (not counted as a sync write)."""
        rec = ExternalRecord(object, str(next(self._ids)), dict(properties), at or self.clock())
        self.records[object][rec.id] = rec
        self._history(rec, properties)
        return rec

    def edit(
        self, object: str, id: str, properties: dict[str, Any], *, at: datetime | None = None
    ) -> ExternalRecord:
        """A change made by someone on this side."""
        old = self.records[object][id]
        rec = replace(old, properties=old.properties | properties, modified_at=at or self.clock())
        self.records[object][id] = rec
        self._history(rec, properties)
        return rec

    def remove(self, object: str, id: str) -> None:
        """A delete made by someone on this side."""
        del self.records[object][id]
        self.deleted[object].append((id, self.clock()))

    def _history(self, rec: ExternalRecord, properties: dict[str, Any]) -> None:
        for name, value in properties.items():
            self.changes.setdefault((rec.object, rec.id), []).append(
                FieldChange(name, value, rec.modified_at)
            )

    def _enter(self, op: str) -> None:
        self.calls.append(op)
        for fault in self.faults:
            if fault.op == op and fault.times > 0:
                fault.times -= 1
                raise fault.error

    def _known(self, object: str) -> dict[str, ExternalRecord]:
        if object not in self.records:
            raise ConnectorError(self.system, "unknown_object", f"no object {object!r}", status=404)
        return self.records[object]

    # -- the contract ----------------------------------------------------------------------------
    def objects(self) -> list[str]:
        return list(self._fields)

    def fields(self, object: str) -> dict[str, str]:
        self._known(object)
        return dict(self._fields[object])

    def list_page(self, object: str, cursor: str | None = None, limit: int = 100) -> Page:
        self._enter("list_page")
        ordered = sorted(self._known(object).values(), key=lambda r: int(r.id))
        start = int(cursor or 0)
        end = start + limit
        return Page(ordered[start:end], str(end) if end < len(ordered) else None)

    def modified_since(self, object: str, since: datetime, cursor: str | None = None) -> Page:
        self._enter("modified_since")
        found = sorted(
            (r for r in self._known(object).values() if r.modified_at >= since),
            key=lambda r: (r.modified_at, int(r.id)),
        )
        start = int(cursor or 0)
        end = start + 100
        return Page(found[start:end], str(end) if end < len(found) else None)

    def deleted_since(self, object: str, since: datetime) -> list[str]:
        self._enter("deleted_since")
        self._known(object)
        return [i for i, at in self.deleted[object] if at >= since]

    def get(self, object: str, id: str) -> ExternalRecord | None:
        self._enter("get")
        return self._known(object).get(id)

    def find(self, object: str, field: str, value: str) -> list[ExternalRecord]:
        # Like HubSpot's and Salesforce's text comparisons: without case.
        self._enter("find")
        wanted = value.casefold()
        return [
            r
            for r in self._known(object).values()
            if str(r.properties.get(field, "")).casefold() == wanted
        ]

    def create(self, object: str, properties: dict[str, Any]) -> ExternalRecord:
        self._enter("create")
        self._known(object)
        self.writes += 1
        return self.put(object, properties)

    def update(self, object: str, id: str, properties: dict[str, Any]) -> ExternalRecord:
        self._enter("update")
        if id not in self._known(object):
            raise ConnectorError(self.system, "not_found", f"no {object} {id}", status=404)
        self.writes += 1
        return self.edit(object, id, properties)

    def delete(self, object: str, id: str) -> None:
        self._enter("delete")
        if id in self._known(object):
            self.writes += 1
            self.remove(object, id)

    def history(self, object: str, id: str, fields: Sequence[str]) -> list[FieldChange]:
        self._enter("history")
        return [c for c in self.changes.get((object, id), []) if c.field in fields]


_SHARED: list[FakeSide] = []


def shared() -> FakeSide:
    """One fake side for the whole process: the factory the command tests give --connector."""
    if not _SHARED:
        _SHARED.append(FakeSide({"contacts": dict(CONTACT_FIELDS)}))
    return _SHARED[0]


def reset_shared() -> FakeSide:
    """A fresh shared fake side."""
    _SHARED.clear()
    return shared()


class FileSide(FakeSide):
    """A ``FakeSide`` kept in a JSON file, so that several processes share it; each call
    loads it and each write saves it (atomically). ``delay`` slows writes down and ``marker``
    is touched once a write was made, so a test can kill a process in the middle of a run."""

    def __init__(self, path: Path, *, delay: float = 0.0, marker: Path | None = None) -> None:
        super().__init__({"contacts": dict(CONTACT_FIELDS)})
        self.path, self.delay, self.marker = path, delay, marker
        if path.exists():
            self._load()

    def _load(self) -> None:
        doc = json.loads(self.path.read_text())
        self.records = {
            o: {
                r["id"]: ExternalRecord(
                    o, r["id"], r["properties"], datetime.fromisoformat(r["at"])
                )
                for r in recs
            }
            for o, recs in doc["records"].items()
        }
        self.deleted = {
            o: [(i, datetime.fromisoformat(at)) for i, at in d] for o, d in doc["deleted"].items()
        }
        self._ids = itertools.count(doc["next_id"])
        self.clock.at = max(self.clock.at, datetime.fromisoformat(doc["clock"]))

    def save(self) -> None:
        """Write the file (atomically)."""
        peek = next(self._ids)
        self._ids = itertools.count(peek)
        doc = {
            "records": {
                o: [
                    {"id": r.id, "properties": r.properties, "at": r.modified_at.isoformat()}
                    for r in recs.values()
                ]
                for o, recs in self.records.items()
            },
            "deleted": {o: [(i, at.isoformat()) for i, at in d] for o, d in self.deleted.items()},
            "next_id": peek,
            "clock": self.clock.at.isoformat(),
        }
        temp = self.path.with_suffix(".tmp")
        temp.write_text(json.dumps(doc))
        os.replace(temp, self.path)

    def _enter(self, op: str) -> None:
        if self.path.exists():
            self._load()
        super()._enter(op)

    def create(self, object: str, properties: dict[str, Any]) -> ExternalRecord:
        time.sleep(self.delay)
        rec = super().create(object, properties)
        self.save()
        if self.marker is not None:
            self.marker.touch()
        return rec

    def update(self, object: str, id: str, properties: dict[str, Any]) -> ExternalRecord:
        time.sleep(self.delay)
        rec = super().update(object, id, properties)
        self.save()
        return rec

    def delete(self, object: str, id: str) -> None:
        super().delete(object, id)
        self.save()
