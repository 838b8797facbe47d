"""The state store's errors: ``StateError`` and its ``LockTimeout``."""

from __future__ import annotations

from ..errors import AttioError

__all__ = ["LockTimeout", "StateError"]


class StateError(AttioError):
    """The state store failed: a database that cannot be reached or opened, a document that is
    not JSON, a damaged row. ``retryable`` is True when the same call may succeed later (a
    connection refused or dropped, a database busy past its timeout)."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class LockTimeout(StateError):
    """A lock held by another run (process, thread or machine) was not had in time."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)
