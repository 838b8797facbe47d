"""Sync runs as durable jobs on ``attio_bridge.jobs.JobQueue``.

Two kinds, both in the partition ``sync:<system>:<object>`` of their mapping, so one object's
rate limits or failures never stall another's:

- ``sync-full`` (``sync_job``): one full run of a mapping, ``SyncEngine.full()``. The engine
  checkpoints the other side's cursor in the state store after every page, so a job retried
  after a failure, or taken over from a killed worker, resumes at the page it was on, and the
  pages done before merge to no writes.
  A reconcile (``reconcile_job``) is a full run whose id names the reconcile period
  (``floor(time / period)``), so every submitter of one period starts one run: Attio has no
  "modified since" query, so an Attio change whose webhook was lost is found only by comparing
  everything.
- ``sync-pull`` (``pull_job``): one incremental pull of a mapping, ``SyncEngine.incremental()``
  with no events: what the other side changed or deleted since the previous pull started. Its
  id names the mapping and the period (``floor(time / period)``), so every worker submitting
  the pull of one period starts one run (the queue inserts a known id once).

Each job runs the engine in a worker thread; its effect is the run's counts. Runs of one
mapping take turns through the engine's lock in the state store, whichever worker runs them.

    queue.register(SYNC_JOB_KIND, sync_processor(engine_for))   # engine_for(mapping name)
    queue.register(PULL_JOB_KIND, pull_processor(engine_for))
    await queue.submit([sync_job(mapping, run_id="2026-12-07"), pull_job(mapping, 300.0, now)])
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Any

from ..errors import InvalidInputError
from ..jobs import JobSpec
from .engine import Report, SyncEngine
from .mapping import SyncMapping

__all__ = [
    "PULL_JOB_KIND",
    "SYNC_JOB_KIND",
    "partition_of",
    "pull_job",
    "pull_processor",
    "reconcile_job",
    "report_effect",
    "sync_job",
    "sync_processor",
]

SYNC_JOB_KIND = "sync-full"
PULL_JOB_KIND = "sync-pull"

JobProcessor = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def partition_of(mapping: SyncMapping) -> str:
    """The queue partition of ``mapping``'s jobs: ``sync:<system>:<object>``."""
    return f"sync:{mapping.system}:{mapping.object}"


def sync_job(mapping: SyncMapping, run_id: str) -> JobSpec:
    """The job of one full run of ``mapping``; the same ``run_id`` names the same job, so
    submitting it twice starts one run."""
    return JobSpec(
        f"sync:{mapping.name}:{run_id}",
        SYNC_JOB_KIND,
        partition_of(mapping),
        {"mapping": mapping.name, "run": run_id},
    )


def period_number(period: float, now: float) -> int:
    """The number of the period of ``period`` seconds that the time ``now`` falls in."""
    return math.floor(now / period)


def pull_job(mapping: SyncMapping, period: float, now: float) -> JobSpec:
    """The pull of ``mapping`` for the period of ``period`` seconds holding the time ``now``
    (seconds since the epoch): ``sync-pull:<mapping>:<period>s:<number>``, the same job for
    every submitter within one period."""
    number = period_number(period, now)
    return JobSpec(
        f"sync-pull:{mapping.name}:{period:g}s:{number}",
        PULL_JOB_KIND,
        partition_of(mapping),
        {"mapping": mapping.name, "period": period, "number": number},
    )


def reconcile_job(mapping: SyncMapping, period: float, now: float) -> JobSpec:
    """The full run reconciling ``mapping`` in the period of ``period`` seconds holding the time
    ``now``: ``sync:<mapping>:reconcile-<period>s-<number>``, the same job for every submitter
    within one period."""
    return sync_job(mapping, f"reconcile-{period:g}s-{period_number(period, now)}")


def report_effect(report: Report) -> dict[str, Any]:
    """A run's counts, as a job's effect (the first errors only)."""
    return {
        "mapping": report.mapping,
        "read": report.read,
        "written": report.written,
        "skipped_unchanged": report.skipped,
        "conflicts": len(report.conflicts),
        "errors": report.errors[:20],
    }


def _processor(
    engine_for: Callable[[str], SyncEngine], run: Callable[[SyncEngine], Report]
) -> JobProcessor:
    async def process(payload: dict[str, Any]) -> dict[str, Any]:
        name = payload.get("mapping")
        if not isinstance(name, str):
            raise InvalidInputError(f"a sync job names no mapping: {payload!r:.200}")
        engine = engine_for(name)
        return report_effect(await asyncio.to_thread(run, engine))

    return process


def sync_processor(engine_for: Callable[[str], SyncEngine]) -> JobProcessor:
    """The queue's processor of ``sync-full`` jobs; ``engine_for(name)`` makes the engine of a
    mapping (an unknown name raises ``InvalidInputError``: dead letter, it will not improve)."""
    return _processor(engine_for, SyncEngine.full)


def pull_processor(engine_for: Callable[[str], SyncEngine]) -> JobProcessor:
    """The queue's processor of ``sync-pull`` jobs: an incremental run with no events (a full
    run when the mapping has never been pulled); ``engine_for`` as for ``sync_processor``."""
    return _processor(engine_for, lambda engine: engine.incremental())
