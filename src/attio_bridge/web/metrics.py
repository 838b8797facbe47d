"""The service's Prometheus metrics seen by the web layer, in prometheus-client's default registry.

Made once, at import (a registry refuses a name twice); ``/metrics`` renders the whole default
registry, so metrics the job queue or the receiver register themselves show there too.

- ``attio_bridge_http_request_duration_seconds{route,method,status}``: time to answer a request
  to a webhook route (histogram);
- ``attio_bridge_webhook_requests_total{source,status}``: webhook requests by answer
  (200 accepted; 400, 401, 413, 415 rejected, the reason being the status; 503 while stopping);
- ``attio_bridge_events_received_total{source,outcome}``: events handed to the queue,
  ``stored`` (new) or ``redelivered`` (already known, nothing new started);
- ``attio_bridge_jobs_total{kind,what}``: job steps (started, succeeded, retrying, dead);
- ``attio_bridge_job_duration_seconds{kind,outcome}``: from a job's start to its success or
  failure (histogram);
- ``attio_bridge_queue_depth{partition}``: jobs waiting, read from the queue at each scrape.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from prometheus_client import Counter, Gauge, Histogram

from ..webhooks import Event
from .ports import JobEvent

__all__ = [
    "EVENTS_RECEIVED",
    "HTTP_SECONDS",
    "JOBS",
    "JOB_SECONDS",
    "QUEUE_DEPTH",
    "WEBHOOK_REQUESTS",
    "JobTimer",
    "count_received",
    "set_depth",
]

HTTP_SECONDS = Histogram(
    "attio_bridge_http_request_duration_seconds",
    "Time to answer a webhook request, in seconds.",
    ("route", "method", "status"),
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
WEBHOOK_REQUESTS = Counter(
    "attio_bridge_webhook_requests",
    "Webhook requests by source and answer status (non-2xx: rejected, the status says why).",
    ("source", "status"),
)
EVENTS_RECEIVED = Counter(
    "attio_bridge_events_received",
    "Events handed to the durable queue: stored (new) or redelivered (already known).",
    ("source", "outcome"),
)
JOBS = Counter(
    "attio_bridge_jobs", "Job steps: started, succeeded, retrying, dead.", ("kind", "what")
)
JOB_SECONDS = Histogram(
    "attio_bridge_job_duration_seconds",
    "From a job's start to its success or failure, in seconds.",
    ("kind", "outcome"),
)
QUEUE_DEPTH = Gauge("attio_bridge_queue_depth", "Jobs waiting, per partition.", ("partition",))


def count_received(events: Sequence[Event], new: Sequence[bool]) -> None:
    """Count events handed to the queue."""
    for event, fresh in zip(events, new, strict=True):
        EVENTS_RECEIVED.labels(event.source, "stored" if fresh else "redelivered").inc()


def set_depth(depth: Mapping[str, int]) -> None:
    """The queue depth gauge as the queue reports it now (partitions gone from it are dropped)."""
    QUEUE_DEPTH.clear()
    for partition, waiting in depth.items():
        QUEUE_DEPTH.labels(partition).set(waiting)


class JobTimer:
    """A job queue observer: counts job steps and times each job from start to end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started: dict[str, float] = {}

    def __call__(self, event: JobEvent) -> None:
        JOBS.labels(event.kind, event.what).inc()
        with self._lock:
            if event.what == "started":
                self._started.setdefault(event.job_id, event.at)
                return
            if event.what not in ("succeeded", "dead"):
                return
            began = self._started.pop(event.job_id, None)
        if began is not None:
            JOB_SECONDS.labels(event.kind, event.what).observe(max(0.0, event.at - began))
