"""The client's errors: one tree rooted at ``AttioError``.

    AttioError                          (attio_bridge.errors: the root of every error we raise)
    ├── ConfigurationError              missing API key, bad base URL, bad option
    ├── APIConnectionError              the request did not get an HTTP answer
    │   └── APITimeoutError             ... because it timed out
    ├── RateBudgetError                 the proactive rate budget could not be had in time
    ├── RateBackendError                the rate budget's shared store (Redis) cannot be reached
    └── AttioAPIError                   Attio answered with an error body
        ├── BadRequestError             400 (validation_type, missing_value, value_not_found, ...)
        ├── AuthenticationError         401
        ├── PermissionDeniedError       403
        ├── NotFoundError               404 (also an ``errors.MissingError``)
        ├── ConflictError               409 (slug_conflict)
        ├── RateLimitError              429 (after the retries ran out)
        └── InternalServerError         5xx

``AttioAPIError`` carries ``status_code``, ``type``, ``code``, ``message`` and the raw ``body``;
``make_status_error()`` picks the subclass (as openai's ``_make_status_error`` does).
``retryable`` is True for connection failures, an unavailable rate budget or its backend, 408,
429 and 5xx.
"""

from __future__ import annotations

from typing import Any

from ..errors import AttioError, ConfigurationError, MissingError
from ._scopes import named_scope, scope_for

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AttioAPIError",
    "AttioError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateBackendError",
    "RateBudgetError",
    "RateLimitError",
    "make_status_error",
]


class APIConnectionError(AttioError):
    """No HTTP answer was received. ``request_sent`` is False when surely nothing reached Attio."""

    retryable = True

    def __init__(self, message: str, *, request_sent: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class RateBudgetError(AttioError):
    """A rate budget permit could not be acquired within the allowed wait."""

    retryable = True


class RateBackendError(AttioError):
    """The store a rate budget is shared through (``rate_limit_backend``: Redis) cannot be
    reached or failed; nothing was sent to Attio. The message names the backend (never its
    password)."""

    retryable = True


class AttioAPIError(AttioError):
    """Attio answered with an error: ``{status_code, type, code, message}``."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        type: str | None = None,
        code: str | None = None,
        body: Any = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.type = type
        self.code = code
        self.body = body
        self.method = method
        self.path = path

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        """Whether the same request may succeed later: a timeout, a rate limit, a server error."""
        return self.status_code in (408, 429) or self.status_code >= 500

    def __str__(self) -> str:
        where = f" ({self.method} {self.path})" if self.method else ""
        code = f" {self.code}" if self.code else ""
        return f"{self.status_code}{code}: {self.message}{where}"


class BadRequestError(AttioAPIError):
    """400: the request was malformed or its values invalid."""


class AuthenticationError(AttioAPIError):
    """401: the API key is missing, wrong or revoked."""


class PermissionDeniedError(AttioAPIError):
    """403: the key lacks a scope, or the plan lacks the feature.

    ``missing_scope`` is the scope the refused request needed, when the refusal is about scopes
    (code ``unauthorized``): the one Attio's message names, else the one the request's path
    needs (``_scopes.scope_for``); the message names it, and how to see the key's scopes.
    """

    def __init__(self, message: str, **fields: Any) -> None:
        self.missing_scope: str | None = None
        if fields.get("code") == "unauthorized":
            method, path = fields.get("method"), fields.get("path")
            self.missing_scope = named_scope(message) or (
                scope_for(method, path) if method and path else None
            )
            if self.missing_scope and self.missing_scope not in message:
                message = (
                    f"{message.rstrip()} The API key lacks the scope {self.missing_scope!r} "
                    "this request needs (`attio-bridge self` lists the key's scopes)."
                )
        super().__init__(message, **fields)


class NotFoundError(AttioAPIError, MissingError):
    """404: the object, list, record or other resource does not exist."""


class ConflictError(AttioAPIError):
    """409: a slug or title is already taken."""


class RateLimitError(AttioAPIError):
    """429: over Attio's rate limit, and the retries ran out."""


class InternalServerError(AttioAPIError):
    """5xx: Attio failed; the retries ran out."""


_BY_STATUS: dict[int, type[AttioAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def make_status_error(
    status_code: int, body: Any, *, method: str | None = None, path: str | None = None
) -> AttioAPIError:
    """The error for an Attio error response, of the subclass its status names."""
    cls = _BY_STATUS.get(status_code)
    if cls is None:
        cls = InternalServerError if status_code >= 500 else AttioAPIError
    if isinstance(body, dict):
        message = str(body.get("message") or f"HTTP {status_code}")
        type_ = body.get("type")
        code = body.get("code")
    else:
        message = f"HTTP {status_code}: {str(body)[:200]}" if body else f"HTTP {status_code}"
        type_ = code = None
    return cls(
        message,
        status_code=status_code,
        type=type_,
        code=code,
        body=body,
        method=method,
        path=path,
    )
