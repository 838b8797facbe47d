"""Webhooks in: signature checks per sender, events, the receiver core and the handlers.

``events.Event`` is one verified event; ``tenants`` the workspaces a deployment serves. The
receiver verifies and parses a delivery and hands its events to the durable queue
(``attio_bridge.jobs``) before answering; handlers registered by event type act on them.
"""

from __future__ import annotations

from .events import JOB_KIND, Event, event_identity
from .tenants import DEFAULT_TENANT, BraintreeKeys, Tenant, Tenants, UnknownTenantError

__all__ = [
    "DEFAULT_TENANT",
    "JOB_KIND",
    "BraintreeKeys",
    "Event",
    "Tenant",
    "Tenants",
    "UnknownTenantError",
    "event_identity",
]
