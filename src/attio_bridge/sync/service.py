"""``SyncService``: a mapping file's sync kept running on the service's jobs and webhooks.

The engine (``SyncEngine``) runs one mapping once; the service keeps every mapping of a file in
step for as long as the service runs, on the service's own pieces:

- the durable queue (``jobs.JobQueue``: SQLite embedded, PostgreSQL for many workers): full runs
  (``sync-full``) and periodic pulls (``sync-pull``), both from ``sync.jobs``, run by whichever
  worker claims them, a killed worker's taken over by another;
- a timer (``periodic()``, run by the web service on a thread of its own) that, every tick,
  submits the pull of the current period of every mapping, the job named by the mapping and the
  period's number (``floor(now / period)``): every server and worker submits it and one run
  starts. A pull reads what the other side changed since the previous pull *started*, so a
  change whose webhook was lost is caught by the next period's pull. The first tick also
  submits a first full run of each mapping that has never been pulled (``sync:<name>:first``).
  Every tick also submits the reconcile of the current reconcile period (``reconcile_period``,
  a day by default): a full run named by the mapping and that period's number
  (``sync:<name>:reconcile-86400s-<number>``), one run per period across every server and
  worker; a process's first tick skips it for a mapping it submits a first full run of;
- the webhooks router: events of the mapped systems (HubSpot's ``contact.*``, ``company.*``,
  ``deal.*`` ...; Attio's ``record.*`` of the mapped objects, of the service's workspace) have
  the matching engines settle the record each names (``SyncEngine.settle``: no pull, which is
  the timer's); an event of another object is left alone (``wants``);
- the state store (links, cursors, checkpoints, conflicts; shared on PostgreSQL, where the
  engine's lock ``sync:<mapping>`` makes runs of one mapping take turns across machines);
- the conflicts page's resolver (``resolve``).

Attio has no "modified since" query, so an Attio change whose webhook was lost waits for a full
run: the next reconcile (or ``sync run --full``, ``sync reconcile``); the other side's lost
webhooks are what the pulls catch.

    sync = SyncService.from_file("mapping.toml", api_key=..., period=300, reconcile_period=86400)
    sync.register(queue, router)
    service.periodic = (*service.periodic, *sync.periodic(queue))
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import structlog

from ..client import AttioClient
from ..connectors.crm import CrmConnector
from ..errors import AttioError, ConfigurationError, InvalidInputError
from ..jobs import JobQueue, JobSpec
from ..state import StateStore, open_store
from ..values import SchemaCache
from ..webhooks import Event, HandlerContext, Router
from .conflicts import ConflictQueue, ConflictRecord
from .engine import SyncEngine
from .jobs import (
    PULL_JOB_KIND,
    SYNC_JOB_KIND,
    pull_job,
    pull_processor,
    reconcile_job,
    sync_job,
    sync_processor,
)
from .mapping import MappingError, SyncMapping, load_mappings
from .registry import connector_for
from .store import RecordStore

__all__ = [
    "DEFAULT_PERIOD",
    "DEFAULT_RECONCILE_PERIOD",
    "FIRST_RUN",
    "SyncService",
    "TimerTask",
    "event_patterns",
]

DEFAULT_PERIOD = 300.0
"""Seconds between two pulls of a mapping, by default."""
DEFAULT_RECONCILE_PERIOD = 86400.0
"""Seconds between two reconciles (full runs) of a mapping, by default: a day."""
FIRST_RUN = "first"
"""The run id of the full run submitted for a mapping never pulled."""
_MAX_TICK = 5.0
_HUBSPOT_KINDS = {"contacts": "contact", "companies": "company", "deals": "deal"}

_log = structlog.get_logger(component="attio_bridge.sync")

TimerTask = tuple[str, float, Callable[[], None]]
"""``(name, interval seconds, run)``: a task the service runs every interval (``web.Periodic``)."""


def _event_kind(mapping: SyncMapping) -> str:
    """The first part of the event types the other system sends for ``mapping``'s object:
    HubSpot's ``contact`` for ``contacts``; else the object's own name."""
    if mapping.system == "hubspot":
        return _HUBSPOT_KINDS.get(mapping.object, mapping.object)
    return mapping.object


def event_patterns(mappings: Sequence[SyncMapping]) -> list[str]:
    """The router patterns of the events ``mappings`` sync: Attio's ``record.*`` and each
    other system's ``<kind>.*``."""
    patterns = ["record.*"]
    for m in mappings:
        pattern = f"{_event_kind(m)}.*"
        if pattern not in patterns:
            patterns.append(pattern)
    return patterns


class SyncService:
    """A file's mappings kept in step on the service's queue and webhooks (module docstring).

    ``connectors`` maps a system to its connector; a system not in it gets
    ``registry.connector_for(system, connector_spec)`` (settings from the environment).
    ``workspace`` is the name of the workspace whose Attio events are synced (``None``: any).
    ``period`` is the seconds between pulls; ``reconcile_period`` the seconds between reconciles
    (``None``: none); ``first_run`` the run id of the full runs the first tick submits (``None``:
    none). ``owned`` are closed by ``close`` (what ``from_file`` opened),
    as are the connectors made here.
    ``engine_options`` go to each ``SyncEngine`` (``clock``, ``sleep``, page sizes ...).
    """

    def __init__(
        self,
        mappings: Sequence[SyncMapping],
        *,
        client: AttioClient,
        state: StateStore,
        connectors: Mapping[str, CrmConnector] | None = None,
        connector_spec: str | None = None,
        period: float = DEFAULT_PERIOD,
        reconcile_period: float | None = DEFAULT_RECONCILE_PERIOD,
        workspace: str | None = None,
        first_run: str | None = FIRST_RUN,
        clock: Callable[[], float] = time.time,
        owned: Sequence[Any] = (),
        where: str = "the sync's mappings",
        engine_options: Mapping[str, Any] | None = None,
    ) -> None:
        if not mappings:
            raise MappingError(f"{where}: no mappings to sync")
        if not period > 0:
            raise InvalidInputError(f"the sync period is a number of seconds above 0, not {period}")
        if reconcile_period is not None and not reconcile_period > 0:
            raise InvalidInputError(
                f"the reconcile period is a number of seconds above 0, not {reconcile_period}"
            )
        self.mappings = list(mappings)
        self.client = client
        self.state = state
        self.store = RecordStore(state)
        self.conflicts = ConflictQueue(state)
        self.period = float(period)
        self.reconcile_period = None if reconcile_period is None else float(reconcile_period)
        self.workspace = workspace
        self.first_run = first_run
        self.clock = clock
        self._owned = list(owned)
        sides = dict(connectors or {})
        for m in self.mappings:
            if m.system not in sides:
                sides[m.system] = _connector(m, connector_spec, where)
                self._owned.append(sides[m.system])  # made here: closed here
        schema = SchemaCache(client)
        options = dict(engine_options or {})
        self.engines = {
            m.name: SyncEngine(
                m, sides[m.system], client, self.store, self.conflicts, schema=schema, **options
            )
            for m in self.mappings
        }
        self._first_submitted = first_run is None
        # Reconciles this process leaves out: their period's first full run is one already.
        self._covered: set[str] = set()
        self._router: Router | None = None
        # One bound method, so that the router can find it again to remove it.
        self._handler = self.on_event

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        api_key: str,
        base_url: str | None = None,
        read_rate: float = 100.0,
        write_rate: float = 25.0,
        redis_url: str | None = None,
        state_url: str | None = None,
        environ: Mapping[str, str] | None = None,
        **options: Any,
    ) -> SyncService:
        """The sync of the mapping file ``path`` (``MappingError`` naming the file and the fix):
        an Attio client with ``api_key`` at the workspace's budgets (shared through Redis at
        ``redis_url`` when given), the state store at ``state_url`` (else
        ``ATTIO_BRIDGE_DATABASE_URL``, else the local SQLite file); ``options`` as the
        constructor's."""
        mappings = load_mappings(path)
        client = AttioClient(
            api_key=api_key,
            base_url=base_url,
            read_rate=int(read_rate),
            write_rate=int(write_rate),
            rate_limit_backend=redis_url,
        )
        try:
            state = open_store(state_url, environ=environ)
        except BaseException:
            client.close()
            raise
        try:
            return cls(
                mappings,
                client=client,
                state=state,
                owned=(client, state),
                where=str(path),
                **options,
            )
        except BaseException:
            client.close()
            state.close()
            raise

    def __repr__(self) -> str:
        return (
            f"SyncService(mappings={list(self.engines)!r}, period={self.period:g}, "
            f"reconcile_period={self.reconcile_period})"
        )

    # -- jobs ------------------------------------------------------------------------------------
    def engine_for(self, name: str) -> SyncEngine:
        """The engine of mapping ``name`` (``MappingError`` naming the ones there are)."""
        try:
            return self.engines[name]
        except KeyError:
            raise MappingError(
                f"the sync has no mapping {name!r}; it has {', '.join(self.engines)}"
            ) from None

    def register(self, queue: JobQueue, router: Router) -> None:
        """Run ``sync-full`` and ``sync-pull`` jobs on ``queue``, and the mapped events
        (``event_patterns``) through the engines, as ``router``'s handler."""
        queue.register(SYNC_JOB_KIND, _logged(SYNC_JOB_KIND, sync_processor(self.engine_for)))
        queue.register(PULL_JOB_KIND, _logged(PULL_JOB_KIND, pull_processor(self.engine_for)))
        for pattern in event_patterns(self.mappings):
            router.add(pattern, self._handler)
        self._router = router

    def pull_jobs(self, now: float | None = None) -> list[JobSpec]:
        """The pull of every mapping for the period holding ``now`` (the clock's time)."""
        at = self.clock() if now is None else now
        return [pull_job(m, self.period, at) for m in self.mappings]

    def first_jobs(self) -> list[JobSpec]:
        """A full run of each mapping never pulled (its first; none without ``first_run``)."""
        if self.first_run is None:
            return []
        return [
            sync_job(m, self.first_run)
            for m in self.mappings
            if self.store.cursor(m.system, m.object) is None
        ]

    def reconcile_jobs(self, now: float | None = None) -> list[JobSpec]:
        """The reconcile of every mapping for the reconcile period holding ``now`` (none without
        a reconcile period), but those this process covered with a first full run."""
        if self.reconcile_period is None:
            return []
        at = self.clock() if now is None else now
        specs = [reconcile_job(m, self.reconcile_period, at) for m in self.mappings]
        return [spec for spec in specs if spec.id not in self._covered]

    def cover(self, mappings: Sequence[SyncMapping], now: float | None = None) -> None:
        """Leave out the current period's reconcile of ``mappings``: a full run of theirs was
        just submitted."""
        if self.reconcile_period is not None:
            at = self.clock() if now is None else now
            self._covered.update(reconcile_job(m, self.reconcile_period, at).id for m in mappings)

    def tick(self, queue: JobQueue) -> list[bool]:
        """Submit the first full runs (on the first tick), the current period's pulls and the
        current reconcile period's reconciles; per job, True when it is new (False: another
        submitter, or an earlier tick, had it)."""
        now = self.clock()
        specs = self.pull_jobs(now)
        if not self._first_submitted:
            first = self.first_jobs()
            self.cover([self.engine_for(spec.payload["mapping"]).mapping for spec in first], now)
            specs = [*first, *specs]
        new = queue.submit_sync([*specs, *self.reconcile_jobs(now)])
        self._first_submitted = True
        return new

    @property
    def tick_interval(self) -> float:
        """Seconds between two ticks: a tenth of the period, at most 5 s, so a period's pull is
        submitted soon after the period begins."""
        return max(0.05, min(self.period / 10, _MAX_TICK))

    def periodic(self, queue: JobQueue) -> list[TimerTask]:
        """The timer the service runs: ``tick(queue)`` every ``tick_interval``."""
        return [("sync pulls", self.tick_interval, lambda: self._tick(queue))]

    def _tick(self, queue: JobQueue) -> None:
        self.tick(queue)

    # -- events ----------------------------------------------------------------------------------
    def wants(self, engine: SyncEngine, event: Event) -> bool:
        """Whether ``event`` names a record of ``engine``'s mapping: an Attio ``record.*`` of
        its Attio object (in the service's workspace), or an event of its system and object."""
        m = engine.mapping
        if event.source == "attio":
            if self.workspace is not None and event.workspace != self.workspace:
                return False
            if not event.type.startswith("record.") or m.attio_kind != "object":
                return False
            ident = event.payload.get("id") or {}
            object_id = ident.get("object_id") if isinstance(ident, Mapping) else None
            target = engine.schema.get().object(m.attio_target)
            return target is not None and object_id in (target.id, m.attio_target)
        if event.source != m.system:
            return False
        kind = event.type.split(".", 1)[0]
        return kind in (_event_kind(m), m.object)

    async def on_event(self, event: Event, ctx: HandlerContext) -> dict[str, Any]:
        """Settle the record ``event`` names in every mapping of its object; the writes made,
        per mapping."""
        effect: dict[str, Any] = {}
        for name, engine in self.engines.items():
            if not await asyncio.to_thread(self.wants, engine, event):
                continue
            report = await asyncio.to_thread(engine.settle, [event])
            if report.writes or report.conflicts or report.errors:
                effect[name] = {
                    "written": report.written,
                    "conflicts": len(report.conflicts),
                    "errors": report.errors[:5],
                }
        return {"sync": effect or "nothing to write"}

    async def resolve(self, conflict_id: str, take: str) -> ConflictRecord:
        """Close open conflict ``conflict_id`` with ``take`` (the conflicts page's resolver)."""
        engine = self.engine_for(self.conflicts.get(conflict_id).mapping)
        return await asyncio.to_thread(engine.resolve, conflict_id, take)

    def close(self) -> None:
        """Take the event handler off the router (a router outlives a service: in one process,
        the next service's events must not reach this one's engines) and close what
        ``from_file`` opened."""
        if self._router is not None:
            self._router.remove(self._handler)
            self._router = None
        for part in self._owned:
            close = getattr(part, "close", None)  # a connector may have nothing to close
            if callable(close):
                close()
        self._owned = []


def _connector(mapping: SyncMapping, spec: str | None, where: str) -> CrmConnector:
    """``mapping``'s connector from the registry; an error says which mapping needs it."""
    try:
        return connector_for(mapping.system, spec)
    except AttioError as exc:
        raise ConfigurationError(
            f"{where}: mapping {mapping.name!r} syncs with {mapping.system}, whose connector "
            f"cannot be made: {exc}"
        ) from None


def _logged(kind: str, processor: Any) -> Any:
    """``processor`` with a log line when a run starts and when it ends (which worker ran it,
    which run: a full run's id, a pull's period number)."""

    async def run(payload: dict[str, Any]) -> dict[str, Any]:
        where = {"kind": kind, "mapping": payload.get("mapping")}
        where["run"] = payload.get("run", payload.get("number"))
        _log.info("sync run started", **where)
        effect: dict[str, Any] = await processor(payload)
        _log.info("sync run finished", **where, written=effect.get("written"))
        return effect

    return run
