"""``SyncEngine``: one mapping kept in step between Attio and another CRM.

- ``full()`` reads every page of Attio (records query, 500 a page) and of the other side
  (``list_page``), pairs records by link, else by match key, merges each pair (``merge``) and
  makes the writes. The external cursor is checkpointed after each page (``RecordStore``), so a
  run that dies resumes from its last page; what was already synced merges to no writes.
  Attio records no external page named are then settled (created on the other side, or deleted
  when their external record is gone), as are links whose Attio record is gone.
- ``incremental(events)`` settles the records named by webhook events (Attio's ``record.*``,
  HubSpot's ``contact.propertyChange``-style payloads, Salesforce change events, Zoho CRM
  notifications, each re-read from its side, so duplicated and reordered events do no harm),
  then pulls what changed and what was deleted on the other side since the previous pull
  *started*. ``settle(events)`` is the first half alone, a webhook's path (no pull).
- ``reconcile()`` is a full run that compares the ids of both sides.
- An Attio record an event names that has no link is first looked for on the other side by its
  match key (``connector.find``; a connector without it skips this), and linked to the record
  found instead of being created there again.
- A one-way mapping (``direction = "into_attio"``) merges with ``merge(..., one_way=True)``:
  the other side's values stand and it is never written (``merge`` module docstring).
- ``resolve(conflict_id, take)`` writes the chosen value (``"attio"``, ``"external"`` or a
  value) to both sides and closes the conflict.
- ``dry_run=True`` collects the writes (``Report.planned``) instead of making them.

How a run goes fast (docs/SYNC.md, "Speed"): pairing and merging are decided in the calling
thread, one record after another (so two external records never claim one Attio record), and
the writes they call for are made by a pool of ``concurrency`` threads: Attio's one record at a
time but many at once, paced by the client's shared rate budget rather than by round trips; the
other side's in batches (``create_many`` / ``update_many`` when the connector is a
``BatchWriter``, else one call per record) on a thread of their own, alongside. While pages'
writes go out, the next pages are read and decided (up to ``ahead`` pages in flight); a page's
links are stored and the checkpoint moved past it only once every write of that page and of
the pages before it is done, so a run that dies resumes at a page whose writes may not all have
been made, and its match keys pair what was made. ``concurrency=1`` makes the writes in the
calling thread, one after another, as a run without the pool would.

The other side is a ``connectors.crm.CrmConnector`` (synchronous); its retryable failures are
retried after the delay it asked for. A record that fails for good is counted and reported and
the run goes on. A record created in Attio from the other side on its first sync gets each
field's past values from ``connector.history`` when ``history=True`` (Attio's history write,
which fires no webhook).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from ..client import AttioClient
from ..client.models import Record
from ..connectors.crm import (
    BatchWriter,
    CrmConnector,
    ExternalRecord,
    create_many_once,
    create_once,
)
from ..errors import AttioError, InvalidInputError, MissingError
from ..values import SchemaCache, as_decoded, decode_record, encode_values
from . import metrics
from .conflicts import ConflictQueue, ConflictRecord
from .mapping import SyncMapping
from .merge import MergeResult, Side, merge
from .store import Link, RecordStore, content_hash, plain

__all__ = ["ATTIO_PAGE", "PlannedWrite", "Report", "SyncEngine"]

ATTIO_PAGE = 500
EXTERNAL_PAGE = 100
CONCURRENCY = 8  # Attio writes in flight at once: 25/s at ~200 ms a round trip needs 5
AHEAD = 64  # groups (pages) whose writes may be in flight before the run waits for the oldest
_RETRIES = 6
_T = TypeVar("_T")
_HUBSPOT_OBJECTS = {"contact": "contacts", "company": "companies", "deal": "deals"}


@dataclass(frozen=True)
class PlannedWrite:
    """One write a run made (or, in a dry run, would make)."""

    side: str  # "attio" | "external"
    op: str  # "create" | "update" | "delete" | "flag"
    id: str | None
    values: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """A JSON document."""
        return {"side": self.side, "op": self.op, "id": self.id, "values": plain(self.values)}


@dataclass
class Report:
    """What one run did."""

    mapping: str
    read: dict[str, int] = field(default_factory=lambda: {"attio": 0, "external": 0})
    written: dict[str, int] = field(default_factory=lambda: {"attio": 0, "external": 0})
    skipped: int = 0
    conflicts: list[ConflictRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    planned: list[PlannedWrite] = field(default_factory=list)

    @property
    def writes(self) -> int:
        """Writes made (or planned) on both sides."""
        return self.written["attio"] + self.written["external"]

    def to_dict(self) -> dict[str, Any]:
        """A JSON document."""
        return {
            "mapping": self.mapping,
            "read": self.read,
            "written": self.written,
            "skipped_unchanged": self.skipped,
            "conflicts": [c.to_dict() for c in self.conflicts],
            "errors": self.errors,
            "planned": [p.to_dict() for p in self.planned],
        }


@dataclass
class _Attio:
    """An Attio record's canonical values."""

    id: str
    values: dict[str, Any]
    modified_at: datetime | None
    keys: tuple[str, ...]  # its match-key values, folded
    key_values: tuple[str, ...] = ()  # the same, as written


@dataclass
class _Work:
    """One pair's merge and the writes it calls for: decided in the run's thread, written by
    the pool (``attio`` and ``external`` are the ops, None when there is nothing to write on
    that side), finished (link stored, conflicts kept) in the run's thread again."""

    link: Link
    a: _Attio | None
    rec: ExternalRecord | None
    result: MergeResult
    previous: Link | None
    attio: tuple[str, Any] | None = None  # ("create", row) | ("update", row) | ("delete", None)
    external: tuple[str, dict[str, Any]] | None = None  # ("create"|"update"|"delete", props)
    ext_id: str = ""
    attio_id: str | None = None
    outcome: str = "write"  # "write" | "forget" | "flag" | "deleted"
    flagged: str | None = None
    error: AttioError | None = None

    def fail(self, exc: AttioError) -> None:
        """Remember the first failure of this pair's writes."""
        if self.error is None:
            self.error = exc


class SyncEngine:
    """Keeps ``mapping``'s two objects in step (module docstring)."""

    def __init__(
        self,
        mapping: SyncMapping,
        connector: CrmConnector,
        client: AttioClient,
        store: RecordStore,
        conflicts: ConflictQueue | None = None,
        *,
        schema: SchemaCache | None = None,
        dry_run: bool = False,
        history: bool = False,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
        attio_page: int = ATTIO_PAGE,
        external_page: int = EXTERNAL_PAGE,
        lock_timeout: float | None = 600.0,
        concurrency: int = CONCURRENCY,
        batches: bool = True,
        ahead: int = AHEAD,
    ) -> None:
        self.mapping = mapping
        self.connector = connector
        self.client = client
        self.store = store
        self.conflicts = conflicts or ConflictQueue(store.state)
        self.schema = schema or SchemaCache(client)
        self.dry_run = dry_run
        self.history = history
        self.clock = clock
        self.sleep = sleep
        self.attio_page = attio_page
        self.external_page = external_page
        self.lock_timeout = lock_timeout
        self.concurrency = max(1, concurrency)
        self.batches = batches
        self.ahead = max(1, ahead)
        self._resumed = False  # a resumed run may redo a create the run that died made
        self._report = Report(mapping.name)
        self._pool: ThreadPoolExecutor | None = None
        self._ext_pool: ThreadPoolExecutor | None = None
        self._claimed: dict[str, str] = {}  # Attio id -> external id paired in this run

    # -- runs ------------------------------------------------------------------------------------
    def full(self) -> Report:
        """Every record of both sides, resumable from the checkpoint of a run that died. Runs
        of one mapping take turns (a lock in the state store, held across machines on
        PostgreSQL, freed when its holder dies)."""
        with self._turn(), self._writers():
            return self._full()

    def _turn(self) -> Any:
        return self.store.state.lock(f"sync:{self.mapping.name}", timeout=self.lock_timeout)

    @contextmanager
    def _writers(self) -> Iterator[None]:
        """The pools that make a run's writes (none with ``concurrency=1`` or a dry run):
        ``concurrency`` threads for Attio's, one for the other side's batches (paced by the
        system anyway, and never queued behind Attio's writes)."""
        if self.concurrency <= 1 or self.dry_run:
            yield
            return
        self.schema.get()  # loaded once here, not raced for by the pool's first writes
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="sync-attio")
        self._ext_pool = ThreadPoolExecutor(1, thread_name_prefix="sync-external")
        try:
            yield
        finally:
            pools = (self._pool, self._ext_pool)
            self._pool = self._ext_pool = None
            for pool in pools:
                pool.shutdown(wait=True)

    def _full(self) -> Report:
        with self.store.cached(self.mapping.system, self.mapping.object):
            return self._full_cached()

    def _full_cached(self) -> Report:
        m = self.mapping
        self._report = Report(m.name)
        self._claimed = {}
        checkpoint = self.store.checkpoint(m.name) or {}
        self._resumed = bool(checkpoint)
        started = (
            datetime.fromisoformat(checkpoint["started_at"])
            if "started_at" in checkpoint
            else self.clock()
        )
        cursor: str | None = checkpoint.get("cursor")
        attio = self._read_attio()
        by_key = {k: a for a in attio.values() for k in a.keys}
        seen_attio: set[str] = set()
        seen_external: set[str] = set()
        with self._pipeline() as push:
            while True:
                page = self._call(self.connector.list_page, m.object, cursor, self.external_page)
                works = []
                for rec in page.records:
                    seen_external.add(rec.id)
                    works.append(self._external_changed(rec, attio, by_key, seen_attio))
                cursor = page.next_cursor
                push(works, self._checkpointer(started, cursor))
                if cursor is None:
                    break
            unseen = [a for a in attio.values() if a.id not in seen_attio]
            for start in range(0, len(unseen), self.external_page):
                chunk = unseen[start : start + self.external_page]
                push([self._attio_changed(a) for a in chunk], None)
        for link in self.store.links(m.system, m.object):
            if link.external_id in seen_external or (link.attio_id or "") in attio:
                continue
            # Gone from Attio and not in the listing: settle it once more.
            self._settle(link, None, self._get_external(link.external_id))
        if not self.dry_run:
            self.store.set_cursor(m.system, m.object, started)
            self.store.set_checkpoint(m.name, None)
        return self._report

    def _checkpointer(self, started: datetime, cursor: str | None) -> Callable[[], None] | None:
        """What moves the checkpoint to ``cursor`` once a page's writes are done."""
        if cursor is None or self.dry_run:
            return None
        doc = {"cursor": cursor, "started_at": started.isoformat()}
        return lambda: self.store.set_checkpoint(self.mapping.name, doc)

    @contextmanager
    def _pipeline(
        self,
    ) -> Iterator[Callable[[list[_Work | None], Callable[[], None] | None], None]]:
        """``push(works, then)``: start a group's writes and go on; groups are finished in the
        order pushed (links stored, ``then`` called: the checkpoint) as soon as their writes are
        done, and waited for once more than ``ahead`` are in flight. So the next pages are read
        and decided while earlier pages' writes go out, and the other side's writes (the Attio
        records no page named, say) overlap Attio's. On the way out, even when the run failed,
        every group is finished, so no write is left running and a finished page is
        checkpointed; after a failed group no later one moves the checkpoint."""
        held: list[tuple[list[_Work], list[Future[Any]], Callable[[], None] | None]] = []
        broken = False  # a group failed: no later group may move the checkpoint past it

        def complete() -> None:
            nonlocal broken
            works, futures, then = held.pop(0)
            try:
                self._complete(works, futures, None if broken else then)
            except BaseException:
                broken = True
                raise

        def push(works: list[_Work | None], then: Callable[[], None] | None) -> None:
            group = [w for w in works if w is not None]
            held.append((group, self._start(group), then))
            while held and (len(held) > self.ahead or all(f.done() for f in held[0][1])):
                complete()

        try:
            yield push
        finally:
            first: BaseException | None = None
            while held:  # every group, even after one failed: no write is left running
                try:
                    complete()
                except BaseException as exc:
                    first = first or exc
            if first is not None:
                raise first

    def reconcile(self) -> Report:
        """A full comparison of the ids of both sides (a full run, not resumed)."""
        if not self.dry_run:
            self.store.set_checkpoint(self.mapping.name, None)
        return self.full()

    def incremental(self, events: Iterable[Any] = ()) -> Report:
        """The records ``events`` name, then what the other side changed or deleted since the
        previous pull started (a full run when there was none)."""
        with self._turn(), self._writers():
            return self._incremental(events)

    def settle(self, events: Iterable[Any]) -> Report:
        """Only the records ``events`` name, each read again from its side: a webhook's path.
        No pull and the cursor stays where it is (the periodic pull, ``incremental()``, catches
        what no event named), so a burst of events, the echoes of a run's own writes among
        them, costs one read per record named, not a pull of the other side each."""
        with self._turn(), self._writers():
            self._report = Report(self.mapping.name)
            self._claimed = {}
            for event in events:
                self._event(event)
            return self._report

    def _incremental(self, events: Iterable[Any]) -> Report:
        m = self.mapping
        since = self.store.cursor(m.system, m.object)
        if since is None:
            report = self._full()
            for event in events:
                self._event(event)
            return report
        self._report = Report(m.name)
        self._claimed = {}
        started = self.clock()
        for event in events:
            self._event(event)
        cursor: str | None = None
        with self._pipeline() as push:
            while True:
                page = self._call(self.connector.modified_since, m.object, since, cursor)
                push([self._external_changed(rec) for rec in page.records], None)
                cursor = page.next_cursor
                if cursor is None:
                    break
        for ext_id in self._call(self.connector.deleted_since, m.object, since):
            link = self.store.get(m.system, m.object, ext_id)
            if link is not None:
                self._settle(link, self._get_attio(link.attio_id), None)
        if not self.dry_run:
            self.store.set_cursor(m.system, m.object, started)
        return self._report

    def resolve(self, conflict_id: str, take: Any) -> ConflictRecord:
        """Close open conflict ``conflict_id`` with Attio's value (``"attio"``), the other
        side's (``"external"``) or the value given, written to both sides."""
        rec = self.conflicts.get(conflict_id)
        if rec.decision != "open":
            raise InvalidInputError(
                f"conflict {conflict_id} is already closed ({rec.decision}); nothing to resolve"
            )
        value = (
            rec.attio_value
            if take == "attio"
            else rec.external_value
            if take == "external"
            else take
        )
        m = self.mapping
        link = self.store.get(m.system, m.object, rec.external_id)
        if link is None:
            raise MissingError(
                f"conflict {conflict_id}: its record is no longer synced (deleted on a side);"
                " run `attio-bridge sync reconcile`"
            )
        self._report = Report(m.name)
        values = {rec.field: value}
        if link.attio_id:
            row = self._attio_row(values)
            self._plan("attio", "update", link.attio_id, row)
            if not self.dry_run:
                self.client.records.overwrite(m.attio_target, link.attio_id, self._encode(row))
        # A one-way mapping never writes to the other side.
        props = None if m.one_way else self._external_update(link.external_id, values)
        if props is not None and not self.dry_run:
            self._call(self.connector.update, m.object, link.external_id, props)
        base = dict(link.base or {}) | {rec.field: plain(value)}
        pending = tuple(f for f in link.pending if f != rec.field)
        self.store.put(replace(link, base=base, pending=pending), link)
        decision = take if take in ("attio", "external") else "value"
        return self.conflicts.close(rec, f"resolved: {decision}", value)

    # -- one record ------------------------------------------------------------------------------
    def _event(self, event: Any) -> None:
        """Settle the record one webhook event names (re-read from its side)."""
        payload: Mapping[str, Any] = event.payload
        if event.source == "attio":
            ident = payload.get("id") or {}
            record_id = ident.get("record_id")
            target = self.schema.get().object(self.mapping.attio_target)
            if not record_id or target is None or ident.get("object_id") not in (target.id, None):
                return
            a = self._get_attio(record_id)
            if a is not None:
                self._settle_now(self._attio_changed(a, match=True))
                return
            link = self.store.by_attio(self.mapping.system, self.mapping.object, record_id)
            if link is not None:
                self._settle(link, None, self._get_external(link.external_id))
            return
        if event.source != self.mapping.system:
            return
        for ext_id in _event_ids(payload, self.mapping.object):
            rec = self._get_external(ext_id)
            if rec is not None:
                self._settle_now(self._external_changed(rec))
                continue
            link = self.store.get(self.mapping.system, self.mapping.object, ext_id)
            if link is not None:
                self._settle(link, self._get_attio(link.attio_id), None)

    def _skip(self) -> None:
        """Count a record left as it is (nothing to merge)."""
        self._report.skipped += 1
        metrics.SKIPPED.labels(self.mapping.name).inc()

    def _external_changed(
        self,
        rec: ExternalRecord,
        attio: Mapping[str, _Attio] | None = None,
        by_key: Mapping[str, _Attio] | None = None,
        seen_attio: set[str] | None = None,
    ) -> _Work | None:
        """Pair an external record with its Attio twin (by link, else by match key) and decide."""
        m = self.mapping
        self._count_read("external")
        stored = self.store.get(m.system, m.object, rec.id)
        if rec.archived:
            return (
                None
                if stored is None
                else self._decide(stored, self._attio_of(stored, attio), None)
            )
        if attio is None and _holds_base(stored, self._external_values(rec)):
            # Read alone (an event, a pull), it holds what was last synced, the echo of the
            # sync's own write: nothing to merge, and Attio is not read for it (its changes
            # come with its own events and reconciles).
            self._skip()
            return None
        link = stored or Link(m.system, m.object, rec.id)
        twin = self._attio_of(link, attio) if link.attio_id else None
        if twin is None and link.base is None:
            key = self._external_key(rec)
            if key is not None:
                twin = by_key.get(key) if by_key is not None else self._find_attio(key)
            if twin is not None:
                other = self.store.by_attio(m.system, m.object, twin.id)
                claimed = self._claimed.get(twin.id, rec.id)
                if (other is not None and other.external_id != rec.id) or claimed != rec.id:
                    twin = None  # already synced with another record: do not steal it
        if twin is not None:
            self._claimed[twin.id] = rec.id  # pairs made but not stored yet count too
            if seen_attio is not None:
                seen_attio.add(twin.id)
        return self._decide(replace(link, attio_id=twin.id if twin else link.attio_id), twin, rec)

    def _attio_changed(self, a: _Attio, *, match: bool = False) -> _Work | None:
        """Decide an Attio record that no external record claimed. With ``match`` (a record
        named by an event) one with no link is first looked for on the other side by its match
        key, so that a record made on both sides is linked, not made twice."""
        m = self.mapping
        link = self.store.by_attio(m.system, m.object, a.id)
        if match and _holds_base(link, a.values):
            # Named by an event, it holds what was last synced (the echo of the sync's own
            # write): the other side is not read for it (its changes come with its own events
            # and pulls). A full run reads on: an external record no page listed may be gone.
            self._skip()
            return None
        if link is None:
            found = self._find_external(a) if match and not m.one_way else None
            ext_id = found.id if found is not None else ""
            return self._decide(Link(m.system, m.object, ext_id, attio_id=a.id), a, found)
        return self._decide(link, a, self._get_external(link.external_id))

    def _settle(self, link: Link, a: _Attio | None, rec: ExternalRecord | None) -> None:
        """Merge one pair, make the writes, remember the result."""
        self._settle_now(self._decide(link, a, rec))

    def _settle_now(self, work: _Work | None) -> None:
        if work is not None:
            self._complete([work], self._start([work]), None)

    def _decide(self, link: Link, a: _Attio | None, rec: ExternalRecord | None) -> _Work | None:
        """Merge one pair and plan its writes (None when there is nothing to do)."""
        m = self.mapping
        if link.flagged:
            # Deleted on one side with on_delete = "flag": left alone until someone looks.
            self._report.skipped += 1
            return None
        ext_values = None if rec is None else self._external_values(rec)
        attio_side = Side(None if a is None else a.values, None if a is None else a.modified_at)
        ext_side = Side(ext_values, None if rec is None else rec.modified_at)
        if (
            a is not None
            and ext_values is not None
            and _holds_base(link, a.values)
            and _holds_base(link, ext_values)
        ):
            self._skip()
            return None
        result = merge(m.fields, link.base, attio_side, ext_side, link.pending, one_way=m.one_way)
        previous = (
            None if not link.external_id else self.store.get(m.system, m.object, link.external_id)
        )
        work = _Work(
            link, a, rec, result, previous, ext_id=link.external_id, attio_id=link.attio_id
        )
        try:
            self._plan_writes(work)
        except AttioError as exc:
            work.fail(exc)
        return work

    def _plan_writes(self, w: _Work) -> None:
        m, r = self.mapping, w.result
        if r.delete_attio or r.delete_external:
            side = "attio" if r.delete_attio else "external"
            gone_id = w.attio_id if r.delete_attio else w.ext_id
            w.outcome = "deleted"
            if m.on_delete == "flag":
                self._plan(side, "flag", gone_id, {})
                w.outcome = "flag"
                w.flagged = f"deleted in {'external' if r.delete_attio else 'attio'}"
            elif r.delete_attio and w.attio_id is not None:
                self._plan("attio", "delete", w.attio_id, {})
                w.attio = ("delete", None)
            elif r.delete_external and w.ext_id:
                self._plan("external", "delete", w.ext_id, {})
                w.external = ("delete", {})
            return
        if r.base is None:
            w.outcome = "forget"
            return
        if r.create_attio and w.rec is not None:
            row = {**m.attio_defaults, **self._attio_row(r.attio_writes)}
            if m.match_external == "id" and m.match_attio not in row:
                row[m.match_attio] = w.rec.id
            self._plan("attio", "create", None, row)
            w.attio_id = None
            w.attio = ("create", None if self.dry_run else self._encode(row, create=True))
        elif r.attio_writes and w.attio_id:
            row = self._attio_row(r.attio_writes)
            self._plan("attio", "update", w.attio_id, row)
            w.attio = ("update", None if self.dry_run else self._encode(row))
        if r.create_external:
            props = m.to_external(r.external_writes)
            self._plan("external", "create", None, props)
            w.ext_id = ""
            w.external = ("create", props)
        elif r.external_writes and w.ext_id:
            update = self._external_update(w.ext_id, r.external_writes)
            if update is not None:
                w.external = ("update", update)
        if self.dry_run:
            w.attio = w.external = None

    def _external_update(self, ext_id: str, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """The properties an update of ``values`` writes on the other side (planned), if any."""
        m = self.mapping
        props = m.to_external({k: v for k, v in values.items() if m.field(k).invertible})
        if not props:
            return None
        self._plan("external", "update", ext_id, props)
        return props

    # -- writes ----------------------------------------------------------------------------------
    def _start(self, works: list[_Work]) -> list[Future[Any]]:
        """Start the writes of ``works``: each Attio write a task of the pool, the other side's
        in one task (batched), alongside; made here, in order, when there is no pool."""
        attio = [w for w in works if w.attio is not None and w.error is None]
        external = [w for w in works if w.external is not None and w.error is None]
        if self._pool is None:
            for w in attio:
                self._write_attio(w)
            self._write_external(external)
            return []
        futures = [self._pool.submit(self._write_attio, w) for w in attio]
        if external:
            assert self._ext_pool is not None
            futures.append(self._ext_pool.submit(self._write_external, external))
        return futures

    def _complete(
        self, works: list[_Work], futures: list[Future[Any]], then: Callable[[], None] | None
    ) -> None:
        """Wait for a group's writes, store what they made, then ``then`` (the checkpoint). A
        retryable failure is raised once the rest is stored; the checkpoint stays where it was."""
        wait(futures)
        for f in futures:
            f.result()  # the tasks keep AttioErrors on their work; anything else is a bug
        retry: AttioError | None = None
        with self.store.deferred():
            for w in works:
                if w.error is not None and w.error.retryable:
                    retry = retry or w.error
                    continue
                self._finish(w)
        if retry is not None:
            raise retry
        if then is not None:
            then()

    def _write_attio(self, w: _Work) -> None:
        """One pair's Attio write (a pool task: touches nothing shared but the client)."""
        assert w.attio is not None
        op, encoded = w.attio
        target = self.mapping.attio_target
        try:
            if op == "create":
                created = self.client.records.create(target, encoded)
                w.attio_id = created.record_id
                if self.history and w.rec is not None:
                    self._backfill(w.rec, created.record_id)
            elif op == "update" and w.attio_id:
                self.client.records.overwrite(target, w.attio_id, encoded)
            elif op == "delete" and w.attio_id:
                self.client.records.delete(target, w.attio_id)
        except AttioError as exc:
            w.fail(exc)

    def _write_external(self, works: list[_Work]) -> None:
        """The other side's writes of a group: creates and updates in batches when the
        connector has them, deletes (and everything without batches) one call each."""
        obj = self.mapping.object
        by_op: dict[str, list[_Work]] = {"create": [], "update": [], "delete": []}
        for w in works:
            assert w.external is not None
            by_op[w.external[0]].append(w)
        batch = self.connector if self.batches else None
        if isinstance(batch, BatchWriter) and by_op["create"]:
            rows = [w.external[1] for w in by_op["create"] if w.external]
            # Tried again (or redone by a resumed run), a batch first looks for what a lost
            # answer (or the run that died) made: the other side's creates are not idempotent.
            key = self.mapping.match_external
            create_many = create_many_once(batch, obj, rows, key, self._resumed)
            results = self._batch(by_op["create"], create_many)
            for w, made in zip(by_op["create"], results, strict=False):
                if isinstance(made, ExternalRecord):
                    w.ext_id = made.id
                else:
                    w.fail(made)
            by_op["create"] = []
        if isinstance(batch, BatchWriter) and by_op["update"]:
            changes = [(w.ext_id, w.external[1]) for w in by_op["update"] if w.external]
            for w, err in zip(
                by_op["update"],
                self._batch(by_op["update"], batch.update_many, obj, changes),
                strict=False,
            ):
                if err is not None:
                    w.fail(err)
            by_op["update"] = []
        for w in by_op["create"] + by_op["update"] + by_op["delete"]:
            assert w.external is not None
            op, props = w.external
            try:
                if op == "create":
                    key = self.mapping.match_external
                    create = create_once(self.connector, obj, props, key, self._resumed)
                    w.ext_id = self._call(create).id
                elif op == "update":
                    self._call(self.connector.update, obj, w.ext_id, props)
                else:
                    self._call(self.connector.delete, obj, w.ext_id)
            except AttioError as exc:
                w.fail(exc)
        for w in works:
            if w.external is not None and w.external[0] == "create" and w.error is None:
                self._keep_external_id(w)

    def _keep_external_id(self, w: _Work) -> None:
        """An Attio record just made on the other side, matched by ``id``, gets that id in its
        match attribute (``hubspot_deal_id``), as the records the sync creates in Attio do: so
        they pair by key again should their link be lost. The record exists on both sides and
        is linked either way, so a failure here is reported, not retried."""
        m = self.mapping
        if m.match_external != "id" or m.attio_kind != "object" or not w.attio_id:
            return
        try:
            row = encode_values(self.schema, m.attio_target, {m.match_attio: w.ext_id})
            self.client.records.update(m.attio_target, w.attio_id, row)
        except AttioError as exc:
            self._report.errors.append(
                f"{w.ext_id}: created, but its id was not kept in Attio's {m.match_attio}: {exc}"
            )

    def _batch(self, works: list[_Work], fn: Callable[..., list[Any]], *args: Any) -> list[Any]:
        """A batch call's per-item results; when the whole call fails, that failure for each."""
        try:
            return self._call(fn, *args)
        except AttioError as exc:
            return [exc] * len(works)

    def _finish(self, w: _Work) -> None:
        """Store what a pair's writes made (or count its failure) and keep its conflicts."""
        m = self.mapping
        if w.error is not None:
            self._report.errors.append(f"{w.link.external_id or w.link.attio_id}: {w.error}")
            metrics.ERRORS.labels(m.name).inc()
            return
        link, r, previous = w.link, w.result, w.previous
        if w.outcome in ("flag", "deleted"):
            if not self.dry_run and previous is not None:
                if w.flagged:
                    self.store.put(replace(link, flagged=w.flagged, base=None), previous)
                else:
                    self.store.forget(previous)
        elif w.outcome == "forget":
            if previous is not None and not self.dry_run:
                self.store.forget(previous)
        else:
            self._lag(w.a, w.rec, r)
            link = replace(
                link,
                external_id=w.ext_id,
                attio_id=w.attio_id,
                base=r.base,
                pending=tuple(c.field for c in r.open),
                wrote_attio=content_hash(r.base) if r.attio_writes else link.wrote_attio,
                wrote_external=content_hash(r.base) if r.external_writes else link.wrote_external,
            )
            if not self.dry_run and w.ext_id:
                self.store.put(link, previous)
        self._keep_conflicts(link, r)

    def _external_values(self, rec: ExternalRecord) -> dict[str, Any]:
        """A record's canonical values, each in the form of its Attio attribute's decoded value
        (an amount HubSpot sends as text is a number, as Attio's currency decodes)."""
        m = self.mapping
        target = self.schema.get().target(m.attio_target, m.attio_kind)
        values: dict[str, Any] = plain(m.from_external(rec.properties))
        for slug, value in values.items():
            attr = target.attribute(slug)
            if attr is not None:
                values[slug] = as_decoded(attr.type, value)
        return values

    def _attio_row(self, values: Mapping[str, Any]) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for slug, value in values.items():
            f = self.mapping.field(slug)
            if f.transform == "split_name" and isinstance(value, Mapping):
                row[slug] = {k: v for k, v in value.items() if v}
            else:
                row[slug] = value
        return row

    def _encode(self, row: Mapping[str, Any], *, create: bool = False) -> dict[str, Any]:
        m = self.mapping
        return encode_values(self.schema, m.attio_target, row, create=create, kind=m.attio_kind)

    def _backfill(self, rec: ExternalRecord, attio_id: str) -> None:
        """Each field's past values, from the other side's history, written to Attio."""
        m = self.mapping
        simple = [f for f in m.fields if len(f.external) == 1 and f.transform != "split_name"]
        if not simple:
            return
        changes = self._call(
            self.connector.history, m.object, rec.id, [f.external[0] for f in simple]
        )
        for f in simple:
            mine = sorted(
                (c for c in changes if c.field == f.external[0]), key=lambda c: c.changed_at
            )
            if len(mine) < 2:
                continue
            values = []
            for i, c in enumerate(mine):
                until = mine[i + 1].changed_at.isoformat() if i + 1 < len(mine) else None
                value = f.from_external({f.external[0]: c.value})
                values.append(
                    {"value": value, "active_from": c.changed_at.isoformat(), "active_until": until}
                )
            self.client.records.write_attribute_values(m.attio_target, attio_id, f.attio, values)

    def _plan(self, side: str, op: str, ident: str | None, values: Mapping[str, Any]) -> None:
        self._report.planned.append(PlannedWrite(side, op, ident, dict(values)))
        self._report.written[side] += 1
        metrics.WRITTEN.labels(self.mapping.name, side).inc()

    def _keep_conflicts(self, link: Link, r: MergeResult) -> None:
        now = self.clock()
        for c in r.conflicts:
            rec = ConflictRecord.of(self.mapping.name, link.external_id, link.attio_id, c, now)
            self._report.conflicts.append(rec)
            metrics.CONFLICTS.labels(self.mapping.name, c.decision).inc()
            if not self.dry_run:
                self.conflicts.record(rec)

    def _lag(self, a: _Attio | None, rec: ExternalRecord | None, r: MergeResult) -> None:
        now = self.clock()
        source = rec.modified_at if r.attio_writes and rec else None
        if r.external_writes and a is not None and a.modified_at is not None:
            source = a.modified_at
        if source is not None:
            metrics.LAG.labels(self.mapping.name).observe(max(0.0, (now - source).total_seconds()))

    # -- reads -----------------------------------------------------------------------------------
    def _read_attio(self) -> dict[str, _Attio]:
        """Every record of the Attio object, 500 a page."""
        out: dict[str, _Attio] = {}
        offset = 0
        target = self.mapping.attio_target
        while True:
            page = self.client.records.query(target, limit=self.attio_page, offset=offset)
            for record in page:
                a = self._canonical(record)
                out[a.id] = a
            if len(page) < self.attio_page:
                return out
            offset += len(page)

    def _canonical(self, record: Record) -> _Attio:
        self._count_read("attio")
        m = self.mapping
        row = decode_record(self.schema, record)
        values = plain(m.from_attio_row(row))
        slugs = {f.attio for f in m.fields} | {"name"}
        stamps = [
            v.get("active_from")
            for slug, items in record.values.items()
            if slug in slugs or slug == m.match_attio
            for v in items
            if v.get("active_from")
        ]
        modified = max((datetime.fromisoformat(str(s)) for s in stamps), default=None)
        raw = row.get(m.match_attio)
        written = tuple(str(k) for k in (raw if isinstance(raw, list) else [raw]) if k is not None)
        return _Attio(record.record_id, values, modified, tuple(map(_fold, written)), written)

    def _attio_of(self, link: Link, attio: Mapping[str, _Attio] | None) -> _Attio | None:
        if not link.attio_id:
            return None
        if attio is not None:
            return attio.get(link.attio_id)
        return self._get_attio(link.attio_id)

    def _get_attio(self, record_id: str | None) -> _Attio | None:
        if not record_id:
            return None
        from ..client import NotFoundError

        try:
            record = self.client.records.get(self.mapping.attio_target, record_id)
        except NotFoundError:
            return None
        return self._canonical(record)

    def _find_attio(self, key: str) -> _Attio | None:
        m = self.mapping
        found = self.client.records.query(m.attio_target, filter={m.match_attio: key}, limit=1)
        return self._canonical(found[0]) if found else None

    def _find_external(self, a: _Attio) -> ExternalRecord | None:
        """The other side's live record with ``a``'s match key and no link yet, or None (also
        when the connector has no ``find``)."""
        m = self.mapping
        find = getattr(self.connector, "find", None)
        for value in a.key_values:
            if m.match_external == "id":
                found = [r for r in [self._get_external(value)] if r is not None]
            elif find is not None:
                found = self._call(find, m.object, m.match_external, value)
            else:
                return None
            for rec in found:
                if rec.archived or self._external_key(rec) != _fold(value):
                    continue
                if self.store.get(m.system, m.object, rec.id) is None:
                    return rec
        return None

    def _get_external(self, ext_id: str) -> ExternalRecord | None:
        if not ext_id:
            return None
        return self._call(self.connector.get, self.mapping.object, ext_id)

    def _external_key(self, rec: ExternalRecord) -> str | None:
        m = self.mapping
        value = rec.id if m.match_external == "id" else rec.properties.get(m.match_external)
        return None if value in (None, "") else _fold(value)

    def _count_read(self, side: str) -> None:
        self._report.read[side] += 1
        metrics.READ.labels(self.mapping.name, side).inc()

    # -- calls -----------------------------------------------------------------------------------
    def _call(self, fn: Callable[..., _T], *args: Any) -> _T:
        """A connector call, retried after the delay the system asked for while retryable."""
        for attempt in range(_RETRIES):
            try:
                return fn(*args)
            except AttioError as exc:
                if not exc.retryable or attempt == _RETRIES - 1:
                    raise
                delay = getattr(exc, "retry_after", None)
                self.sleep(float(delay) if delay is not None else min(30.0, 0.5 * 2**attempt))
        raise AssertionError("unreachable")


def _holds_base(link: Link | None, values: Mapping[str, Any]) -> bool:
    """Whether ``values`` are what ``link`` last synced, with nothing pending or flagged."""
    return (
        link is not None
        and link.base is not None
        and not link.pending
        and not link.flagged
        and content_hash(values) == content_hash(link.base)
    )


def _fold(value: Any) -> str:
    """A match-key value compared without case or surrounding space."""
    return str(value).strip().casefold()


def _event_ids(payload: Mapping[str, Any], object: str) -> Sequence[str]:
    """The external ids a HubSpot, Salesforce (change event), Zoho CRM (notification) or plain
    ``{object, id}`` payload names for ``object``."""
    if "subscriptionType" in payload and "objectId" in payload:
        kind = str(payload["subscriptionType"]).split(".", 1)[0]
        if _HUBSPOT_OBJECTS.get(kind, kind) != object:
            return []
        return [str(payload["objectId"])]
    header = payload.get("ChangeEventHeader")
    if isinstance(header, Mapping):
        if header.get("entityName") != object:
            return []
        return [str(i) for i in header.get("recordIds", [])]
    if "module" in payload and isinstance(payload.get("ids"), list):
        # Zoho CRM's notification: {"module", "operation", "ids", "channel_id", ...}.
        return [str(i) for i in payload["ids"]] if payload["module"] == object else []
    if payload.get("object") == object and payload.get("id") is not None:
        return [str(payload["id"])]
    return []
