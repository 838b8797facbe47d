"""Zoho CRM's notifications from the stand-in: each insert, update and delete of a service, sent
to ``EmulatorConfig.zoho_notify_url`` through the emulator's delivery worker.

Shapes follow Zoho CRM's Notifications API (v7): a channel subscribed to ``Services.all``
receives a JSON body ``{"server_time", "query_params", "module", "resource_uri", "ids",
"affected_fields", "operation", "channel_id", "token"}`` with ``operation`` ``insert``,
``update`` or ``delete``; ``token`` is the one the channel was enabled with, sent back for the
receiver to check (Zoho signs nothing). The emulator shares no code with the library.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import orjson

from .model import MODULE

if TYPE_CHECKING:
    from ...state import EmulatorState
    from .._crm import CrmRecord

CHANNEL_ID = 1000000068001
OPERATIONS = {"create": "insert", "update": "update", "delete": "delete"}


def notification(op: str, record: CrmRecord, fields: dict[str, Any], token: str) -> dict[str, Any]:
    """The body Zoho sends for one write (``op``: create, update or delete)."""
    return {
        "server_time": int(time.time() * 1000),
        "query_params": {},
        "module": MODULE,
        "resource_uri": f"https://www.zohoapis.com/crm/v7/{MODULE}",
        "ids": [record.id],
        "affected_fields": [{record.id: sorted(fields)}] if op == "update" else [],
        "operation": OPERATIONS[op],
        "channel_id": CHANNEL_ID,
        "token": token,
    }


def send_notification(
    state: EmulatorState, op: str, record: CrmRecord, fields: dict[str, Any]
) -> None:
    """Queue the notification of one write, when a notify URL is configured."""
    url = state.config.zoho_notify_url
    if not url:
        return
    body = notification(op, record, fields, state.config.zoho_notify_token)
    headers = {"Content-Type": "application/json"}
    event_type = f"{MODULE}.{body['operation']}"
    state.deliveries.send("zoho", event_type, url, orjson.dumps(body), headers)
