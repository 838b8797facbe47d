"""The sync engine between Attio and other CRMs (docs/SYNC.md).

``mapping`` (mapping files: fields, transforms, match keys, owners, deletes; ``check`` against
both schemas), ``merge`` (the three-way merge against the last synced copy, no I/O), ``store``
(the record store and cursors in the state store), ``conflicts`` (the open queue and the log of
decided conflicts), ``engine`` (``SyncEngine``: full and incremental runs, deletes, reconcile,
dry-run, metrics), ``registry`` (connectors by system name), ``handlers`` (Braintree
notifications into companies; loaded by the service), ``jobs`` (full runs as durable jobs;
imported on its own, as it loads the job queue), ``service`` (``SyncService``: a mapping
file's sync on the service's queue, webhooks and state store; imported on its own), ``sandbox``
(the sandbox's sync; imported on its own).
"""

from __future__ import annotations

from .conflicts import ConflictQueue, ConflictRecord, UnknownConflictError
from .engine import PlannedWrite, Report, SyncEngine
from .mapping import FieldMap, MappingError, SyncMapping, check, load_mappings, parse_mappings
from .merge import Conflict, MergeResult, Side, merge
from .registry import connector_for
from .store import Link, RecordStore

__all__ = [
    "Conflict",
    "ConflictQueue",
    "ConflictRecord",
    "FieldMap",
    "Link",
    "MappingError",
    "MergeResult",
    "PlannedWrite",
    "RecordStore",
    "Report",
    "Side",
    "SyncEngine",
    "SyncMapping",
    "UnknownConflictError",
    "check",
    "connector_for",
    "load_mappings",
    "merge",
    "parse_mappings",
]
