"""The HubSpot stand-in: contacts, companies and deals (``model``) and CRM API v3 (``routes``),
as ``HUBSPOT``.

Point ``hubspot.HubSpot(access_token=..., host=...)`` (or a ``HubSpotConnector``) at
``http://HOST:PORT``. Writes kept with ``--database``: create, update and archive with their
properties. Injected failures answer HubSpot's error body with the rule's status (a 429 with
its rate-limit headers); ``error: "connection_dropped"`` cuts the answer off. Rate limit:
``EmulatorConfig.crm_rate_limits["hubspot"]`` (HubSpot's private apps: 100 requests per 10 s).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base import StandIn, http_errors
from .model import HubSpotModel
from .routes import NAME, hubspot_routes, replay

if TYPE_CHECKING:
    from ...state import EmulatorConfig

__all__ = ["HUBSPOT", "HubSpotModel"]


def _model(config: EmulatorConfig) -> HubSpotModel:
    return HubSpotModel(config.crm_rate_limits.get(NAME, (0, 10.0)))


HUBSPOT: StandIn[HubSpotModel] = StandIn(
    NAME, _model, hubspot_routes, replay, http_errors("internal_error", "invalid")
)
