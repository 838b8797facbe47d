"""The deal-stage automation, sync: ``advance_stale_deals`` moves the active deals of a stage
with their required fields filled to the next stage, with a follow-up task and a note (see
``_async/automation.py``, the one hand-written copy; this one is generated from it, and ``aio``
has the async one)."""

from ._model.automation import StageChange, last_activity
from ._sync.automation import advance_stale_deals

__all__ = ["StageChange", "advance_stale_deals", "last_activity"]
