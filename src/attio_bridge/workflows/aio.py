"""The async workflows, under the names ``attio_bridge.workflows`` gives their sync twins::

    from attio_bridge.services import AsyncServices
    from attio_bridge.workflows.aio import kickoff_lead

    result = await kickoff_lead(AsyncServices(aclient), slack=None, drive=None,
                                name="Acme", domain="acme.com")

Each takes ``AsyncServices`` where the sync one takes ``Services``; results, rules and
providers are the same classes. Blocking calls (Slack, Drive, enrichment providers, the state
store's locks) run in worker threads.
"""

from ._async.automation import advance_stale_deals
from ._async.enrich import enrich_records
from ._async.kickoff import kickoff_lead
from ._async.kickoff_rollback import rollback_kickoff
from ._async.meeting import record_meeting_note
from ._async.pipeline import advance_deal, move_between_lists, run_deal_pipeline
from ._async.qualify import qualify_lead

__all__ = [
    "advance_deal",
    "advance_stale_deals",
    "enrich_records",
    "kickoff_lead",
    "move_between_lists",
    "qualify_lead",
    "record_meeting_note",
    "rollback_kickoff",
    "run_deal_pipeline",
]
