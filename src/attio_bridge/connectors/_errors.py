"""``ConnectorError``: the one error every connector raises (re-exported by ``connectors``)."""

from __future__ import annotations


class ConnectorError(Exception):
    """A call to another system failed; ``code`` is that system's error code (or ``connection``).

    ``system`` is ``"slack"`` or ``"google_drive"``; the message names what failed and how to fix
    it, and never holds a token.
    """

    def __init__(self, system: str, code: str, message: str) -> None:
        super().__init__(message)
        self.system = system
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return (
            f"ConnectorError(system={self.system!r}, code={self.code!r}, message={self.message!r})"
        )
