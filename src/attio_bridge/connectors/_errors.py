"""``ConnectorError``: the one error every connector raises (re-exported by ``connectors``)."""

from __future__ import annotations

from ..errors import AttioError

# Codes saying the same call may work later: no answer, a rate limit, the system failing. Slack
# names them in ``{"ok": false, "error"}``; Google in the error body's ``reason``.
RETRYABLE_CODES = frozenset(
    {
        "connection",
        # Slack
        "ratelimited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        # Google
        "backendError",
        "internalError",
        "rateLimitExceeded",
        "userRateLimitExceeded",
        "transientError",
        # HubSpot (a 429's errorType), Salesforce (errorCode)
        "RATE_LIMIT",
        "REQUEST_LIMIT_EXCEEDED",
        "SERVER_UNAVAILABLE",
        "UNABLE_TO_LOCK_ROW",
    }
)


class ConnectorError(AttioError):
    """A call to another system failed; ``code`` is that system's error code (or ``connection``).

    ``system`` is ``"slack"``, ``"google_drive"``, ``"hubspot"``, ``"salesforce"`` or
    ``"zoho"``; ``status`` the HTTP status of the answer,
    when there was one. The message names what failed and how to fix it, and never holds a
    token. ``retryable`` is decided by the code and status: no answer (``connection``), a rate
    limit or a server error may pass; a refused token, a missing channel or folder, an invalid
    name or a connector not configured will not.
    """

    def __init__(
        self,
        system: str,
        code: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.system = system
        self.code = code
        self.status = status
        # Seconds the system asked us to wait before trying again (a 429's Retry-After or its
        # rate-limit window), when it said.
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        """Whether the same call may succeed later, unchanged."""
        status = self.status or 0
        return self.code in RETRYABLE_CODES or status == 429 or status >= 500

    def __repr__(self) -> str:
        return (
            f"ConnectorError(system={self.system!r}, code={self.code!r}, message={self.message!r})"
        )
