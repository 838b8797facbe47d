"""The public async API of the workflows: the same names as ``attio_bridge.workflows``, async,
on ``AsyncServices`` or an ``AsyncAttioClient`` where the sync ones take ``Services`` or an
``AttioClient``::

    from attio_bridge.services import AsyncServices
    from attio_bridge.workflows.aio import import_file, kickoff_lead

    async with AsyncAttioClient() as client:
        report = await import_file(client, "people", Path("people.csv"))
        result = await kickoff_lead(AsyncServices(client), slack=None, drive=None,
                                    name="Acme", domain="acme.com")

Each is written once in ``_async/``; the sync twins in ``_sync/`` are generated from them.
Results, rules and providers are the same classes in both. Blocking calls (Slack, Drive,
enrichment providers, the state store's locks) run in worker threads.
"""

from __future__ import annotations

from ._async.automation import advance_stale_deals
from ._async.enrich import enrich_records
from ._async.exporter import export_records
from ._async.importer import import_file
from ._async.kickoff import kickoff_lead
from ._async.kickoff_rollback import rollback_kickoff
from ._async.meeting import record_meeting_note
from ._async.pipeline import advance_deal, move_between_lists, run_deal_pipeline
from ._async.qualify import qualify_lead
from .importing.mapping import guess_mapping
from .importing.report import ImportReport, RowProblem

__all__ = [
    "ImportReport",
    "RowProblem",
    "advance_deal",
    "advance_stale_deals",
    "enrich_records",
    "export_records",
    "guess_mapping",
    "import_file",
    "kickoff_lead",
    "move_between_lists",
    "qualify_lead",
    "record_meeting_note",
    "rollback_kickoff",
    "run_deal_pipeline",
]
