"""The parts of the import (and the export's flat rows) that do no Attio I/O: reading files
(``files``, shared with enrichment), column mapping (``mapping``), row encoding (``rows``),
what the arguments name (``targets``), the plan (``plan``), the report (``report``), the
checkpoint (``checkpoint``), the failure file (``failures``) and the export's columns and
cells (``flat``). The run that reads and writes Attio is ``workflows/_async/importer.py``.

How an import works, end to end: docs/IMPORT.md.
"""

__all__: list[str] = []
