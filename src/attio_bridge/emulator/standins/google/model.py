"""The Google stand-in's model: the access tokens its token endpoint issued (``GoogleAuth``)."""

from __future__ import annotations

from ...clock import new_secret


class GoogleAuth:
    """Access tokens issued to service accounts; no HTTP."""

    def __init__(self) -> None:
        self.issued: set[str] = set()

    def issue(self) -> str:
        """A new access token, shaped like Google's (``ya29.`` ...), from ``clock``'s secrets."""
        token = "ya29.emulator-" + new_secret()
        self.issued.add(token)
        return token
