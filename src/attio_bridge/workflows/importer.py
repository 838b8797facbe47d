"""Bulk import of a CSV or JSON Lines file into an Attio object or list: ``import_file()``
(sync, on an ``AttioClient``; the async one, on an ``AsyncAttioClient``, is in ``aio``).

What an import does (the plan, matching, lists and companies, files, the checkpoint, the
failure file, concurrency) and what it guarantees: docs/IMPORT.md. The run is written once in
``_async/importer.py`` (``_sync/importer.py`` is generated from it); the parts without Attio
I/O are in ``importing/``. This module keeps the names callers import from it.
"""

from __future__ import annotations

from ._sync.importer import LOOKUP_BATCH, company_value, import_file
from .importing.checkpoint import CHECKPOINT_SUFFIX, Checkpoint
from .importing.files import (
    BadLine,
    check_encoding,
    detect_encoding,
    file_format,
    iter_file_rows,
    iter_rows,
    read_headers,
)
from .importing.files import clean as _clean  # enrichment imported it from here
from .importing.mapping import ALIAS_ALTERNATES, ALIASES, LIST_PREFIX, guess_mapping, load_mapping
from .importing.plan import holds
from .importing.report import MAX_PROBLEMS, ImportReport, RowProblem
from .importing.rows import KEY_PROPS, ambiguous_message, required_attributes
from .importing.targets import (
    DEFAULT_MATCH,
    company_attribute,
    match_attributes,
    resolve_targets,
)

__all__ = [
    "ALIASES",
    "ALIAS_ALTERNATES",
    "CHECKPOINT_SUFFIX",
    "DEFAULT_MATCH",
    "KEY_PROPS",
    "LIST_PREFIX",
    "LOOKUP_BATCH",
    "MAX_PROBLEMS",
    "BadLine",
    "Checkpoint",
    "ImportReport",
    "RowProblem",
    "_clean",
    "ambiguous_message",
    "check_encoding",
    "company_attribute",
    "company_value",
    "detect_encoding",
    "file_format",
    "guess_mapping",
    "holds",
    "import_file",
    "iter_file_rows",
    "iter_rows",
    "load_mapping",
    "match_attributes",
    "read_headers",
    "required_attributes",
    "resolve_targets",
]
