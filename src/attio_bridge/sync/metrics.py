"""The sync's Prometheus metrics (prometheus-client, default registry), labelled by mapping:
records read and written per side, skipped as unchanged, conflicts by decision, errors, and the
lag from a change on one side to its write on the other."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = ["CONFLICTS", "ERRORS", "LAG", "READ", "SKIPPED", "WRITTEN"]

READ = Counter("attio_bridge_sync_records_read", "Records read, per side.", ["mapping", "side"])
WRITTEN = Counter(
    "attio_bridge_sync_records_written", "Records written, per side.", ["mapping", "side"]
)
SKIPPED = Counter(
    "attio_bridge_sync_records_skipped_unchanged",
    "Record pairs left alone because nothing changed since the last sync (echoes included).",
    ["mapping"],
)
CONFLICTS = Counter(
    "attio_bridge_sync_conflicts", "Conflicts recorded, by decision.", ["mapping", "decision"]
)
ERRORS = Counter("attio_bridge_sync_errors", "Records that could not be synced.", ["mapping"])
LAG = Histogram(
    "attio_bridge_sync_lag_seconds",
    "From a record's modification on one side to its write on the other.",
    ["mapping"],
    buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400),
)
