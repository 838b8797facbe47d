"""Connectors to the other systems a workflow touches: Slack and Google Drive for now.

Each connector wraps the system's own library (``slack_sdk``; ``google-auth`` for Drive's REST
API v3) behind a few idempotent operations, and turns every failure into one error::

    ConnectorError            .system ("slack" | "google_drive"), .code (the system's error code,
    (an AttioError)           or "connection", "not_configured", "unexpected_response"), .status
                              (HTTP), .retryable (no answer, rate limit, 5xx: True)

A ``ConnectorError`` message names what failed and how to fix it; it never holds a token.
``channel_name`` refuses a name without a letter or digit with ``InvalidInputError``.
"""

from __future__ import annotations

from ._errors import ConnectorError
from .drive import DriveConnector, DriveFolder
from .slack import SlackChannel, SlackConnector, channel_name

__all__ = [
    "ConnectorError",
    "DriveConnector",
    "DriveFolder",
    "SlackChannel",
    "SlackConnector",
    "channel_name",
]
