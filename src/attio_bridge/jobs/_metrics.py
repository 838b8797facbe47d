"""The jobs' Prometheus metrics (prometheus-client, default registry): processed, retried and
dead-lettered counters, a processing latency histogram, fed by ``record`` (an observer every
``JobQueue`` subscribes), and queue depth per partition, read from the queues when scraped."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ._model import JobEvent

__all__ = ["DEAD", "LATENCY", "PROCESSED", "RETRIED", "record", "watch_depth"]

PROCESSED = Counter(
    "attio_bridge_jobs_processed",
    "Jobs whose processor succeeded.",
    ["kind"],
)
RETRIED = Counter(
    "attio_bridge_jobs_retried",
    "Failed attempts that will be tried again.",
    ["kind"],
)
DEAD = Counter(
    "attio_bridge_jobs_dead_lettered",
    "Jobs that went to the dead letter.",
    ["kind"],
)
LATENCY = Histogram(
    "attio_bridge_jobs_processing_seconds",
    "How long one attempt of a job's processor took.",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)


def record(event: JobEvent) -> None:
    """Count one job event."""
    if event.what == "started":
        return
    LATENCY.labels(event.kind).observe(event.duration)
    if event.what == "succeeded":
        PROCESSED.labels(event.kind).inc()
    elif event.what == "retrying":
        RETRIED.labels(event.kind).inc()
    else:
        DEAD.labels(event.kind).inc()


class _DepthCollector(Collector):
    """``attio_bridge_jobs_queue_depth{partition}``: jobs waiting, read from each live queue."""

    def __init__(self) -> None:
        self.sources: weakref.WeakSet[Any] = weakref.WeakSet()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "attio_bridge_jobs_queue_depth",
            "Jobs waiting to run, per partition.",
            labels=["partition"],
        )
        depths: dict[str, int] = {}
        for source in list(self.sources):
            read: Callable[[], dict[str, int]] = source.depth
            try:
                found = read()
            except Exception:  # a queue shut down or unreachable has no depth to show
                continue
            for partition, count in found.items():
                depths[partition] = depths.get(partition, 0) + count
        for partition, count in sorted(depths.items()):
            family.add_metric([partition], count)
        yield family


_DEPTH = _DepthCollector()
REGISTRY.register(_DEPTH)


def watch_depth(queue: Any) -> None:
    """Report ``queue.depth()`` as the depth gauge while ``queue`` lives."""
    _DEPTH.sources.add(queue)
