"""Multi-step jobs built on the services: bulk import and export, lead kickoff (with rollback),
meeting notes, the deal pipeline, lead qualification, stage automation and enrichment.

These are the sync functions; ``attio_bridge.workflows.aio`` has the async ones under the same
names. Each is written once, async, in ``_async``; ``_sync`` is generated from it
(``scripts/gen_sync.py``). The parts without I/O (results, rules, plans) are in ``_model`` and
re-exported by each workflow's module:

- ``importer``: ``import_file()`` upserts the rows of a CSV or JSON Lines file into an object,
  streaming (two passes: validate every row, then write), with a guessed or given column
  mapping, a failure file and a resumable checkpoint in the state store (docs/IMPORT.md).
- ``exporter``: ``export_records()`` writes every record of an object as CSV or JSON Lines with
  flattened values.
- ``kickoff``: ``kickoff_lead()`` and ``rollback_kickoff()``.
- ``meeting``: ``record_meeting_note()``; ``pipeline``: ``run_deal_pipeline()``,
  ``advance_deal()``, ``move_between_lists()``; ``qualify``: ``qualify_lead()``;
  ``automation``: ``advance_stale_deals()``; ``enrich``: ``enrich_records()``.

The names here are sync (``Services``, an ``AttioClient``); ``aio`` has the same names, async
(``AsyncServices``, an ``AsyncAttioClient``). The commands are thin wrappers in ``cli/``.
"""

from .automation import advance_stale_deals
from .enrich import enrich_records
from .exporter import export_records
from .importer import ImportReport, RowProblem, guess_mapping, import_file
from .kickoff import kickoff_lead, rollback_kickoff
from .meeting import record_meeting_note
from .pipeline import advance_deal, move_between_lists, run_deal_pipeline
from .qualify import qualify_lead

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
