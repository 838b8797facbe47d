"""The Braintree stand-in: a merchant's customers and subscriptions (``model``) and its signed
webhook notifications (``notifications``), set off by a control call (``routes``), as
``BRAINTREE``.

Configure it like Braintree's Control Panel: ``EmulatorConfig.braintree_webhook_url`` is the
webhook destination; ``braintree_merchant_id``, ``braintree_public_key`` and
``braintree_private_key`` are the gateway keys the notifications are signed with (give the
receiver the same ones). Then ``POST /_emulator/braintree/notifications`` with ``{"kind":
"subscription_charged_unsuccessfully", "subscription_id": "juniper-growth"}`` sends one
(``notify(state, Change(...))`` from code).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base import StandIn
from .model import KINDS, BraintreeModel, Change, Notification
from .routes import NAME, braintree_routes, notify, replay

if TYPE_CHECKING:
    from ...state import EmulatorConfig

__all__ = [
    "BRAINTREE",
    "KINDS",
    "BraintreeModel",
    "Change",
    "Notification",
    "notify",
]


def _model(config: EmulatorConfig) -> BraintreeModel:
    return BraintreeModel(config.braintree_merchant_id)


BRAINTREE: StandIn[BraintreeModel] = StandIn(NAME, _model, braintree_routes, replay)
