"""``JobQueue``: jobs as DBOS workflows on one partitioned DBOS queue.

How a job is kept and run:

- ``submit`` writes one ENQUEUED workflow row per job, all in one transaction, with the job's
  id as the workflow id: the row is durable when ``submit`` returns, and an id already known
  inserts nothing (``ON CONFLICT DO NOTHING``), however many submit it at once. Submits made at
  the same time (a service acknowledging concurrent deliveries) share one transaction, written
  by one thread (``_commit.GroupCommit``).
- A worker's DBOS queue thread claims rows partition by partition (the queue's
  ``partition_worker_concurrency`` is below its ``worker_concurrency``, so one flooded
  partition always leaves room for the others) and runs the workflow ``_run_job``.
- ``_run_job`` loops over attempts. Each attempt is one DBOS step (its outcome checkpointed,
  so a recovered workflow does not run a finished attempt again); between attempts it waits
  with ``DBOS.sleep_async``, a durable sleep whose wake-up time is stored, so a worker lost
  mid-backoff is resumed where it was. A failure that is not retryable, or the last attempt's,
  ends the workflow in ERROR: the dead letter.
- Attempts, state and the last error live in the workflow's attributes (JSON in DBOS's own
  status row), so ``list`` and ``get`` read everything from one query.
- ``retry`` and ``replay`` rewind the finished workflow to its first step under the same id.
- Workers heartbeat (``_executors``); a live worker re-enqueues the pending work of a dead one.

DBOS is one per process, so is a started ``JobQueue``: ``shutdown`` ends it and a new one can
start (tests do so between tests).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import socket
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from dbos import DBOS, DBOSConfig, WorkflowStatus
from dbos._core import prepare_enqueued_workflow
from dbos._dbos import _get_dbos_instance
from dbos._error import DBOSException

from ..errors import AttioError, ConfigurationError, InvalidInputError, MissingError, mask_url
from ..state import DATABASE_URL_ENV, state_home
from . import _metrics
from ._commit import GroupCommit
from ._executors import Heartbeat
from ._model import (
    STATUSES,
    JobEvent,
    JobInfo,
    JobSpec,
    JobStatus,
    Processor,
    RetrySchedule,
    error_message,
)

__all__ = ["DEFAULT_PARTITION", "JobQueue", "JobQueueError", "default_jobs_path"]

_log = logging.getLogger(__name__)
_R = TypeVar("_R")

QUEUE_NAME = "attio_bridge_jobs"
_APP_NAME = "attio-bridge"
# One version for every worker, so any worker may recover any other's workflows (DBOS
# recovers only workflows of its own application version).
_APP_VERSION = "attio-bridge-jobs-1"
_WORKFLOW = "attio_bridge.jobs.run"
_STEP = "attio_bridge.jobs.attempt"
_FILE_NAME = "jobs.sqlite3"
_PG_SCHEMA = "attio_bridge_dbos"
DEFAULT_PARTITION = "default"
_FORMS = "sqlite:////absolute/path.sqlite3 or postgresql://user:password@host:5432/database"

_DBOS_STATUSES: dict[JobStatus, list[str]] = {
    "queued": ["ENQUEUED", "DELAYED"],
    "running": ["PENDING"],
    "retrying": ["PENDING"],
    "succeeded": ["SUCCESS"],
    "dead": ["ERROR", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"],
    "cancelled": ["CANCELLED"],
}
_FINISHED: tuple[JobStatus, ...] = ("succeeded", "dead", "cancelled")


class JobQueueError(AttioError):
    """The job queue cannot do what was asked: not started, another one started, the
    database unreachable."""

    retryable = True


class JobFailed(Exception):
    """How a dead job ends its workflow (DBOS stores it as the workflow's error)."""


def default_jobs_path(environ: Mapping[str, str] | None = None) -> Path:
    """The SQLite file used when no database URL is given, beside the state store's."""
    return state_home(environ) / _FILE_NAME


# The started queue of this process: DBOS runs workflows by name, and the workflow finds its
# processors and observers here.
_active: JobQueue | None = None
_active_lock = threading.Lock()


def _running() -> JobQueue:
    queue = _active
    if queue is None:  # pragma: no cover - DBOS runs workflows only while a queue is started
        raise JobQueueError("no job queue is started in this process")
    return queue


@DBOS.step(name=_STEP)
async def _attempt(job: dict[str, Any], attempt: int, last: bool) -> dict[str, Any]:
    """Run one attempt of ``job``; its outcome (never an exception) is what DBOS checkpoints."""
    queue = _running()
    kind, job_id = job["kind"], job["id"]
    queue._emit(job, "started", attempt)
    began = time.monotonic()
    processor = queue._processors.get(kind)
    try:
        if processor is None:
            raise InvalidInputError(
                f"no processor is registered for jobs of kind {kind!r} in this worker; "
                "register one and retry the job"
            )
        result = await processor(dict(job["payload"]))
    except Exception as exc:
        retryable = exc.retryable if isinstance(exc, AttioError) else True
        final = last or not retryable
        error = error_message(exc)
        _log.info("job %s attempt %d failed: %s", job_id, attempt, error)
        queue._emit(job, "dead" if final else "retrying", attempt, error=error, began=began)
        return {"ok": False, "final": final, "error": error}
    effect = result if isinstance(result, dict) or result is None else {"value": result}
    queue._emit(job, "succeeded", attempt, result=effect, began=began)
    return {"ok": True, "result": effect}


_F = TypeVar("_F", bound=Callable[..., Any])


def _signature_once(func: _F) -> _F:
    """``func`` with its signature computed now and kept: DBOS's ``prepare_enqueued_workflow``
    asks ``inspect.signature`` of the workflow function twice for every job it prepares
    (about half of a submit's CPU time on the event loop); a ``__signature__`` answers at once."""
    setattr(func, "__signature__", inspect.signature(func))  # noqa: B010 (a dunder mypy refuses)
    return func


@DBOS.workflow(name=_WORKFLOW)
@_signature_once
async def _run_job(job: dict[str, Any]) -> dict[str, Any]:
    """One job: attempts until one succeeds, with durable waits between them."""
    schedule = _running().schedule
    workflow_id = job["id"]
    attempt = 0
    while True:
        attempt += 1
        if attempt > 1:
            await DBOS.update_workflow_attributes_async(
                workflow_id, {"state": "running"}, merge=True
            )
        outcome = await _attempt(job, attempt, attempt >= schedule.attempts)
        if outcome["ok"]:
            return {"attempts": attempt, "result": outcome["result"]}
        final = bool(outcome["final"])
        await DBOS.update_workflow_attributes_async(
            workflow_id,
            {
                "state": "dead" if final else "retrying",
                "attempts": attempt,
                "error": outcome["error"],
            },
            merge=True,
        )
        if final:
            raise JobFailed(outcome["error"])
        await DBOS.sleep_async(schedule.delay(attempt))


class _Target:
    """Where DBOS keeps the jobs: its URL, the schema (PostgreSQL), the URL as shown."""

    def __init__(self, url: str | None, environ: Mapping[str, str], schema: str | None) -> None:
        given = url if url is not None else (environ.get(DATABASE_URL_ENV) or None)
        if given is None:
            given = f"sqlite:///{default_jobs_path(environ)}"
        self.display = mask_url(given)
        try:
            parsed = sa.make_url(given)
        except (sa.exc.ArgumentError, ValueError):
            raise ConfigurationError(
                f"the jobs database URL {self.display!r} cannot be read; use {_FORMS}"
            ) from None
        backend = parsed.get_backend_name()
        if backend in ("postgresql", "postgres"):
            self.backend = "postgresql"
            self.url = parsed.set(drivername="postgresql+psycopg")
            self.schema: str | None = schema or _PG_SCHEMA
            self.path: Path | None = None
        elif backend == "sqlite" and parsed.database and parsed.database != ":memory:":
            self.backend = "sqlite"
            path = Path(parsed.database).expanduser()
            self.url = parsed.set(drivername="sqlite", database=str(path))
            self.schema = None
            self.path = path
        else:
            raise ConfigurationError(
                f"the jobs database {self.display!r} is not a SQLite file or PostgreSQL; "
                f"use {_FORMS}"
            )

    @property
    def dbos_url(self) -> str:
        url = self.url.set(drivername="postgresql") if self.backend == "postgresql" else self.url
        return url.render_as_string(hide_password=False)


class _QuietDeadLetters(logging.Filter):
    """DBOS logs every workflow that ends in an error with its traceback; a dead letter is an
    outcome of ours, reported through observers and metrics, not a crash to print. A failed
    launch is reported by ``start`` itself. A job cancelled by a stopping worker is logged
    by DBOS with the whole call, its payload (a customer's email, say) included: it is not an
    error (the job runs again, here or on another worker), and a payload is not for logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, JobFailed):
            return False
        message = str(record.msg)
        if message.startswith("Asyncio task cancelled for workflow or step"):
            return False
        # Raised again as a JobQueueError whose message says what failed, without a traceback.
        return not message.startswith("DBOS failed to launch")


_QUIET = _QuietDeadLetters()


class JobQueue:
    """Durable jobs on DBOS: submitted, run by registered processors, retried on a schedule,
    dead-lettered, listed, retried, replayed and purged.

    ``database_url`` ``None`` means ``ATTIO_BRIDGE_DATABASE_URL`` (PostgreSQL for several
    workers and machines), else the SQLite file ``default_jobs_path()``. On PostgreSQL DBOS's
    tables live in ``schema`` (``attio_bridge_dbos``), apart from the state store's.
    ``concurrency`` jobs run at once in this worker, at most ``partition_concurrency`` of them
    (half, by default) from one partition. DBOS keeps these limits in its queue row, which
    every worker reads: the worker started last sets them for all. A worker whose heartbeat is
    ``dead_after`` seconds old has its running jobs taken over by a live worker.
    """

    def __init__(
        self,
        database_url: str | None = None,
        *,
        retry: RetrySchedule | None = None,
        concurrency: int = 8,
        partition_concurrency: int | None = None,
        executor_id: str | None = None,
        environ: Mapping[str, str] | None = None,
        schema: str | None = None,
        poll_interval: float = 0.2,
        heartbeat_interval: float = 2.0,
        dead_after: float = 10.0,
    ) -> None:
        if concurrency < 1:
            raise InvalidInputError(f"concurrency is at least 1, not {concurrency}")
        env = os.environ if environ is None else environ
        self._target = _Target(database_url, env, schema)
        self.schedule = retry or RetrySchedule()
        self.concurrency = concurrency
        self.partition_concurrency = partition_concurrency or max(1, concurrency // 2)
        self.executor_id = executor_id or (
            f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        )
        self.poll_interval = poll_interval
        self.heartbeat_interval = heartbeat_interval
        self.dead_after = dead_after
        self._processors: dict[str, Processor] = {}
        self._observers: list[Callable[[JobEvent], None]] = [_metrics.record]
        self._started = False
        self._working = False
        self._engine: sa.Engine | None = None
        self._heartbeat: Heartbeat | None = None
        self._stop = threading.Event()
        self._beat_thread: threading.Thread | None = None
        self._commit = GroupCommit(self._store, name="attio-bridge-jobs-submit")

    @property
    def database(self) -> str:
        """The jobs database as it may be shown (password masked)."""
        return self._target.display

    def __repr__(self) -> str:
        return f"JobQueue({self.database!r}, executor_id={self.executor_id!r})"

    # -- setting up ------------------------------------------------------------------------

    def register(self, kind: str, processor: Processor) -> None:
        """Run jobs of ``kind`` with ``processor`` in this worker."""
        self._processors[kind] = processor

    def subscribe(self, observer: Callable[[JobEvent], None]) -> None:
        """Call ``observer`` with every job event of this worker (metrics, pages, alerts)."""
        self._observers.append(observer)

    def start(self, *, work: bool = True) -> None:
        """Open the jobs database (creating DBOS's tables) and, with ``work``, start running
        jobs; ``work=False`` only submits and inspects."""
        global _active
        with _active_lock:
            if _active is not None:
                raise JobQueueError(
                    f"a job queue is already started in this process ({_active.database}); "
                    "shut it down before starting another (DBOS runs one per process)"
                )
            _active = self
        try:
            self._launch(work)
        except BaseException:
            with _active_lock:
                _active = None
            DBOS.destroy(workflow_completion_timeout_sec=0)
            raise
        self._started = True
        self._working = work
        _metrics.watch_depth(self)

    def _launch(self, work: bool) -> None:
        config: DBOSConfig = {
            "name": _APP_NAME,
            "system_database_url": self._target.dbos_url,
            "application_version": _APP_VERSION,
            "executor_id": self.executor_id,
            "log_level": "WARNING",
            "notification_listener_polling_interval_sec": 0.1,
            "scheduler_polling_interval_sec": 3600.0,
        }
        if self._target.schema is not None:
            config["dbos_system_schema"] = self._target.schema
        if self._target.path is not None:
            _use_wal(self._target.path)
        _reopen_console(logging.getLogger("dbos"))
        try:
            DBOS(config=config)
            logging.getLogger("dbos").addFilter(_QUIET)  # once: a filter is kept by identity
            if not work:
                DBOS.listen_queues([])
            DBOS.launch()
        except DBOSException as exc:
            raise JobQueueError(
                f"the jobs database {self.database} could not be opened: {_masked(exc)}"
            ) from None
        except sa.exc.SQLAlchemyError as exc:
            raise JobQueueError(
                f"the jobs database {self.database} could not be opened: {_masked(exc)}; "
                "check that it is reachable"
            ) from None
        self._engine = _get_dbos_instance()._sys_db.engine
        if not work:
            return
        DBOS.register_queue(
            QUEUE_NAME,
            worker_concurrency=self.concurrency,
            partition_worker_concurrency=self.partition_concurrency,
            polling_interval_sec=self.poll_interval,
            on_conflict="always_update",
        )
        workflows = _get_dbos_instance()._sys_db.tables.workflow_status
        running = (
            sa.select(workflows.c.executor_id)
            .where(workflows.c.queue_name == QUEUE_NAME, workflows.c.status == "PENDING")
            .distinct()
        )
        self._heartbeat = Heartbeat(
            self._engine,
            self.executor_id,
            running=running,
            schema=self._target.schema,
            dead_after=self.dead_after,
        )
        self._heartbeat.create()
        self._take_over()
        self._stop.clear()
        self._beat_thread = threading.Thread(
            target=self._beat_loop, name="attio-bridge-jobs-heartbeat", daemon=True
        )
        self._beat_thread.start()

    def _take_over(self) -> None:
        """One heartbeat: refresh ours, re-enqueue the running jobs of dead workers."""
        assert self._heartbeat is not None
        for dead in self._heartbeat.beat():
            handles = DBOS._recover_pending_workflows([dead])
            if handles:
                _log.warning("took over %d jobs of stopped worker %s", len(handles), dead)
            self._heartbeat.forget(dead)

    def _beat_loop(self) -> None:
        while not self._stop.wait(self.heartbeat_interval):
            try:
                self._take_over()
            except Exception as exc:  # the database may be away for a while; beat again later
                _log.warning("jobs heartbeat failed: %s", _masked(exc))

    def shutdown(
        self, timeout: float = 10.0, *, before_stop: Callable[[], None] | None = None
    ) -> None:
        """Stop taking jobs, let those running finish for up to ``timeout`` seconds, then stop.
        Jobs not finished stay in the database and another worker takes them over at once.
        ``before_stop`` runs once the jobs are done, while the loop they ran on still runs (to
        close what the processors opened on it)."""
        global _active
        if not self._started:
            return
        try:
            unfinished = self._drain(timeout)
            if before_stop is not None:
                before_stop()
            self._stop.set()
            if self._beat_thread is not None:
                self._beat_thread.join(timeout=5)
            if self._heartbeat is not None:
                self._heartbeat.stop(hand_back=unfinished)
        except Exception as exc:  # stopping goes on: what is left is recovered by others
            _log.warning("the job queue did not stop cleanly: %s", _masked(exc))
        finally:
            self._commit.close()
            DBOS.destroy(workflow_completion_timeout_sec=0)
            self._started = False
            self._engine = None
            with _active_lock:
                _active = None

    def _drain(self, timeout: float) -> bool:
        """Claim no more jobs; wait up to ``timeout`` for the running ones. True if some are
        still running."""
        dbos = _get_dbos_instance()
        deadline = time.monotonic() + max(0.0, timeout)
        for event in dbos.background_thread_stop_events:  # the queue threads claim no more
            event.set()
        # A claim under way still starts its jobs: wait for it, so that no job is started on
        # an event loop DBOS has stopped, and so that the wait below counts it.
        for thread in threading.enumerate():
            if thread.name.startswith("queue-worker-") and thread.is_alive():
                thread.join(timeout=5)
        while dbos._active_workflows_set.activeList() and time.monotonic() < deadline:
            time.sleep(0.05)
        return bool(dbos._active_workflows_set.activeList())

    def __enter__(self) -> JobQueue:
        if not self._started:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # -- events ----------------------------------------------------------------------------

    def _emit(
        self,
        job: dict[str, Any],
        what: str,
        attempt: int,
        *,
        error: str | None = None,
        result: dict[str, Any] | None = None,
        began: float | None = None,
    ) -> None:
        payload_type = job["payload"].get("type")
        event = JobEvent(
            job_id=job["id"],
            kind=job["kind"],
            partition=job["partition"],
            what=cast(Any, what),
            attempt=attempt,
            error=error,
            result=result,
            at=time.time(),
            duration=0.0 if began is None else time.monotonic() - began,
            payload_type=payload_type if isinstance(payload_type, str) else None,
        )
        for observer in list(self._observers):
            try:
                observer(event)
            except Exception:  # an observer's fault must not fail the job
                _log.exception("a job observer failed on %s", what)

    # -- submitting ------------------------------------------------------------------------

    def _require_started(self) -> None:
        if not self._started:
            raise JobQueueError("the job queue is not started; call start() first")

    async def submit(self, specs: Sequence[JobSpec]) -> list[bool]:
        """Store ``specs`` durably (one transaction) and return, per spec, True when it is new
        and False when a job with its id is already known (then nothing new starts)."""
        self._require_started()
        rows, first = self._rows(specs)
        inserted = await asyncio.wrap_future(self._commit.submit(rows))
        return _new(specs, first, inserted)

    def submit_sync(self, specs: Sequence[JobSpec]) -> list[bool]:
        """``submit`` for code without an event loop."""
        self._require_started()
        rows, first = self._rows(specs)
        return _new(specs, first, self._commit.submit(rows).result())

    def _rows(self, specs: Sequence[JobSpec]) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """DBOS's rows for ``specs`` (the first of each id) and each id's first index; an
        invalid spec raises here, before anything is queued for storing."""
        dbos = _get_dbos_instance()
        first: dict[str, int] = {}
        rows = []
        for index, spec in enumerate(specs):
            if spec.id in first:
                continue
            first[spec.id] = index
            partition = spec.partition or DEFAULT_PARTITION
            payload = _checked_payload(spec)
            job = {"id": spec.id, "kind": spec.kind, "partition": partition, "payload": payload}
            row = prepare_enqueued_workflow(
                dbos,
                _run_job,
                (job,),
                {},
                queue_name=QUEUE_NAME,
                workflow_id=spec.id,
                queue_partition_key=partition,
            )
            attributes: dict[str, Any] = {"kind": spec.kind, "partition": partition}
            if isinstance(payload.get("type"), str):
                attributes["type"] = payload["type"]
            row["attributes"] = attributes
            rows.append(row)
        return cast(list[dict[str, Any]], rows), first

    def _store(self, rows: list[dict[str, Any]]) -> set[str]:
        """Insert ``rows`` in one transaction (on the group commit's thread); the new ids."""
        try:
            return _get_dbos_instance()._sys_db.init_workflows(cast(Any, rows))
        except sa.exc.SQLAlchemyError as exc:
            raise JobQueueError(
                f"jobs could not be stored in {self.database}: {_masked(exc)}"
            ) from None

    # -- inspecting ------------------------------------------------------------------------

    def list(
        self,
        *,
        status: JobStatus | None = None,
        kind: str | None = None,
        type: str | None = None,
        partition: str | None = None,
        older_than: timedelta | None = None,
        newer_than: timedelta | None = None,
        limit: int | None = 100,
    ) -> list[JobInfo]:
        """Jobs, newest first, matching every filter given (``type`` is the payload's event
        type; ages count from when a job was submitted)."""
        self._require_started()
        if status is not None and status not in STATUSES:
            raise InvalidInputError(
                f"{status!r} is not a job status; use one of {', '.join(STATUSES)}"
            )
        attributes: dict[str, Any] = {}
        if kind is not None:
            attributes["kind"] = kind
        if type is not None:
            attributes["type"] = type
        if partition is not None:
            attributes["partition"] = partition
        now = datetime.now(UTC)
        # "running" and "retrying" are both DBOS's PENDING: told apart after the query, which
        # is bounded by the workers' concurrency.
        pending = status in ("running", "retrying")
        filters: dict[str, Any] = {
            "queue_name": QUEUE_NAME,
            "status": _DBOS_STATUSES[status] if status else None,
            "end_time": (now - older_than).isoformat() if older_than is not None else None,
            "start_time": (now - newer_than).isoformat() if newer_than is not None else None,
            "limit": None if pending else limit,
            "sort_desc": True,
        }
        if attributes and self._target.backend == "sqlite":
            # DBOS filters by attributes on PostgreSQL only: pick the ids here first.
            filters["workflow_ids"] = _sqlite_ids(attributes, filters)
            if not filters["workflow_ids"]:
                return []
        elif attributes:
            filters["attributes"] = attributes
        statuses = _list_statuses(**filters)
        infos = [_info(found) for found in statuses]
        if pending:
            infos = [info for info in infos if info.status == status][:limit]
        return infos

    def get(self, job_id: str) -> JobInfo:
        """The job ``job_id``, or the one job whose id starts with it (as git takes a commit's
        first characters); ``MissingError`` when there is none, ``InvalidInputError`` naming
        a few when the start fits several."""
        self._require_started()
        found = _list_statuses(workflow_ids=[job_id], queue_name=QUEUE_NAME)
        if not found and job_id:
            matches = self._ids_starting(job_id, 6)
            if len(matches) > 1:
                shown = ", ".join(matches[:5]) + (", ..." if len(matches) > 5 else "")
                raise InvalidInputError(
                    f"{job_id!r} starts the ids of several jobs ({shown}); give more of the id"
                )
            if matches:
                found = _list_statuses(workflow_ids=[*matches], queue_name=QUEUE_NAME)
        if not found:
            raise MissingError(f"no job {job_id!r} in {self.database}; list shows the jobs there")
        return _info(found[0])

    def _ids_starting(self, start: str, limit: int) -> tuple[str, ...]:
        """Up to ``limit`` ids of this queue's jobs that start with ``start``."""
        table = _get_dbos_instance()._sys_db.tables.workflow_status
        escaped = start.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = (
            sa.select(table.c.workflow_uuid)
            .where(
                table.c.queue_name == QUEUE_NAME,
                table.c.workflow_uuid.like(f"{escaped}%", escape="\\"),
            )
            .order_by(table.c.workflow_uuid)
            .limit(limit)
        )
        with _get_dbos_instance()._sys_db.engine.connect() as conn:
            found = [str(row[0]) for row in conn.execute(query)]
        return tuple(each for each in found if each.startswith(start))  # SQLite's LIKE folds case

    def depth(self) -> dict[str, int]:
        """Jobs waiting to run, per partition."""
        self._require_started()
        sys_db = _get_dbos_instance()._sys_db
        table = sys_db.tables.workflow_status
        query = (
            sa.select(table.c.queue_partition_key, sa.func.count())
            .where(table.c.queue_name == QUEUE_NAME, table.c.status.in_(["ENQUEUED", "DELAYED"]))
            .group_by(table.c.queue_partition_key)
        )
        with sys_db.engine.connect() as conn:
            rows = conn.execute(query).fetchall()
        return {str(key or DEFAULT_PARTITION): int(count) for key, count in rows}

    # -- acting on finished jobs -----------------------------------------------------------

    def retry(self, job_id: str) -> JobInfo:
        """Run a dead (or cancelled) job again from its start, with a fresh set of attempts."""
        info = self.get(job_id)
        if info.status not in ("dead", "cancelled"):
            raise InvalidInputError(
                f"job {job_id!r} is {info.status}; only a dead or cancelled job is retried "
                "(replay runs a finished job again)"
            )
        return self._rewind(info)

    def replay(self, job_id: str) -> JobInfo:
        """Run a finished job (succeeded, dead or cancelled) again from its start."""
        info = self.get(job_id)
        if info.status not in _FINISHED:
            raise InvalidInputError(
                f"job {job_id!r} is {info.status}; only a finished job "
                f"({', '.join(_FINISHED)}) can be replayed; wait for it to finish"
            )
        return self._rewind(info)

    def _rewind(self, info: JobInfo) -> JobInfo:
        _blocking(
            DBOS.update_workflow_attributes,
            info.id,
            {"state": "queued", "attempts": 0, "error": None},
            merge=True,
        )
        try:
            _blocking(
                DBOS.rewind_workflow,
                info.id,
                start_step=1,
                queue_name=QUEUE_NAME,
                queue_partition_key=info.partition,
            )
        except DBOSException as exc:  # it started again meanwhile
            raise InvalidInputError(f"job {info.id!r} could not be run again: {exc}") from None
        return self.get(info.id)

    def purge(
        self,
        *,
        status: JobStatus | None = None,
        kind: str | None = None,
        type: str | None = None,
        older_than: timedelta | None = None,
        newer_than: timedelta | None = None,
        everything: bool = False,
    ) -> int:
        """Delete finished jobs matching the filters (at least one, or ``everything``);
        queued and running jobs are never deleted. Returns how many were deleted."""
        self._require_started()
        filters = (status, kind, type, older_than, newer_than)
        if not everything and all(value is None for value in filters):
            raise InvalidInputError(
                "purge needs a filter (a status, kind, type or age) or everything=True"
            )
        if status is not None and status not in _FINISHED:
            raise InvalidInputError(
                f"only finished jobs ({', '.join(_FINISHED)}) are purged, not {status!r} ones"
            )
        wanted = [status] if status is not None else list(_FINISHED)
        deleted = 0
        for each in wanted:
            while True:
                batch = self.list(
                    status=each,
                    kind=kind,
                    type=type,
                    older_than=older_than,
                    newer_than=newer_than,
                    limit=1000,
                )
                if not batch:
                    break
                _blocking(DBOS.delete_workflows, [info.id for info in batch])
                deleted += len(batch)
        return deleted


def _reopen_console(logger: logging.Logger) -> None:
    """DBOS adds its console handler once per process, on the ``sys.stderr`` of that moment; if
    that stream was closed since (a test's captured output, a web app's replaced stderr), the
    handler writes to the current ``sys.stderr`` instead of failing every later launch."""
    for handler in logger.handlers:
        stream = getattr(handler, "stream", None)
        if isinstance(handler, logging.StreamHandler) and getattr(stream, "closed", False):
            handler.acquire()  # not setStream: it would flush the closed stream first
            try:
                handler.stream = sys.stderr
            finally:
                handler.release()


def _new(specs: Sequence[JobSpec], first: Mapping[str, int], inserted: set[str]) -> list[bool]:
    """Per spec: whether it is the first of its id in ``specs`` and its row was inserted."""
    return [first.get(spec.id) == index and spec.id in inserted for index, spec in enumerate(specs)]


def _use_wal(path: Path) -> None:
    """Put the SQLite file in WAL mode (kept in the file): DBOS opens every transaction with
    ``BEGIN IMMEDIATE``; with the default rollback journal each one also rewrites a journal
    file, and processing runs at half the speed. Commits still sync, so what ``submit``
    acknowledged survives a crash."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(path, timeout=30)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
    except (OSError, sqlite3.Error) as exc:
        raise JobQueueError(f"the jobs database {path} could not be opened: {exc}") from None


def _blocking(call: Callable[..., _R], *args: Any, **kwargs: Any) -> _R:
    """``call(...)``, which DBOS refuses inside a running event loop (it has ``_async`` twins
    for that): there it runs on a thread of its own, so the sync methods work everywhere; async
    code that must not block its loop calls them through ``asyncio.to_thread``."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(*args, **kwargs)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(call, *args, **kwargs).result()


def _checked_payload(spec: JobSpec) -> dict[str, Any]:
    try:
        return cast(dict[str, Any], json.loads(json.dumps(spec.payload)))
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"job {spec.id!r}'s payload is not JSON ({exc}); give plain dicts, lists, "
            "strings, numbers, booleans and None"
        ) from None


def _sqlite_ids(attributes: Mapping[str, Any], filters: Mapping[str, Any]) -> list[str]:
    """The ids of the jobs whose attributes hold ``attributes`` (SQLite's JSON functions)."""
    sys_db = _get_dbos_instance()._sys_db
    table = sys_db.tables.workflow_status
    query = sa.select(table.c.workflow_uuid).where(table.c.queue_name == QUEUE_NAME)
    for key, value in attributes.items():
        query = query.where(sa.func.json_extract(table.c.attributes, f"$.{key}") == value)
    if filters.get("status"):
        query = query.where(table.c.status.in_(filters["status"]))
    for name, compare in (("start_time", "__ge__"), ("end_time", "__le__")):
        if filters.get(name):
            epoch_ms = int(datetime.fromisoformat(filters[name]).timestamp() * 1000)
            query = query.where(getattr(table.c.created_at, compare)(epoch_ms))
    query = query.order_by(table.c.created_at.desc())
    if filters.get("limit") is not None:
        query = query.limit(filters["limit"])
    with sys_db.engine.connect() as conn:
        return [row[0] for row in conn.execute(query)]


def _list_statuses(**filters: Any) -> list[WorkflowStatus]:
    try:
        return _blocking(DBOS.list_workflows, **filters)
    except sa.exc.SQLAlchemyError as exc:
        raise JobQueueError(f"the jobs database could not be read: {_masked(exc)}") from None


def _info(found: WorkflowStatus) -> JobInfo:
    inputs: Mapping[str, Any] = found.input or {}
    args: Sequence[Any] = inputs.get("args") or ({},)
    job: dict[str, Any] = args[0] if isinstance(args[0], dict) else {}
    attrs = found.attributes or {}
    status = _status(found.status, attrs)
    failed = int(attrs.get("attempts") or 0)
    output = found.output if isinstance(found.output, dict) else {}
    if status == "succeeded":
        attempts = int(output.get("attempts") or failed + 1)
    elif status == "running":
        attempts = failed + 1
    else:
        attempts = failed
    return JobInfo(
        id=found.workflow_id,
        kind=str(job.get("kind") or attrs.get("kind") or ""),
        partition=str(job.get("partition") or found.queue_partition_key or DEFAULT_PARTITION),
        status=status,
        attempts=attempts,
        created_at=_time(found.created_at),
        updated_at=_time(found.updated_at or found.created_at),
        error=None if status in ("succeeded", "queued") else attrs.get("error"),
        result=output.get("result") if status == "succeeded" else None,
        payload=dict(job.get("payload") or {}),
    )


def _status(dbos_status: str, attrs: Mapping[str, Any]) -> JobStatus:
    if dbos_status == "PENDING":
        return "retrying" if attrs.get("state") == "retrying" else "running"
    for status, names in _DBOS_STATUSES.items():
        if dbos_status in names and status not in ("running", "retrying"):
            return status
    return "dead"


def _time(epoch_ms: int | None) -> datetime:
    return datetime.fromtimestamp((epoch_ms or 0) / 1000, UTC)


def _masked(exc: BaseException) -> str:
    """An exception's first line with any URL password masked."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return mask_url(text)
