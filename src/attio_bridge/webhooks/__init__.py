"""Webhooks in: signature checks per sender, events, the receiver core and the handlers.

``events.Event`` is one verified event; ``tenants`` the workspaces a deployment serves;
``verify`` the signature checks (pure functions over raw bytes); ``receiver.Receiver`` verifies
and parses a delivery (``dispatch(InboundRequest) -> Reply``) and hands its events to the
durable queue (``attio_bridge.jobs``) before answering; ``handlers`` registered by event type
(``@on("record.updated")``) act on them, run by ``processor.EventProcessor``, the queue's
processor; ``references`` keeps local pointers to records that merges rewrite; ``metrics`` the
receivers' Prometheus counters.
"""

from __future__ import annotations

from .events import JOB_KIND, Event, event_identity
from .handlers import (
    Coalescer,
    Handler,
    HandlerContext,
    Hook,
    Hooks,
    Router,
    load_handlers,
    on,
    router,
)
from .processor import EventProcessor
from .receiver import SOURCES, Headers, InboundRequest, Receiver, Reply, Submit
from .references import References
from .tenants import DEFAULT_TENANT, BraintreeKeys, Tenant, Tenants, UnknownTenantError
from .verify import (
    SignatureError,
    decode_hubspot_uri,
    parse_braintree,
    sign_attio,
    sign_hubspot,
    verify_attio,
    verify_hubspot,
    verify_zoho,
)

__all__ = [
    "DEFAULT_TENANT",
    "JOB_KIND",
    "SOURCES",
    "BraintreeKeys",
    "Coalescer",
    "Event",
    "EventProcessor",
    "Handler",
    "HandlerContext",
    "Headers",
    "Hook",
    "Hooks",
    "InboundRequest",
    "Receiver",
    "References",
    "Reply",
    "Router",
    "SignatureError",
    "Submit",
    "Tenant",
    "Tenants",
    "UnknownTenantError",
    "decode_hubspot_uri",
    "event_identity",
    "load_handlers",
    "on",
    "parse_braintree",
    "router",
    "sign_attio",
    "sign_hubspot",
    "verify_attio",
    "verify_hubspot",
    "verify_zoho",
]
