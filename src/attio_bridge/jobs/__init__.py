"""Durable work on DBOS: jobs stored before they are acknowledged, run once, retried, dead-lettered.

A job is ``(id, kind, partition, payload)``; the queue knows nothing of what a payload means.
A processor registered for a kind runs it. SQLite embedded by default, PostgreSQL for many
workers (``ATTIO_BRIDGE_DATABASE_URL``). See docs/SERVICE.md, "Jobs".

    queue = JobQueue(retry=RetrySchedule(attempts=5, first_delay=1.0))
    queue.register("webhook-event", processor)       # async def processor(payload) -> dict | None
    queue.subscribe(print)                           # JobEvent: started, succeeded, retrying, dead
    queue.start()
    await queue.submit([JobSpec(id, kind, partition, payload)])   # durable on return
    queue.list(status="dead"); queue.retry(job_id); queue.replay(job_id); queue.purge(status=...)
    queue.shutdown(timeout=10)
"""

from __future__ import annotations

from ._model import (
    STATUSES,
    JobEvent,
    JobInfo,
    JobSpec,
    JobStatus,
    Processor,
    RetrySchedule,
    parse_duration,
)
from ._queue import DEFAULT_PARTITION, JobQueue, JobQueueError, default_jobs_path

__all__ = [
    "DEFAULT_PARTITION",
    "STATUSES",
    "JobEvent",
    "JobInfo",
    "JobQueue",
    "JobQueueError",
    "JobSpec",
    "JobStatus",
    "Processor",
    "RetrySchedule",
    "default_jobs_path",
    "parse_duration",
]
