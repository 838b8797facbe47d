"""The web layer's own Prometheus metric, in prometheus-client's default registry.

Made once, at import (a registry refuses a name twice). ``/metrics`` renders the whole default
registry, so it shows, besides this one, the receivers' (``attio_bridge.webhooks.metrics``:
deliveries received, rejected by source and reason, events stored, redelivered and ignored) and
the jobs' (``attio_bridge.jobs``: processed, retried, dead-lettered, processing time, queue
depth per partition). Each meaning is counted in one place only.

- ``attio_bridge_http_request_duration_seconds{route,method,status}``: time to answer a request
  to a webhook route (histogram; its ``_count`` is the requests by answer status).
"""

from __future__ import annotations

from prometheus_client import Histogram

__all__ = ["HTTP_SECONDS"]

HTTP_SECONDS = Histogram(
    "attio_bridge_http_request_duration_seconds",
    "Time to answer a webhook request, in seconds.",
    ("route", "method", "status"),
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
