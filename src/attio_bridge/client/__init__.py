"""A typed sync and async client for Attio's REST API v2.

``AttioClient`` and ``AsyncAttioClient`` share one sans-I/O core (``_core``); the sync client is
generated from the async one. They pace themselves with separate read and write budgets
(``_rate``), retry what is safe to retry (``_retry``), iterate every page (``pagination``) and
raise one tree of errors (``_exceptions``). ``run_bulk`` and ``assert_records`` (async only) run
many writes side by side with a result per item. ``classify(method, path)`` says how a request
is treated: which budget it spends (``.write``) and whether it may be repeated.
"""

from ..errors import AttioError, ConfigurationError
from ._async.bulk import DEFAULT_CONCURRENCY, BulkResult, assert_records, run_bulk
from ._async.client import AsyncAttioClient
from ._core import classify, clean_api_key
from ._exceptions import (
    APIConnectionError,
    APITimeoutError,
    AttioAPIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateBackendError,
    RateBudgetError,
    RateLimitError,
)
from ._rate import RateBudget, budget_for
from ._sync.client import AttioClient
from ._types import NOT_GIVEN, NotGiven

__all__ = [
    "DEFAULT_CONCURRENCY",
    "NOT_GIVEN",
    "APIConnectionError",
    "APITimeoutError",
    "AsyncAttioClient",
    "AttioAPIError",
    "AttioClient",
    "AttioError",
    "AuthenticationError",
    "BadRequestError",
    "BulkResult",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "RateBackendError",
    "RateBudget",
    "RateBudgetError",
    "RateLimitError",
    "assert_records",
    "budget_for",
    "classify",
    "clean_api_key",
    "run_bulk",
]
