"""Full syncs as durable jobs on ``attio_bridge.jobs.JobQueue``.

One job per mapping and run (kind ``sync-full``), in the partition ``sync:<system>:<object>``,
so one object's rate limits or failures never stall another's. The job runs
``SyncEngine.full()`` in a worker thread; the engine checkpoints the other side's cursor in the
state store after every page, so a job retried after a failure, or taken over from a killed
worker, resumes at the page it was on, and the pages done before merge to no writes. The job's
effect is the run's counts.

    queue.register(SYNC_JOB_KIND, sync_processor(engine_for))   # engine_for(mapping name)
    await queue.submit([sync_job(mapping, run_id="2026-12-07")])
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from ..errors import InvalidInputError
from ..jobs import JobSpec
from .engine import SyncEngine
from .mapping import SyncMapping

__all__ = ["SYNC_JOB_KIND", "partition_of", "sync_job", "sync_processor"]

SYNC_JOB_KIND = "sync-full"


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


def sync_processor(
    engine_for: Callable[[str], SyncEngine],
) -> Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]:
    """The queue's processor of ``sync-full`` jobs; ``engine_for(name)`` makes the engine of a
    mapping (an unknown name raises ``InvalidInputError``: dead letter, it will not improve)."""

    async def process(payload: dict[str, Any]) -> dict[str, Any]:
        name = payload.get("mapping")
        if not isinstance(name, str):
            raise InvalidInputError(f"a sync job names no mapping: {payload!r:.200}")
        engine = engine_for(name)
        report = await asyncio.to_thread(engine.full)
        return {
            "mapping": name,
            "read": report.read,
            "written": report.written,
            "skipped_unchanged": report.skipped,
            "conflicts": len(report.conflicts),
            "errors": report.errors[:20],
        }

    return process
