"""Export of every record of an object, or every entry of a list, as CSV or JSON Lines:
``export_records()`` (sync, on an ``AttioClient``; the async one is in ``aio``). The reads are
written once in ``_async/exporter.py`` (``_sync/exporter.py`` is generated from it), the flat
rows are ``importing/flat.py``'s (see their docstrings)."""

from __future__ import annotations

from ._sync.exporter import ENTRY_BATCH, export_records
from .importing.flat import FORMATS, columns_of, entry_columns, flat_cell
from .importing.mapping import LIST_PREFIX

__all__ = [
    "ENTRY_BATCH",
    "FORMATS",
    "LIST_PREFIX",
    "columns_of",
    "entry_columns",
    "export_records",
    "flat_cell",
]
