"""Braintree's webhook notifications from the stand-in: made, signed and sent to
``EmulatorConfig.braintree_webhook_url`` through the emulator's delivery worker.

Shapes follow Braintree's webhook guides ("Parse"; the Subscription notification kinds): a POST
whose form-encoded body has two fields, ``bt_payload``, the notification's XML in base64 (with
the line breaks Braintree's encoder puts every 76 characters), and ``bt_signature``,
``public_key|hex HMAC-SHA1 of bt_payload`` keyed with the SHA-1 digest of the private key, as
the SDKs' ``webhook_notification.parse`` checks it. The XML is ``<notification>`` with
``<timestamp type="datetime">``, ``<kind>`` and ``<subject>``, holding a ``<subscription>`` as
Braintree's API renders one (dashed names, typed values, its transactions newest first, each
naming its customer); a ``check`` holds ``<check type="boolean">true</check>``.

The emulator shares no code with the library, nor the SDK: this is its own signing function,
and the tests check its output with the SDK. The private key signs and is sent nowhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from .model import Customer, Notification, Subscription, Transaction

if TYPE_CHECKING:
    from ...state import EmulatorState

Value = str | int | bool | Decimal | datetime | None


def sign(public_key: str, private_key: str, payload: bytes) -> str:
    """Braintree's ``bt_signature`` of one ``bt_payload``."""
    key = hashlib.sha1(private_key.encode()).digest()
    return f"{public_key}|{hmac.new(key, payload, hashlib.sha1).hexdigest()}"


def _element(name: str, value: Value) -> str:
    """One XML element as Braintree types it (``type="decimal"``, ``nil="true"`` ...)."""
    if value is None:
        return f'<{name} nil="true"/>'
    if isinstance(value, bool):
        return f'<{name} type="boolean">{str(value).lower()}</{name}>'
    if isinstance(value, int):
        return f'<{name} type="integer">{value}</{name}>'
    if isinstance(value, Decimal):
        return f'<{name} type="decimal">{value:.2f}</{name}>'
    if isinstance(value, datetime):
        return f'<{name} type="datetime">{value:%Y-%m-%dT%H:%M:%SZ}</{name}>'
    return f"<{name}>{escape(value)}</{name}>"


def _elements(values: dict[str, Value]) -> str:
    return "".join(_element(name, value) for name, value in values.items())


def _customer(customer: Customer | None, customer_id: str) -> str:
    found = customer or Customer(customer_id)
    fields = _elements(
        {
            "id": found.id,
            "first-name": found.first_name,
            "last-name": found.last_name,
            "company": found.company,
            "email": found.email,
        }
    )
    return f"<customer>{fields}</customer>"


def _transaction(
    tx: Transaction, sub: Subscription, customer: Customer | None, merchant: str
) -> str:
    code, text = tx.response
    fields = _elements(
        {
            "id": tx.id,
            "status": tx.status,
            "type": "sale",
            "currency-iso-code": "USD",
            "amount": tx.amount,
            "merchant-account-id": merchant,
            "subscription-id": sub.id,
            "plan-id": sub.plan_id,
            "recurring": True,
            "processor-response-code": code,
            "processor-response-text": text,
            "created-at": tx.created,
            "updated-at": tx.created,
        }
    )
    return f"<transaction>{fields}{_customer(customer, sub.customer_id)}</transaction>"


def _subscription(sub: Subscription, customer: Customer | None, merchant: str) -> str:
    fields = _elements(
        {
            "id": sub.id,
            "plan-id": sub.plan_id,
            "price": sub.price,
            "status": sub.status,
            "balance": Decimal("0.00"),
            "failure-count": sub.failure_count,
            "merchant-account-id": merchant,
            "never-expires": True,
            "next-bill-amount": sub.price,
            "created-at": sub.created,
            "updated-at": sub.updated,
        }
    )
    transactions = "".join(_transaction(tx, sub, customer, merchant) for tx in sub.transactions)
    return (
        f'<subscription>{fields}<add-ons type="array"></add-ons>'
        f'<discounts type="array"></discounts>'
        f'<transactions type="array">{transactions}</transactions></subscription>'
    )


def notification_xml(notification: Notification, merchant: str) -> bytes:
    """The notification's XML, as ``bt_payload`` carries it once decoded."""
    if notification.subscription is None:
        subject = '<check type="boolean">true</check>'
    else:
        subject = _subscription(notification.subscription, notification.customer, merchant)
    stamp = _element("timestamp", notification.timestamp)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<notification>{stamp}<kind>{escape(notification.kind)}</kind>"
        f"<subject>{subject}</subject></notification>\n"
    )
    return xml.encode()


def form_fields(state: EmulatorState, notification: Notification) -> dict[str, str]:
    """``bt_signature`` and ``bt_payload`` of one notification, signed with the configured keys."""
    config = state.config
    payload = base64.encodebytes(notification_xml(notification, config.braintree_merchant_id))
    signature = sign(config.braintree_public_key, config.braintree_private_key, payload)
    return {"bt_signature": signature, "bt_payload": payload.decode("ascii")}


def send_notification(state: EmulatorState, notification: Notification) -> None:
    """Queue the signed notification for the configured destination, when one is set."""
    url = state.config.braintree_webhook_url
    if url:
        body = urlencode(form_fields(state, notification)).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        state.deliveries.send("braintree", notification.kind, url, body, headers)
