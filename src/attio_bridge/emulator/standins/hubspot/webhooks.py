"""HubSpot's webhooks from the stand-in: each create, property change and archive, signed (v3)
and sent to ``EmulatorConfig.hubspot_webhook_url`` through the emulator's delivery worker.

Shapes follow HubSpot's Webhooks API guide: the body is a JSON array of events ``{"eventId",
"subscriptionId", "portalId", "appId", "occurredAt", "subscriptionType", "attemptNumber",
"objectId", "changeSource", "propertyName"?, "propertyValue"?, "changeFlag"?}`` with
``subscriptionType`` ``contact.creation``, ``contact.propertyChange``, ``contact.deletion``
(``company.*``, ``deal.*`` alike); ``X-HubSpot-Signature-v3`` is the base64 HMAC-SHA256, keyed
with the app's client secret, of method + URL + body + ``X-HubSpot-Request-Timestamp`` (ms).
The emulator shares no code with the library: this is its own signing function.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import time
from typing import TYPE_CHECKING, Any

import orjson

from .model import HubSpotModel

if TYPE_CHECKING:
    from ...state import EmulatorState
    from .._crm import CrmRecord

APP_ID = 1160452
SUBSCRIPTION_ID = 2881778
SINGULAR = {"contacts": "contact", "companies": "company", "deals": "deal"}
_EVENT_IDS = itertools.count(100)


def sign_v3(secret: str, method: str, url: str, body: bytes, timestamp: str) -> str:
    """HubSpot's v3 signature of one request."""
    message = method.encode() + url.encode() + body + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def events_for(op: str, record: CrmRecord, properties: dict[str, Any]) -> list[dict[str, Any]]:
    """The events HubSpot sends for one write (``op``: create, update or archive)."""
    kind = SINGULAR[record.object]
    occurred = int(record.modified.timestamp() * 1000)
    base = {
        "subscriptionId": SUBSCRIPTION_ID,
        "portalId": HubSpotModel.portal_id,
        "appId": APP_ID,
        "occurredAt": occurred,
        "attemptNumber": 0,
        "objectId": int(record.id),
        "changeSource": "CRM",
    }
    if op == "create":
        return [
            {
                "eventId": next(_EVENT_IDS),
                **base,
                "subscriptionType": f"{kind}.creation",
                "changeFlag": "NEW",
            }
        ]
    if op == "archive":
        return [
            {
                "eventId": next(_EVENT_IDS),
                **base,
                "subscriptionType": f"{kind}.deletion",
                "changeFlag": "DELETED",
            }
        ]
    return [
        {
            "eventId": next(_EVENT_IDS),
            **base,
            "subscriptionType": f"{kind}.propertyChange",
            "propertyName": name,
            "propertyValue": "" if value is None else str(value),
        }
        for name, value in properties.items()
    ]


def send_webhook(
    state: EmulatorState, op: str, record: CrmRecord, properties: dict[str, Any]
) -> None:
    """Queue the signed webhook of one write, when a target URL is configured."""
    url = state.config.hubspot_webhook_url
    if not url:
        return
    events = events_for(op, record, properties)
    body = orjson.dumps(events)
    stamp = str(int(time.time() * 1000))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "HubSpot Connect 2.0 (http://dev.hubspot.com/)",
        "X-HubSpot-Request-Timestamp": stamp,
        "X-HubSpot-Signature-v3": sign_v3(
            state.config.hubspot_client_secret, "POST", url, body, stamp
        ),
    }
    state.deliveries.send("hubspot", events[0]["subscriptionType"], url, body, headers)
