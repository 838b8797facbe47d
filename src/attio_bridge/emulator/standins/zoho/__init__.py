"""The Zoho stand-in: Zoho CRM's Services module (``model``) and REST API v7 (``routes``), as
``ZOHO``.

Point a ``ZohoConnector`` at ``http://HOST:PORT``. Writes kept with ``--database``: insert,
update and delete with their fields. Injected failures answer Zoho's error body with the rule's
status (a 429 with its rate-limit headers); ``error: "connection_dropped"`` cuts the answer off.
Rate limit (Zoho counts API credits per 24 hours and concurrent calls): requests per window in
``EmulatorConfig.crm_rate_limits["zoho"]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base import StandIn, http_errors
from .model import MODULE, ZohoModel
from .routes import NAME, replay, zoho_routes

if TYPE_CHECKING:
    from ...state import EmulatorConfig

__all__ = ["MODULE", "ZOHO", "ZohoModel"]


def _model(config: EmulatorConfig) -> ZohoModel:
    return ZohoModel(config.crm_rate_limits.get(NAME, (0, 60.0)))


ZOHO: StandIn[ZohoModel] = StandIn(
    NAME, _model, zoho_routes, replay, http_errors("INTERNAL_ERROR", "INVALID_DATA")
)
