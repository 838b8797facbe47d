"""The sync engine between Attio and other CRMs (docs/SYNC.md).

``mapping`` (mapping files: fields, transforms, match keys, owners, deletes; ``check`` against
both schemas), ``merge`` (the three-way merge against the last synced copy, no I/O), ``store``
(the record store and cursors in the state store), ``conflicts`` (the open queue and the log of
decided conflicts), ``engine`` (``SyncEngine``: full and incremental runs, deletes, reconcile,
dry-run, metrics).
"""

from __future__ import annotations

from .mapping import FieldMap, MappingError, SyncMapping, check, load_mappings, parse_mappings
from .merge import Conflict, MergeResult, Side, merge

__all__ = [
    "Conflict",
    "FieldMap",
    "MappingError",
    "MergeResult",
    "Side",
    "SyncMapping",
    "check",
    "load_mappings",
    "merge",
    "parse_mappings",
]
