"""Fixtures of the webhooks tests: tenants with a secret for each sender, a receiver whose
``submit`` is an in-memory recorder (the seam the durable queue plugs into), and the anyio
backend."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from attio_bridge.webhooks import BraintreeKeys, Event, Receiver, Tenant, Tenants

with warnings.catch_warnings():
    # braintree 4.x warns (DeprecationWarning) while importing its own modules.
    warnings.simplefilter("ignore", DeprecationWarning)
    import braintree  # type: ignore[import-untyped]

ATTIO_SECRET = "a" * 64
ATTIO_NEXT_SECRET = "b" * 64
HUBSPOT_SECRET = "hubspot-client-secret"
ZOHO_TOKEN = "TOKEN_FOR_VERIFICATION_OF_1000000068001"
OUR_TOKEN_ID = "our-token-id"
BRAINTREE = BraintreeKeys(
    environment="sandbox", merchant_id="merchant", public_key="pub", private_key="priv"
)


__all__ = ["braintree", "braintree_sample"]


def braintree_sample(
    kind: str = braintree.WebhookNotification.Kind.SubscriptionWentPastDue,
) -> dict[str, str]:
    """The form fields of a notification the SDK makes, signed with ``BRAINTREE``'s keys."""
    gateway = braintree.BraintreeGateway(
        braintree.Configuration(
            braintree.Environment.Sandbox,
            merchant_id=BRAINTREE.merchant_id,
            public_key=BRAINTREE.public_key,
            private_key=BRAINTREE.private_key,
        )
    )
    made = gateway.webhook_testing.sample_notification(kind, "sub_42")
    payload = made["bt_payload"]
    return {
        "bt_signature": made["bt_signature"],
        "bt_payload": payload.decode() if isinstance(payload, bytes) else payload,
    }


@pytest.fixture
def anyio_backend() -> str:
    """asyncio only."""
    return "asyncio"


@dataclass
class Recorder:
    """A ``submit`` that keeps what it was given; ``fail`` makes it raise (a store down)."""

    stored: list[Event] = field(default_factory=list)
    fail: bool = False

    async def __call__(self, events: Sequence[Event]) -> list[bool]:
        if self.fail:
            raise ConnectionError("the database is not answering")
        known = {e.job_id for e in self.stored}
        fresh = []
        for event in events:
            fresh.append(event.job_id not in known)
            if event.job_id not in known:
                self.stored.append(event)
                known.add(event.job_id)
        return fresh


def tenant(name: str = "default") -> Tenant:
    """A tenant with a secret for every sender (Attio's mid-rotation: two)."""
    return Tenant(
        name=name,
        attio_secrets=(ATTIO_SECRET, ATTIO_NEXT_SECRET),
        hubspot_client_secret=HUBSPOT_SECRET,
        zoho_token=ZOHO_TOKEN,
        braintree=BRAINTREE,
        ignore_actor_ids=(OUR_TOKEN_ID,),
    )


@pytest.fixture
def recorder() -> Recorder:
    """The in-memory store."""
    return Recorder()


@pytest.fixture
def receiver(recorder: Recorder) -> Receiver:
    """A receiver for the tenants ``default`` and ``acme``, storing into ``recorder``."""
    return Receiver(Tenants([tenant(), tenant("acme")]), recorder, max_body=10_000)
