"""The deal-pipeline workflow, sync: ``run_deal_pipeline`` (a deal with its company, list
entry, task and context note), ``advance_deal`` and ``move_between_lists``, each safe to re-run
(see ``_async/pipeline.py``, the one hand-written copy; this one is generated from it, and
``aio`` has the async one)."""

from ._model.pipeline import DealPipelineResult, NotApplied
from ._sync.pipeline import advance_deal, move_between_lists, run_deal_pipeline

__all__ = [
    "DealPipelineResult",
    "NotApplied",
    "advance_deal",
    "move_between_lists",
    "run_deal_pipeline",
]
