"""The public async API of the workflows: the same names as ``attio_bridge.workflows``, async,
on an ``AsyncAttioClient``::

    from attio_bridge.workflows.aio import import_file

    async with AsyncAttioClient() as client:
        report = await import_file(client, "people", Path("people.csv"))

Each is written once in ``_async/``; the sync twins in ``_sync/`` are generated from them.
"""

from __future__ import annotations

from ._async.exporter import export_records
from ._async.importer import import_file
from .importing.mapping import guess_mapping
from .importing.report import ImportReport, RowProblem

__all__ = ["ImportReport", "RowProblem", "export_records", "guess_mapping", "import_file"]
