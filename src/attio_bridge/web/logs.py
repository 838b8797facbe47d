"""The service's structured logs (structlog): one line per event, JSON or for a console, no secrets.

``configure_logging`` sets structlog up once per process (a later call only adds secrets to hide
and may change the format). ``Redactor`` is the processor that keeps secrets out: a value whose
key is named like a secret (``api_key``, ``secret``, ``token``, ``password``, ``authorization``,
``cookie``, ``signature``) is replaced whole, and any configured secret value (a tenant's API key,
a webhook secret) is cut out of every string, the message included, wherever it appears.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterable, MutableMapping
from typing import Any, TextIO

import structlog

from ..errors import ConfigurationError

__all__ = ["LEVELS", "REDACTED", "Redactor", "configure_logging", "get_logger", "redactor"]

REDACTED = "[redacted]"
_SECRET_KEY = re.compile(r"api[_-]?key|secret|token|passw(or)?d|authori[sz]ation|cookie|signature")
_MIN_SECRET = 4  # a shorter "secret" would blank out ordinary words


class Redactor:
    """A structlog processor (and a plain text scrubber) that hides secrets."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Hide these values too from now on."""
        with self._lock:
            known = set(self._secrets) | {s for s in secrets if s and len(s) >= _MIN_SECRET}
            # Longest first: a secret that contains another is cut whole.
            self._secrets = tuple(sorted(known, key=len, reverse=True))

    def scrub(self, text: str) -> str:
        """``text`` with every configured secret replaced."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def _clean(self, key: str, value: Any) -> Any:
        if _SECRET_KEY.search(key.lower()) and value not in (None, "", REDACTED):
            return REDACTED
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, MutableMapping):
            return {str(k): self._clean(str(k), v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._clean("", v) for v in value]
        if isinstance(value, int | float | bool) or value is None:
            return value
        return self.scrub(repr(value))

    def __call__(self, logger: Any, method: str, event_dict: MutableMapping[str, Any]) -> Any:
        for key in list(event_dict):
            event_dict[key] = self._clean(key if key != "event" else "", event_dict[key])
        return event_dict


redactor = Redactor()
"""The process's one redactor: ``configure_logging`` installs it; add secrets as they are known."""

_lock = threading.Lock()


LEVELS = ("debug", "info", "warning", "error")


def configure_logging(
    *,
    json: bool = True,
    level: str = "info",
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> None:
    """Set structlog up: JSON lines (``json``) or console lines on ``stream`` (stderr) from
    ``level`` up, every line through the redactor, which hides ``secrets`` from now on."""
    if level.lower() not in LEVELS:
        raise ConfigurationError(f"log level {level!r} is not one of {', '.join(LEVELS)}")
    redactor.add(secrets)
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    with _lock:
        structlog.configure(
            processors=[
                structlog.contextvars.merge_contextvars,
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                structlog.processors.format_exc_info,
                redactor,
                renderer,
            ],
            wrapper_class=structlog.make_filtering_bound_logger(
                logging.getLevelNamesMapping()[level.upper()]
            ),
            logger_factory=structlog.PrintLoggerFactory(stream or sys.stderr),
            cache_logger_on_first_use=False,
        )


def get_logger(name: str) -> Any:
    """A structlog logger bound to ``component=name``, following the configuration of the moment
    it logs (not of the moment it was made: modules make theirs at import)."""
    return structlog.get_logger(component=name)
