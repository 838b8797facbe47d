"""Handlers by event type, and the default ones.

``Router`` (``on(pattern)`` decorator), the default ``router`` and ``on = router.on``,
``load_handlers`` (import a user's module so its ``@on`` handlers register), ``HandlerContext``
and ``Hooks``. Importing this package registers the default handlers on ``router``: ``records``
(created: external sync hook; updated: invalidate and re-read, coalesced; deleted; merged:
rewrite references), ``lists`` (entries; created: stage automation hook), ``activity`` (notes,
tasks) and ``schema`` (attributes, lists). Every handler is idempotent: Attio delivers at least
once.
"""

from __future__ import annotations

# Imported for their effect: each registers its default handlers on ``router``.
from . import activity, lists, records, schema  # noqa: F401
from ._router import Handler, Router, handler_name, load_handlers, on, router
from .context import SHARED_COALESCER, Coalescer, HandlerContext, Hook, Hooks

__all__ = [
    "SHARED_COALESCER",
    "Coalescer",
    "Handler",
    "HandlerContext",
    "Hook",
    "Hooks",
    "Router",
    "handler_name",
    "load_handlers",
    "on",
    "router",
]
