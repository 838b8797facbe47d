"""The Braintree stand-in's routes: a control call that makes a notification, and a view.

The bridge calls none of Braintree's API (it only receives its webhooks), so the stand-in has
no API routes: what sets a notification off in Braintree (a billing run, a cancel in the Control
Panel) is a control call here, beside the emulator's own (no token, loopback use):

- ``POST /_emulator/braintree/notifications`` with ``{kind, subscription_id, customer_id?,
  email?, plan_id?, price?}``: applies the kind to the subscription (``model.BraintreeModel.
  notify``; a new subscription needs its customer, plan and price), sends the signed
  notification to ``EmulatorConfig.braintree_webhook_url`` when one is set, and answers
  ``{kind, subscription, destination}`` (the subscription as kept now; None for ``kind:
  "check"``, which needs no subscription). A bad body is ``400 {"error"}``.
- ``GET /_emulator/braintree``: the merchant's customers and subscriptions.

Kept with ``--database``: each notification's change (replayed without sending). Injected
failures (``/_emulator/standins/fail``) have nothing to fail: no route is an API call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...http import json_response
from ...persistence import logged_write
from .model import BraintreeModel, Change, Notification
from .notifications import send_notification

if TYPE_CHECKING:
    from ...state import EmulatorState

NAME = "braintree"
PREFIX = "/_emulator/braintree"


def replay(model: BraintreeModel, params: dict[str, Any]) -> None:
    """Apply a logged notification's change again (``--database``); nothing is sent."""
    model.notify(Change.parse(params))


def notify(state: EmulatorState, change: Change) -> Notification:
    """Apply ``change`` to the live model (logged, ``--database``) and send its notification
    when a destination is set: what the control call does, for code that has the state."""
    model = state.standins.model(NAME, BraintreeModel)
    made: Notification = logged_write(state, NAME, change.as_params(), lambda: model.notify(change))
    send_notification(state, made)
    return made


def braintree_routes(state: EmulatorState) -> list[BaseRoute]:
    """The control routes acting on the live ``BraintreeModel``."""

    def model() -> BraintreeModel:
        return state.standins.model(NAME, BraintreeModel)

    async def view(request: Request) -> Response:
        return json_response(model().render())

    async def send(request: Request) -> Response:
        try:
            made = notify(state, Change.parse(orjson.loads(await request.body() or b"{}")))
        except orjson.JSONDecodeError as exc:
            return json_response({"error": f"the body is not valid JSON: {exc}"}, 400)
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        sub = made.subscription
        kept = [s for s in model().render()["subscriptions"] if sub and s["id"] == sub.id]
        return json_response(
            {
                "kind": made.kind,
                "subscription": kept[0] if kept else None,
                "destination": state.config.braintree_webhook_url,
            }
        )

    return [
        Route(PREFIX, view, methods=["GET"]),
        Route(f"{PREFIX}/notifications", send, methods=["POST"]),
    ]
