"""Export of every record of an object, or every entry of a list, as CSV or JSON Lines:
``export_records()``. The reads are ``_async/exporter.py``'s, the flat rows
``importing/flat.py``'s (see their docstrings)."""

from __future__ import annotations

from ._async.exporter import ENTRY_BATCH, export_records
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
