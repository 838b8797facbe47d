"""Stand-ins for the other systems the workflows call, and their registry, ``STANDINS``.

Each system is one folder here, laid out like the Attio emulator (and moto): a model that holds
state and knows no HTTP, routes that parse, call and serialise in the system's own shapes, and
one ``StandIn`` entry (``base``) naming them. ``STANDINS`` below is the one place they are
registered; reset, persistence (``--database``) and injected failures
(``/_emulator/standins/fail``) reach every registered stand-in through it (see ``base``), so a
new system is a new folder and one line here. ``EmulatorConfig.standins`` defaults to
``STANDINS``; a test (or a user) may pass a longer tuple to add a stand-in of its own.

Registered, in the order their models are made (a replayed reset depends on it):

- ``slack``: Slack's Web API at ``/slack/api/{method}`` (``auth.test``,
  ``conversations.create|list|info|archive``).
- ``google``: Google's OAuth token endpoint for service accounts, ``POST /google/oauth2/token``.
- ``drive``: Drive API v3 files at ``/drive/v3/files[/{fileId}]``; accepts the tokens ``google``
  issued, so it needs ``google`` registered too.
- ``hubspot``: HubSpot's CRM API v3, ``/crm/v3/objects/{contacts|companies|deals}[/search|/{id}]``
  and ``/crm/v3/properties/{object}``.
- ``salesforce``: Salesforce's REST API, ``/services/data/v59.0/sobjects/...`` and ``/query``.
- ``zoho``: Zoho CRM's Services module, ``/crm/v7/Services[/deleted|/{id}]``, and its
  notifications of writes to ``EmulatorConfig.zoho_notify_url``.
- ``braintree``: a merchant's subscriptions; ``POST /_emulator/braintree/notifications`` sends
  Braintree's signed webhook notification to ``EmulatorConfig.braintree_webhook_url``.

The CRM stand-ins share their record store and request frame (``_crm``).

Tokens: every stand-in accepts the emulator's Attio API keys (``EmulatorConfig.api_keys``, so
``EmulatorProcess(api_key=...)`` serves all the systems with one key); Slack also
``EmulatorConfig.slack_tokens``, Drive ``EmulatorConfig.google_tokens`` and every token issued.
Any other token is refused as the real service refuses it.
"""

from __future__ import annotations

from typing import Any

from .base import Failure, StandIn, Standins, http_errors, standin_routes
from .braintree import BRAINTREE
from .drive import DRIVE
from .google import GOOGLE
from .hubspot import HUBSPOT
from .salesforce import SALESFORCE
from .slack import SLACK
from .zoho import ZOHO

STANDINS: tuple[StandIn[Any], ...] = (SLACK, GOOGLE, DRIVE, HUBSPOT, SALESFORCE, ZOHO, BRAINTREE)

__all__ = [
    "BRAINTREE",
    "DRIVE",
    "GOOGLE",
    "HUBSPOT",
    "SALESFORCE",
    "SLACK",
    "STANDINS",
    "ZOHO",
    "Failure",
    "StandIn",
    "Standins",
    "http_errors",
    "standin_routes",
]
