"""Connectors to the other systems a workflow or a sync touches: Slack, Google Drive, and the
CRMs HubSpot, Salesforce and Zoho.

Each connector wraps the system's own library (``slack_sdk``; ``google-auth`` for Drive's REST
API v3; ``hubspot-api-client``; ``simple-salesforce``; httpx for Zoho's REST API) behind a few
operations, and turns every failure into one error::

    ConnectorError            .system ("slack" | "google_drive" | "hubspot" | "salesforce" |
    (an AttioError)           "zoho"), .code (the system's error code, or "connection",
                              "not_configured", "unexpected_response", "read_only" ...), .status
                              (HTTP), .retryable (no answer, rate limit, 5xx: True), .retry_after
                              (seconds the system asked to wait, when it said)

A ``ConnectorError`` message names what failed and how to fix it; it never holds a token.
``channel_name`` refuses a name without a letter or digit with ``InvalidInputError``.

The CRM connectors implement ``CrmConnector`` (``crm``), the protocol the sync engine codes
against, with the shared types ``ExternalRecord``, ``Page`` and ``FieldChange``; each has
``from_env()``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._errors import ConnectorError
from .crm import CrmConnector, ExternalRecord, FieldChange, Page

if TYPE_CHECKING:
    from .drive import DriveConnector, DriveFolder
    from .hubspot import HubSpotConnector
    from .salesforce import SalesforceConnector
    from .slack import SlackChannel, SlackConnector, channel_name
    from .zoho import ZohoConnector

# The CRM SDKs take about a second to import (simple-salesforce pulls in zeep), Drive's
# google-auth and requests about 0.2-0.4 s, slack_sdk less: each loaded on first use, so that
# what imports this package (the service, for its handlers) pays only for what it calls.
_LAZY = {
    "DriveConnector": ".drive",
    "DriveFolder": ".drive",
    "SlackChannel": ".slack",
    "SlackConnector": ".slack",
    "channel_name": ".slack",
    "HubSpotConnector": ".hubspot",
    "SalesforceConnector": ".salesforce",
    "ZohoConnector": ".zoho",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


__all__ = [
    "ConnectorError",
    "CrmConnector",
    "DriveConnector",
    "DriveFolder",
    "ExternalRecord",
    "FieldChange",
    "HubSpotConnector",
    "Page",
    "SalesforceConnector",
    "SlackChannel",
    "SlackConnector",
    "ZohoConnector",
    "channel_name",
]
