"""``EventProcessor``: the job queue's processor for ``JOB_KIND`` (one stored event).

``await EventProcessor(router, context_for)(payload)`` rebuilds the ``Event`` the receiver
stored, finds its tenant's ``HandlerContext`` (``context_for(workspace)``) and runs every
handler the router has for its type, in order. The result, shown on the events page, is
``{"handlers": [names], "effects": [effect, ...]}``; a type with no handler succeeds with the
effect ``no handler``. An event caused by one of the tenant's ``ignore_actor_ids`` (stored
before that actor was added) is skipped. A handler's error propagates: the queue retries it when
it is retryable (or not an ``AttioError``) and dead-letters it otherwise, and because handlers
are idempotent the retry runs every handler of the event again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import InvalidInputError
from .events import Event
from .handlers import HandlerContext, Router, handler_name

__all__ = ["EventProcessor"]


class EventProcessor:
    """Runs the handlers of one stored event; a ``jobs`` ``Processor``."""

    def __init__(self, router: Router, context_for: Callable[[str], HandlerContext]) -> None:
        self.router = router
        self.context_for = context_for

    async def __call__(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Handle the event ``payload`` (``Event.to_payload()``); the effects."""
        try:
            event = Event.from_payload(payload)
        except (KeyError, TypeError, ValueError) as exc:
            # A stored event that cannot be read will not read better later: dead letter.
            raise InvalidInputError(
                f"a {type(exc).__name__} reading a stored webhook event: {exc}"
            ) from None
        ctx = self.context_for(event.workspace)
        actor = event.payload.get("actor")
        if isinstance(actor, dict) and actor.get("id") in ctx.tenant.ignore_actor_ids:
            return {"handlers": [], "effects": [{"action": "ignored: our own write"}]}
        handlers = self.router.handlers_for(event.type)
        if not handlers:
            return {"handlers": [], "effects": [{"action": "no handler", "type": event.type}]}
        effects: list[dict[str, Any]] = []
        for handler in handlers:
            effect = await handler(event, ctx)
            effects.append(dict(effect) if effect is not None else {"action": "done"})
        return {"handlers": [handler_name(h) for h in handlers], "effects": effects}
