"""Routes for webhooks: list, create, get, update, delete (API-NOTES §7).

Delivery of events to webhooks is ``delivery.py``'s job; these routes only manage the webhooks.
"""

from __future__ import annotations

from typing import Any

from ..errors import NotFoundError, ValidationTypeError
from ..http import Call, RouteTable
from ..models.webhooks import create_webhook, render_webhook, update_webhook

table = RouteTable()


def _get(call: Call) -> dict[str, Any]:
    webhook_id = call.path["webhook_id"]
    hook = call.ws.webhooks.get(webhook_id)
    if hook is None:
        # The SPEC's 404 example for the webhook endpoints words it this way.
        raise NotFoundError(f'Webhook with ID "{webhook_id}" was not found.')
    return hook


@table.route("GET", "/v2/webhooks")
async def list_webhooks(call: Call) -> Any:
    limit = call.query_int("limit", 10, 10, 100)
    offset = call.query_int("offset", 0, 0, None)
    hooks = list(call.ws.webhooks.values())[offset : offset + limit]
    return {"data": [render_webhook(h) for h in hooks]}


@table.route("POST", "/v2/webhooks")
async def create(call: Call) -> Any:
    data = await call.data()
    missing = [k for k in ("target_url", "subscriptions") if k not in data]
    if missing:
        raise ValidationTypeError(f"Missing required fields: {', '.join(missing)}.")
    hook = create_webhook(call.ws, data["target_url"], data["subscriptions"])
    return {"data": render_webhook(hook, with_secret=True)}


@table.route("GET", "/v2/webhooks/{webhook_id}")
async def get(call: Call) -> Any:
    return {"data": render_webhook(_get(call))}


@table.route("PATCH", "/v2/webhooks/{webhook_id}")
async def update(call: Call) -> Any:
    hook = _get(call)
    return {"data": render_webhook(update_webhook(hook, await call.data()))}


@table.route("DELETE", "/v2/webhooks/{webhook_id}")
async def delete(call: Call) -> Any:
    hook = _get(call)
    del call.ws.webhooks[hook["id"]["webhook_id"]]
    return {}
