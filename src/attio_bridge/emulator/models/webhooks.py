"""Webhooks as state: validation of what Attio accepts, the stored shape, and filter matching.

A webhook lives in ``Workspace.webhooks`` as Attio's read shape plus its ``secret``; the secret
leaves the emulator only in the create response (API-NOTES §7, Gotcha 13). This module knows no
HTTP: ``routes/webhooks.py`` parses requests and calls it, ``delivery.py`` calls
``filter_matches()`` and ``wants()`` for each event the workspace emits.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..clock import new_id, new_secret, now_ts
from ..errors import ValidationTypeError

if TYPE_CHECKING:
    from ..workspace import Workspace

EVENT_TYPES: tuple[str, ...] = (
    "activity.created",
    "activity.updated",
    "activity.deleted",
    "activity-attribute.created",
    "activity-attribute.updated",
    "activity-record.created",
    "activity-record.deleted",
    "call-recording.created",
    "comment.created",
    "comment.resolved",
    "comment.unresolved",
    "comment.deleted",
    "list.created",
    "list.updated",
    "list.deleted",
    "list-attribute.created",
    "list-attribute.updated",
    "list-entry.created",
    "list-entry.updated",
    "list-entry.deleted",
    "object-attribute.created",
    "object-attribute.updated",
    "note.created",
    "note-content.updated",
    "note.updated",
    "note.deleted",
    "record.created",
    "record.merged",
    "record.updated",
    "record.deleted",
    "task.created",
    "task.updated",
    "task.deleted",
    "workspace-member.created",
)  # the 27 of the SPEC enum (API-NOTES §7); there is no task.completed or comment.updated
# and the activity families of the webhook reference (docs.attio.com/rest-api/webhook-reference/
# activity-events, activity-attribute-events, activity-record-events): no activity-record.updated

WEBHOOK_STATUSES = ("active", "degraded", "inactive")
RECEIVING_STATUSES = frozenset({"active", "degraded"})
FILTER_OPERATORS = ("equals", "not_equals")
FILTER_JOINS = ("$and", "$or")
_OP_KEYS = frozenset({"field", "operator", "value"})


def check_target_url(url: Any) -> str:
    """``url`` if Attio would accept it as a target: ``https://`` with a host.

    One documented difference from Attio, for local testing: a loopback host (``127.0.0.0/8``,
    ``::1`` or ``localhost``) may also use plain ``http://``, so tests and sandboxes can receive
    deliveries on a local port without a certificate. Attio itself accepts only HTTPS.
    """
    if not isinstance(url, str) or not url:
        raise ValidationTypeError('"target_url" must be a URL string starting with https://.')
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url
    if parts.scheme == "http" and _is_loopback(host):
        return url
    raise ValidationTypeError(
        f'"target_url" must start with https:// (got "{url}"). The emulator also accepts '
        "http:// for loopback hosts (127.0.0.1, ::1, localhost)."
    )


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_subscriptions(subs: Any) -> list[dict[str, Any]]:
    """Validated subscriptions ``[{event_type, filter}]``; each must carry a ``filter`` key."""
    if not isinstance(subs, list):
        raise ValidationTypeError('"subscriptions" must be an array of {event_type, filter}.')
    out: list[dict[str, Any]] = []
    for i, sub in enumerate(subs):
        where = f"subscriptions[{i}]"
        if not isinstance(sub, dict):
            raise ValidationTypeError(f'"{where}" must be an object {{event_type, filter}}.')
        event_type = sub.get("event_type")
        if event_type not in EVENT_TYPES:
            raise ValidationTypeError(
                f'"{where}.event_type" must be one of the documented event types '
                f"({', '.join(EVENT_TYPES)}), got {event_type!r}."
            )
        if "filter" not in sub:
            raise ValidationTypeError(
                f'"{where}.filter" is required; send "filter": null to receive every '
                f"{event_type} event."
            )
        out.append({"event_type": event_type, "filter": check_filter(sub["filter"], where)})
    return out


def check_filter(flt: Any, where: str = "subscription") -> dict[str, Any] | None:
    """A validated filter: ``null``, or ``{"$and"|"$or": [{field, operator, value}, ...]}``."""
    if flt is None:
        return None
    if not isinstance(flt, dict) or len(flt) != 1 or next(iter(flt)) not in FILTER_JOINS:
        raise ValidationTypeError(
            f'"{where}.filter" must be null or an object with exactly one key, "$and" or "$or".'
        )
    join, ops = next(iter(flt.items()))
    if not isinstance(ops, list):
        raise ValidationTypeError(f'"{where}.filter.{join}" must be an array of conditions.')
    for j, op in enumerate(ops):
        at = f"{where}.filter.{join}[{j}]"
        if not isinstance(op, dict) or set(op) != _OP_KEYS:
            raise ValidationTypeError(
                f'"{at}" must be an object with exactly "field", "operator" and "value".'
            )
        if not isinstance(op["field"], str) or not op["field"]:
            raise ValidationTypeError(f'"{at}.field" must be a dot path such as "id.list_id".')
        if op["operator"] not in FILTER_OPERATORS:
            raise ValidationTypeError(
                f'"{at}.operator" must be "equals" or "not_equals", got {op["operator"]!r}.'
            )
        if not isinstance(op["value"], str):
            raise ValidationTypeError(f'"{at}.value" must be a string.')
    return {join: [dict(op) for op in ops]}


def _lookup(event: Mapping[str, Any], path: str) -> Any:
    node: Any = event
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def filter_matches(flt: Mapping[str, Any] | None, event: Mapping[str, Any]) -> bool:
    """Whether ``event`` passes a subscription filter (``None`` passes everything).

    Each condition's ``field`` is a dot path into the event object, not the delivery envelope
    (API-NOTES §7). Values compare as strings; a missing or null field equals nothing.
    """
    if flt is None:
        return True
    join, ops = next(iter(flt.items()))
    results = (_condition(op, event) for op in ops)
    return all(results) if join == "$and" else any(results)


def _condition(op: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    actual = _lookup(event, str(op["field"]))
    equal = actual is not None and str(actual) == op["value"]
    return equal if op["operator"] == "equals" else not equal


def wants(hook: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """Whether webhook ``hook`` receives ``event``: it is active or degraded, and subscribed."""
    if hook["status"] not in RECEIVING_STATUSES:
        return False
    return any(
        sub["event_type"] == event["event_type"] and filter_matches(sub["filter"], event)
        for sub in hook["subscriptions"]
    )


def create_webhook(ws: Workspace, target_url: Any, subscriptions: Any) -> dict[str, Any]:
    """A new active webhook with a fresh 64-hex-character secret, stored in ``ws.webhooks``."""
    url = check_target_url(target_url)
    subs = check_subscriptions(subscriptions)
    webhook_id = new_id()
    hook: dict[str, Any] = {
        "id": {"workspace_id": ws.workspace_id, "webhook_id": webhook_id},
        "target_url": url,
        "subscriptions": subs,
        "status": "active",
        "created_at": now_ts(),
        "secret": new_secret(),
    }
    ws.webhooks[webhook_id] = hook
    return hook


def update_webhook(hook: dict[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """Change ``target_url`` and/or ``subscriptions``; all checks pass before anything changes."""
    if "target_url" not in data and "subscriptions" not in data:
        raise ValidationTypeError(
            'Nothing to update: send "target_url" and/or "subscriptions" in "data".'
        )
    changes: dict[str, Any] = {}
    if "target_url" in data:
        changes["target_url"] = check_target_url(data["target_url"])
    if "subscriptions" in data:
        changes["subscriptions"] = check_subscriptions(data["subscriptions"])
    hook.update(changes)
    return hook


def render_webhook(hook: Mapping[str, Any], *, with_secret: bool = False) -> dict[str, Any]:
    """Attio's webhook shape; ``secret`` only when asked (the create response)."""
    out = {
        "id": dict(hook["id"]),
        "target_url": hook["target_url"],
        "subscriptions": [dict(s) for s in hook["subscriptions"]],
        "status": hook["status"],
        "created_at": hook["created_at"],
    }
    if with_secret:
        out["secret"] = hook["secret"]
    return out
