"""The receivers' Prometheus counters, on prometheus-client's default registry.

``source`` is one of the known senders (``attio``, ``hubspot``, ``braintree``, ``zoho``) or
``unknown``, never a value taken from the request, so a scan of made-up paths cannot grow the
number of series. ``reason`` is a fixed word (``signature_mismatch``, ``too_large`` ...).
"""

from __future__ import annotations

from prometheus_client import Counter

__all__ = ["IGNORED", "RECEIVED", "REDELIVERED", "REJECTED", "STORED"]

RECEIVED = Counter(
    "attio_bridge_webhooks_received",
    "Webhook deliveries received, by sender.",
    ["source"],
)
REJECTED = Counter(
    "attio_bridge_webhooks_rejected",
    "Webhook deliveries refused (nothing stored), by sender and reason.",
    ["source", "reason"],
)
STORED = Counter(
    "attio_bridge_webhooks_stored",
    "Events stored durably for processing, by sender.",
    ["source"],
)
REDELIVERED = Counter(
    "attio_bridge_webhooks_redelivered",
    "Events stored before (a redelivery or a duplicate): nothing new was started, by sender.",
    ["source"],
)
IGNORED = Counter(
    "attio_bridge_webhooks_ignored",
    "Events dropped before storing because our own token caused them, by sender.",
    ["source"],
)
