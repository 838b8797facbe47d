"""Signature checks per sender: pure functions over the raw request, no I/O, no framework.

Each function returns quietly when the request is authentic and raises ``SignatureError``
otherwise, with a ``reason`` (``missing``, ``mismatch``, ``expired``, ``malformed``) and a
message naming what is wrong, never the secret:

- ``verify_attio``: ``Attio-Signature`` (or ``X-Attio-Signature``) is the lowercase hex
  HMAC-SHA256 of the raw body keyed with the webhook's secret; no timestamp (API-NOTES §7).
  Several secrets are tried, so a secret can be rotated without losing deliveries.
- ``verify_hubspot``: ``X-HubSpot-Signature-v3`` is base64(HMAC-SHA256(client secret,
  method + URI + body + timestamp)), ``X-HubSpot-Request-Timestamp`` in milliseconds, refused
  when older than ``window`` seconds; the URI with the characters HubSpot lists decoded.
- ``parse_braintree``: Braintree's own SDK checks ``bt_signature`` against ``bt_payload`` with
  the gateway keys and parses the notification.
- ``verify_zoho``: Zoho CRM sends back, in the notification body's ``token`` field, the token
  given when the channel was subscribed (``POST /crm/v*/actions/watch``).

Every comparison of a secret-derived value runs in constant time (``hmac.compare_digest``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import warnings
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson

from ..errors import InvalidInputError
from .tenants import BraintreeKeys

__all__ = [
    "SignatureError",
    "decode_hubspot_uri",
    "parse_braintree",
    "sign_attio",
    "sign_hubspot",
    "verify_attio",
    "verify_hubspot",
    "verify_zoho",
]

ATTIO_HEADERS = ("attio-signature", "x-attio-signature")
HUBSPOT_SIGNATURE = "x-hubspot-signature-v3"
HUBSPOT_TIMESTAMP = "x-hubspot-request-timestamp"
HUBSPOT_WINDOW = 300.0
_HEX_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


class SignatureError(InvalidInputError):
    """A delivery whose signature is missing, wrong, expired or unreadable: not from its sender.

    ``reason`` is one of ``missing``, ``mismatch``, ``expired``, ``malformed``; the message
    names the header or field at fault, never a secret.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """The header ``name`` (lowercase) whatever the case the mapping keeps it in."""
    value = headers.get(name)
    if value is None:
        for key, found in headers.items():
            if key.lower() == name:
                return found
    return value


# -- Attio -----------------------------------------------------------------------------------------
def sign_attio(secret: str, body: bytes) -> str:
    """Attio's signature of ``body``: lowercase hex HMAC-SHA256 keyed with ``secret``."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_attio(body: bytes, headers: Mapping[str, str], secrets: Sequence[str]) -> None:
    """Check ``Attio-Signature`` (or ``X-Attio-Signature``) against the raw ``body`` with each
    of ``secrets`` (several during a rotation); ``SignatureError`` unless one matches."""
    if not secrets:
        raise SignatureError("missing", "no Attio webhook secret is configured for this workspace")
    given = next((v for n in ATTIO_HEADERS if (v := _header(headers, n))), None)
    if not given:
        raise SignatureError(
            "missing", "the Attio-Signature (or X-Attio-Signature) header is missing"
        )
    given = given.strip()
    if not _HEX_SHA256.match(given):
        raise SignatureError(
            "malformed", "the Attio-Signature header is not a hex HMAC-SHA256 (64 hex digits)"
        )
    # Every secret is tried, so the time taken does not tell which one matched.
    matched = False
    for secret in secrets:
        matched |= hmac.compare_digest(sign_attio(secret, body), given.lower())
    if not matched:
        raise SignatureError(
            "mismatch",
            "the Attio-Signature does not match the body for any configured secret "
            "(a body changed on the way, or a secret that is not this webhook's)",
        )


# -- HubSpot ---------------------------------------------------------------------------------------
# The URL-encoded characters HubSpot's v3 signature has decoded in the request URI ("Validating
# requests", v3). Nothing else is decoded, so "%2B" or "%20" stay as they were sent.
_HUBSPOT_DECODED = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}
_HUBSPOT_ESCAPE = re.compile("|".join(_HUBSPOT_DECODED), re.IGNORECASE)


def decode_hubspot_uri(url: str) -> str:
    """``url`` as HubSpot's v3 signature reads it: the characters HubSpot lists decoded."""
    return _HUBSPOT_ESCAPE.sub(lambda m: _HUBSPOT_DECODED[m.group(0).upper()], url)


def sign_hubspot(*, method: str, url: str, body: bytes, timestamp: str, client_secret: str) -> str:
    """HubSpot's v3 signature: base64 HMAC-SHA256 of method + URI + body + timestamp."""
    source = method.upper().encode() + decode_hubspot_uri(url).encode() + body + timestamp.encode()
    digest = hmac.new(client_secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_hubspot(
    *,
    method: str,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    client_secret: str,
    now: float,
    window: float = HUBSPOT_WINDOW,
) -> None:
    """Check HubSpot's ``X-HubSpot-Signature-v3`` of a request to the public ``url`` (as
    HubSpot called it, scheme and query included) at Unix time ``now``; refused when
    ``X-HubSpot-Request-Timestamp`` is more than ``window`` seconds old (a replay)."""
    if not client_secret:
        raise SignatureError("missing", "no HubSpot client secret is configured for this workspace")
    signature = _header(headers, HUBSPOT_SIGNATURE)
    stamp = _header(headers, HUBSPOT_TIMESTAMP)
    if not signature:
        raise SignatureError("missing", "the X-HubSpot-Signature-v3 header is missing")
    if not stamp:
        raise SignatureError("missing", "the X-HubSpot-Request-Timestamp header is missing")
    stamp = stamp.strip()
    if not stamp.isdigit():
        raise SignatureError(
            "malformed", "X-HubSpot-Request-Timestamp is not a time in milliseconds"
        )
    age = now - int(stamp) / 1000.0
    if age > window:
        raise SignatureError(
            "expired",
            f"X-HubSpot-Request-Timestamp is {age:.0f} s old, older than the {window:.0f} s "
            "window: a replayed or long-delayed request",
        )
    expected = sign_hubspot(
        method=method, url=url, body=body, timestamp=stamp, client_secret=client_secret
    )
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise SignatureError(
            "mismatch",
            "the X-HubSpot-Signature-v3 does not match this request (method, public URL, body "
            "and timestamp) for the configured client secret",
        )


# -- Braintree -------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """A Braintree SDK value as JSON: datetimes as ISO text, decimals as strings."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def parse_braintree(*, signature: str, payload: str, keys: BraintreeKeys) -> dict[str, Any]:
    """The notification in ``bt_payload``, verified against ``bt_signature`` by Braintree's SDK
    with ``keys``: ``{"kind", "timestamp", "subject", "source_merchant_id"}`` as JSON."""
    with warnings.catch_warnings():
        # braintree 4.x warns (DeprecationWarning) while importing its own modules.
        warnings.simplefilter("ignore", DeprecationWarning)
        import braintree  # type: ignore[import-untyped]
        from braintree.exceptions.invalid_signature_error import (  # type: ignore[import-untyped]
            InvalidSignatureError,
        )

    if not signature:
        raise SignatureError("missing", "the bt_signature field is missing")
    if not payload:
        raise SignatureError("missing", "the bt_payload field is missing")
    try:
        environment = braintree.Environment.parse_environment(keys.environment)
    except Exception:
        raise SignatureError(
            "malformed",
            f"Braintree environment {keys.environment!r} is not one the SDK knows "
            "(sandbox, production, development, qa)",
        ) from None
    gateway = braintree.BraintreeGateway(
        braintree.Configuration(
            environment,
            merchant_id=keys.merchant_id,
            public_key=keys.public_key,
            private_key=keys.private_key,
        )
    )
    try:
        notification = gateway.webhook_notification.parse(signature, payload)
    except InvalidSignatureError as exc:
        # The SDK's messages name the public key or the payload, never the private key.
        reason = "malformed" if "illegal characters" in str(exc) else "mismatch"
        raise SignatureError(reason, f"the Braintree notification was refused: {exc}") from None
    except (ValueError, binascii.Error, KeyError) as exc:
        raise SignatureError(
            "malformed", f"bt_payload is not a Braintree notification ({type(exc).__name__})"
        ) from None
    subject = _plain(getattr(notification, "subject", {}) or {})
    _restore_customers(notification, subject)
    return {
        "kind": str(notification.kind),
        "timestamp": _plain(notification.timestamp),
        "subject": subject,
        "source_merchant_id": _plain(getattr(notification, "source_merchant_id", None)),
    }


def _restore_customers(notification: Any, subject: dict[str, Any]) -> None:
    """Put each transaction's ``customer`` back into ``subject``: the SDK moves it out of the
    parsed payload into ``Transaction.customer_details`` while building its objects, and the
    handlers need it to find the customer's company."""
    subscription = getattr(notification, "subscription", None)
    raw = subject.get("subscription")
    if subscription is None or not isinstance(raw, dict):
        return
    for tx, doc in zip(
        getattr(subscription, "transactions", None) or [],
        raw.get("transactions") or [],
        strict=False,
    ):
        details = getattr(tx, "customer_details", None)
        if details is None or not isinstance(doc, dict):
            continue
        customer = {
            k: getattr(details, k, None)
            for k in ("id", "email", "company", "first_name", "last_name")
        }
        doc["customer"] = _plain({k: v for k, v in customer.items() if v is not None})


# -- Zoho CRM --------------------------------------------------------------------------------------
def verify_zoho(*, body: bytes, token: str) -> dict[str, Any]:
    """Check the ``token`` Zoho CRM sends back in a notification's JSON body against the one
    the channel was subscribed with; the parsed notification when it matches."""
    if not token:
        raise SignatureError("missing", "no Zoho CRM notification token is configured")
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise SignatureError("malformed", "the Zoho CRM notification body is not JSON") from None
    if not isinstance(doc, dict):
        raise SignatureError("malformed", "the Zoho CRM notification body is not a JSON object")
    given = doc.get("token")
    if not isinstance(given, str) or not given:
        raise SignatureError("missing", "the Zoho CRM notification has no token field")
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise SignatureError(
            "mismatch", "the Zoho CRM notification token is not the channel's configured token"
        )
    return doc
