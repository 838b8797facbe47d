"""The enrichment workflow, sync: ``enrich_records()`` fills the selected records of an object
with a provider's data, notes the source and marks each record enriched (or "Not found").
Providers (``EnrichmentProvider``, the built-in ``FileProvider``, ``load_provider``), the
selection and the report live in ``_model/enrich.py``, whose docstring tells the whole story;
the run is ``_async/enrich.py``, the one hand-written copy (this one is generated from it, and
``aio`` has the async one).
"""

from ._model.enrich import (
    ENRICHED,
    FAILED,
    KEYS,
    NOT_FOUND,
    UNCHANGED,
    EnrichmentMissingError,
    EnrichmentProvider,
    EnrichmentReport,
    EnrichmentTarget,
    FileProvider,
    ProviderError,
    RecordResult,
    Selection,
    load_provider,
)
from ._sync.enrich import enrich_records

__all__ = [
    "ENRICHED",
    "FAILED",
    "KEYS",
    "NOT_FOUND",
    "UNCHANGED",
    "EnrichmentMissingError",
    "EnrichmentProvider",
    "EnrichmentReport",
    "EnrichmentTarget",
    "FileProvider",
    "ProviderError",
    "RecordResult",
    "Selection",
    "enrich_records",
    "load_provider",
]
