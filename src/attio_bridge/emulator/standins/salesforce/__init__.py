"""The Salesforce stand-in: Contact, Account, Opportunity and their field history (``model``)
and the REST API (``routes``), as ``SALESFORCE``.

Point ``simple_salesforce.Salesforce(instance_url=..., session_id=...)`` (or a
``SalesforceConnector``) at ``http://HOST:PORT``. Writes kept with ``--database``: create,
update and delete with their fields. Injected failures answer Salesforce's error list with the
rule's status and error code; ``error: "connection_dropped"`` cuts the answer off. Rate limit:
``EmulatorConfig.crm_rate_limits["salesforce"]`` (requests per window; Salesforce counts API
requests per 24 hours), answered 403 ``REQUEST_LIMIT_EXCEEDED``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base import StandIn, http_errors
from .model import SalesforceModel
from .routes import NAME, replay, salesforce_routes

if TYPE_CHECKING:
    from ...state import EmulatorConfig

__all__ = ["SALESFORCE", "SalesforceModel"]


def _model(config: EmulatorConfig) -> SalesforceModel:
    return SalesforceModel(config.crm_rate_limits.get(NAME, (0, 86400.0)))


SALESFORCE: StandIn[SalesforceModel] = StandIn(
    NAME, _model, salesforce_routes, replay, http_errors("UNKNOWN_EXCEPTION", "INVALID_FIELD")
)
