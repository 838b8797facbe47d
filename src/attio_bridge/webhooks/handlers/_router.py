"""``Router``: handlers by event type, registered with a decorator (as bolt-python's listeners).

A pattern is an exact event type (``"record.updated"``), a family glob (``"object-attribute.*"``
matches every type starting with ``object-attribute.``) or ``"*"`` (every event). Several
handlers may take one type; they run in the order they were registered, exact patterns first.
``load_handlers(["my_module"])`` imports a user's module so its ``@on(...)`` handlers register
on the default ``router``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ...errors import ConfigurationError, InvalidInputError

if TYPE_CHECKING:
    from ..events import Event
    from .context import HandlerContext

__all__ = ["Handler", "Router", "load_handlers", "on", "router"]

Effect = Mapping[str, Any]
Handler = Callable[["Event", "HandlerContext"], Awaitable[Effect | None]]
"""``async def handler(event, ctx) -> effect | None``: the effect is shown on the events page."""

H = TypeVar("H", bound=Handler)

_PATTERN = re.compile(r"^(\*|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*)?)$")


def handler_name(handler: Handler) -> str:
    """``module.qualname`` of a handler, as the processor reports it."""
    module = getattr(handler, "__module__", None) or "?"
    return f"{module}.{getattr(handler, '__qualname__', repr(handler))}"


class Router:
    """Handlers by event type pattern."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, Handler]] = []

    def add(self, pattern: str, handler: Handler) -> None:
        """Register ``handler`` for ``pattern``; registering the same pair again does nothing
        (a module imported twice does not run its handlers twice)."""
        if not isinstance(pattern, str) or not _PATTERN.match(pattern):
            raise InvalidInputError(
                f"event pattern {pattern!r} is not an event type ('record.updated'), a family "
                "glob ('object-attribute.*') or '*'"
            )
        if not callable(handler):
            raise InvalidInputError(f"the handler for {pattern!r} is not callable")
        if (pattern, handler) not in self._routes:
            self._routes.append((pattern, handler))

    def remove(self, handler: Handler, pattern: str | None = None) -> int:
        """Unregister ``handler`` (from ``pattern`` only, when given), e.g. a default handler a
        deployment replaces with its own; how many registrations went."""
        before = len(self._routes)
        self._routes = [
            (p, h)
            for p, h in self._routes
            if not (h is handler and (pattern is None or p == pattern))
        ]
        return before - len(self._routes)

    def on(self, pattern: str) -> Callable[[H], H]:
        """Decorator: ``@router.on("record.updated")`` registers an ``async def h(event, ctx)``."""

        def register(handler: H) -> H:
            self.add(pattern, handler)
            return handler

        return register

    def handlers_for(self, event_type: str) -> list[Handler]:
        """The handlers of ``event_type``: exact patterns first, then globs, each in
        registration order, each handler once."""
        exact = [h for p, h in self._routes if p == event_type]
        globbed = [h for p, h in self._routes if p != event_type and _glob(p, event_type)]
        found: list[Handler] = []
        for h in exact + globbed:
            if h not in found:
                found.append(h)
        return found

    @property
    def patterns(self) -> list[tuple[str, str]]:
        """``(pattern, handler name)`` of every registration, for docs and the events page."""
        return [(p, handler_name(h)) for p, h in self._routes]


def _glob(pattern: str, event_type: str) -> bool:
    if pattern == "*":
        return True
    return pattern.endswith(".*") and event_type.startswith(pattern[:-1])


router = Router()
"""The default router: the default handlers and every ``@on(...)`` of a user's module."""

on = router.on


def load_handlers(modules: Sequence[str]) -> None:
    """Import each module (dotted name) so its ``@on(...)`` handlers register on ``router``."""
    for name in modules:
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError(f"a handler module is a dotted module name, not {name!r}")
        try:
            importlib.import_module(name.strip())
        except ModuleNotFoundError as exc:
            raise ConfigurationError(
                f"handler module {name!r} cannot be imported: {exc}. Give a module on the "
                "Python path (e.g. installed, or in the working directory)"
            ) from None
        except Exception as exc:
            raise ConfigurationError(
                f"handler module {name!r} failed while importing: {type(exc).__name__}: {exc}"
            ) from exc
