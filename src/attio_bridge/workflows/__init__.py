"""Multi-step jobs built on the client and ``values``: bulk import and export.

- ``importer``: ``import_file()`` upserts the rows of a CSV or JSON Lines file into an object,
  streaming (two passes: validate every row, then write), with a guessed or given column
  mapping, a failure file and a resumable checkpoint in the state store (docs/IMPORT.md).
- ``exporter``: ``export_records()`` writes every record of an object as CSV or JSON Lines with
  flattened values.

The names here are sync (an ``AttioClient``); ``aio`` has the same names, async (an
``AsyncAttioClient``). The commands (``attio-bridge import``/``export``) are thin wrappers in
``cli/transfer.py``.
"""

from .exporter import export_records
from .importer import ImportReport, RowProblem, guess_mapping, import_file

__all__ = ["ImportReport", "RowProblem", "export_records", "guess_mapping", "import_file"]
