"""The client's sans-I/O core: configuration, request classification, response decoding, retries.

``BaseClient`` holds everything ``AsyncAttioClient`` and ``AttioClient`` share and does no I/O,
so the two cannot drift apart: the async client is written once (``_async/``) and the sync one
is generated from it (``scripts/gen_sync.py``; a test checks the generated copy is current).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass, replace
from typing import Any, Self
from urllib.parse import urlsplit

import orjson

from ..errors import ConfigurationError
from ._exceptions import APIConnectionError, APITimeoutError, AttioAPIError, make_status_error
from ._http import RawResponse
from ._rate import DEFAULT_READ_RATE, DEFAULT_WRITE_RATE, RateBudget, budget_for
from ._retry import retry_delay, should_retry
from ._scores import QueryScoreBudget, Ticket, is_scored, score_budget_for
from ._types import NOT_GIVEN, NotGiven

DEFAULT_BASE_URL = "https://api.attio.com"
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 5
# A request that timed out is tried again at most this many times, whatever ``max_retries``
# says: a server that let the whole timeout pass without answering rarely answers the next
# time, and each try costs the whole timeout (six tries of a minute each, otherwise).
MAX_TIMEOUT_RETRIES = 1
log = logging.getLogger("attio_bridge.client")

# POST endpoints that only read: they count against the read budget and are safe to retry.
_READ_POSTS = ("/records/query", "/entries/query", "/objects/records/search", "/v2/sql")


@dataclass(frozen=True, slots=True)
class Operation:
    """How one request is treated: which budget it spends and whether it may be repeated."""

    method: str
    path: str
    write: bool
    idempotent: bool


def classify(method: str, path: str) -> Operation:
    """Reads are GETs and query/search POSTs; GET, PUT, DELETE and reads are idempotent."""
    method = method.upper()
    reading = method == "GET" or (method == "POST" and path.endswith(_READ_POSTS))
    idempotent = reading or method in ("PUT", "DELETE")
    return Operation(method, path, write=not reading, idempotent=idempotent)


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """Every setting of a client; ``with_options()`` copies it with some changed."""

    api_key: str
    base_url: str
    timeout: float
    max_retries: int
    read_rate: int
    write_rate: int
    rate_limit_backend: Any
    transport: Any
    query_score_budget: float = 0.0


def _api_root(url: str) -> str:
    """The base URL without a trailing slash or ``/v2``: paths already start with ``/v2``.

    Attio's docs give ``https://api.attio.com/v2`` as the base URL, so both spellings are taken.
    """
    url = url.strip().rstrip("/")
    if url.endswith("/v2"):
        url = url[: -len("/v2")].rstrip("/")
    return url


def clean_api_key(key: str, source: str = "api_key") -> str:
    """``key`` without the whitespace around it (a key pasted with a newline or a space);
    ``ConfigurationError`` naming ``source`` (where the key came from, never the key) when
    what is left holds whitespace or a character no HTTP header carries, which Attio would
    only ever refuse."""
    cleaned = key.strip()
    if any(c.isspace() or not (c.isascii() and c.isprintable()) for c in cleaned):
        raise ConfigurationError(
            f"The API key from {source} has a space or another character no API key holds "
            "inside it: copy the key again."
        )
    return cleaned


class RetryLater:
    """``BaseClient._decide`` says: wait ``delay`` seconds and try again."""

    __slots__ = ("delay",)

    def __init__(self, delay: float) -> None:
        self.delay = delay


async def async_sleep(seconds: float) -> None:
    """Sleep in the async client (``sleep`` in the generated sync one)."""
    await asyncio.sleep(seconds)


def sleep(seconds: float) -> None:
    """Sleep in the sync client."""
    time.sleep(seconds)


class BaseClient:
    """Configuration and every decision that needs no I/O."""

    def __init__(
        self,
        *,
        api_key: str | NotGiven | None = NOT_GIVEN,
        base_url: str | NotGiven | None = NOT_GIVEN,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        read_rate: int = DEFAULT_READ_RATE,
        write_rate: int = DEFAULT_WRITE_RATE,
        rate_limit_backend: Any = None,
        transport: Any = None,
        query_score_budget: float = 0.0,
    ) -> None:
        given = isinstance(api_key, str)
        key = api_key if isinstance(api_key, str) else os.environ.get("ATTIO_API_KEY")
        if key:
            key = clean_api_key(key, "api_key" if given else "ATTIO_API_KEY")
        if not key:
            raise ConfigurationError(
                "No Attio API key: pass api_key=... or set the ATTIO_API_KEY environment variable."
            )
        url = base_url if isinstance(base_url, str) else os.environ.get("ATTIO_BASE_URL")
        url = _api_root(url or DEFAULT_BASE_URL)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigurationError(
                f"base_url must be an http(s) URL such as {DEFAULT_BASE_URL}, not {url!r}."
            )
        if max_retries < 0:
            raise ConfigurationError("max_retries must be 0 or more.")
        self._options = ClientOptions(
            api_key=key,
            base_url=url,
            timeout=timeout,
            max_retries=max_retries,
            read_rate=read_rate,
            write_rate=write_rate,
            rate_limit_backend=rate_limit_backend,
            transport=transport,
            query_score_budget=query_score_budget,
        )
        self._budget: RateBudget | None = (
            budget_for(key, read_rate, write_rate, rate_limit_backend)
            if read_rate > 0 or write_rate > 0
            else None
        )
        # Score-based limits on queries (_scores.py): off unless a budget is given.
        self._scores: QueryScoreBudget | None = (
            score_budget_for(key, query_score_budget) if query_score_budget > 0 else None
        )

    def __repr__(self) -> str:
        # Never the key.
        return f"{type(self).__name__}(base_url={self._options.base_url!r})"

    @property
    def base_url(self) -> str:
        """The API's base URL (without ``/v2``)."""
        return self._options.base_url

    @property
    def max_retries(self) -> int:
        """How many times a failed request is retried."""
        return self._options.max_retries

    @property
    def budget(self) -> RateBudget | None:
        """The shared rate budget this client paces itself with (None when disabled)."""
        return self._budget

    @property
    def score_budget(self) -> QueryScoreBudget | None:
        """The query score window this client paces record and entry queries by (None: off)."""
        return self._scores

    def _score_ticket(self, op: Operation, body: Any) -> tuple[float, Ticket | None]:
        """Seconds to wait before sending a scored query (and its ticket), by the query score
        budget; (0, None) for any other request or without a budget."""
        if self._scores is None or not is_scored(op.method, op.path):
            return 0.0, None
        return self._scores.reserve(op.path, body)

    def _score_settle(self, ticket: Ticket | None, raw: RawResponse) -> None:
        """Count a sent query as the score its answer reports, when it reports one."""
        if ticket is not None and self._scores is not None:
            self._scores.settle(ticket, raw.headers)

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self._options.api_key}",
            "Accept": "application/json",
            "User-Agent": "attio-bridge/0.1",
        }

    def _copy_options(self, **changes: Any) -> dict[str, Any]:
        unknown = set(changes) - set(ClientOptions.__slots__)
        if unknown:
            raise ConfigurationError(f"Unknown client options: {', '.join(sorted(unknown))}.")
        opts = replace(self._options, **changes)
        return {name: getattr(opts, name) for name in ClientOptions.__slots__}

    def _decide(self, op: Operation, raw: RawResponse, attempt: int) -> Any:
        """The decoded body of a success, a ``RetryLater``, or raise the API error. A redirect
        (a file download's signed URL) decodes to ``{"location": url}``."""
        if 300 <= raw.status_code < 400 and "location" in raw.headers:
            return {"location": raw.headers["location"]}
        if 200 <= raw.status_code < 300:
            if raw.status_code == 204 or not raw.content:
                return None
            try:
                return orjson.loads(raw.content)
            except orjson.JSONDecodeError:
                # A success whose body is cut off or not JSON: the answer was lost on the way,
                # as when the connection drops mid-body, and is retried (or not) the same way.
                lost = APIConnectionError(
                    f"Attio's {raw.status_code} answer to {op.method} {op.path} was not "
                    "complete JSON.",
                    request_sent=True,
                )
                return self._decide_failure(op, lost, attempt)
        try:
            body: Any = orjson.loads(raw.content) if raw.content else None
        except orjson.JSONDecodeError:
            body = raw.content.decode("utf-8", "replace")
        error = make_status_error(raw.status_code, body, method=op.method, path=op.path)
        retry = attempt < self._options.max_retries and should_retry(
            status_code=raw.status_code, idempotent=op.idempotent, request_sent=True
        )
        delay = retry_delay(attempt + 1, raw.headers)
        if raw.status_code == 429 and self._budget is not None:
            # Every request on the budget waits as long as this one will.
            self._budget.pause(delay)
        if not retry:
            raise error
        self._log_retry(op, attempt, delay, f"HTTP {raw.status_code} {error.code or ''}".strip())
        return RetryLater(delay)

    def _decide_failure(self, op: Operation, exc: APIConnectionError, attempt: int) -> RetryLater:
        """Retry a connection failure when safe, else raise it; a timeout only on the first
        ``MAX_TIMEOUT_RETRIES`` attempts."""
        timeouts_spent = isinstance(exc, APITimeoutError) and attempt >= MAX_TIMEOUT_RETRIES
        retry = (
            attempt < self._options.max_retries
            and not timeouts_spent
            and should_retry(
                status_code=None, idempotent=op.idempotent, request_sent=exc.request_sent
            )
        )
        if not retry:
            raise exc
        delay = retry_delay(attempt + 1)
        self._log_retry(op, attempt, delay, type(exc).__name__)
        return RetryLater(delay)

    @staticmethod
    def _log_retry(op: Operation, attempt: int, delay: float, why: str) -> None:
        log.warning(
            "retrying %s %s after %s (retry %d, waiting %.2fs)",
            op.method,
            op.path,
            why,
            attempt + 1,
            delay,
        )

    def _with_options(self, **changes: Any) -> dict[str, Any]:
        return self._copy_options(**changes)

    def _self_type(self) -> type[Self]:
        return type(self)


__all__ = [
    "AttioAPIError",
    "BaseClient",
    "ClientOptions",
    "Operation",
    "RetryLater",
    "async_sleep",
    "classify",
    "clean_api_key",
    "sleep",
]
