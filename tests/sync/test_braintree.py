"""Braintree into Attio: notifications made and signed with the braintree SDK, through the real
``Receiver`` and ``EventProcessor`` to the handlers of ``attio_bridge.sync.handlers``, against
the in-process emulator."""

from __future__ import annotations

import base64
import warnings
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

import pytest

import attio_bridge.sync.handlers  # noqa: F401  (registers the handlers)
from attio_bridge.client import AsyncAttioClient
from attio_bridge.services import AsyncServices
from attio_bridge.state import open_store
from attio_bridge.sync.handlers import ensure_billing_attributes
from attio_bridge.webhooks import (
    BraintreeKeys,
    Event,
    EventProcessor,
    HandlerContext,
    InboundRequest,
    Receiver,
    Tenant,
    Tenants,
    router,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import braintree  # type: ignore[import-untyped]
    from braintree.util.crypto import Crypto  # type: ignore[import-untyped]

pytestmark = pytest.mark.anyio
KEYS = BraintreeKeys(environment="sandbox", merchant_id="m", public_key="pub", private_key="priv")
Kind = braintree.WebhookNotification.Kind


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def sample(kind: str, ident: str = "sub_42") -> dict[str, str]:
    """A notification the SDK makes (no customer in it)."""
    gateway = braintree.BraintreeGateway(
        braintree.Configuration(
            braintree.Environment.Sandbox, merchant_id="m", public_key="pub", private_key="priv"
        )
    )
    made = gateway.webhook_testing.sample_notification(kind, ident)
    payload = made["bt_payload"]
    return {
        "bt_signature": made["bt_signature"],
        "bt_payload": payload.decode() if isinstance(payload, bytes) else payload,
    }


def with_customer(
    kind: str, status: str, *, customer: str = "cus_7", email: str = "pay@acme.com"
) -> dict[str, str]:
    """A notification shaped as Braintree sends one for a real subscription (plan, price, the
    transaction's customer), signed as the SDK signs."""
    xml = f"""<notification>
<timestamp type="datetime">2026-12-07T02:00:00Z</timestamp><kind>{kind}</kind>
<subject><subscription><id>sub_9</id><plan-id>pro-monthly</plan-id><price>49.99</price>
<status>Active</status><transactions type="array"><transaction><id>tx_1</id>
<status>{status}</status><amount>49.99</amount>
<customer><id>{customer}</id><email>{email}</email></customer></transaction></transactions>
<add-ons type="array"></add-ons><discounts type="array"></discounts></subscription></subject>
</notification>"""
    payload = base64.encodebytes(xml.encode())
    signature = f"pub|{Crypto.sha1_hmac_hash('priv', payload)}"
    return {"bt_signature": signature, "bt_payload": payload.decode()}


class Stored:
    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, events: Sequence[Event]) -> list[bool]:
        self.events.extend(events)
        return [True] * len(events)


async def deliver(
    fields: dict[str, str], services: AsyncServices, tmp_path: Path, times: int = 1
) -> list[dict[str, object]]:
    """Through the receiver (verified by the SDK), then the processor, ``times`` over."""
    stored = Stored()
    receiver = Receiver(Tenants([Tenant(braintree=KEYS)]), stored)
    body = urlencode(fields).encode()
    headers = {"content-type": "application/x-www-form-urlencoded"}
    reply = await receiver.dispatch(
        InboundRequest("braintree", None, "POST", "https://h/webhooks/braintree", headers, body)
    )
    assert reply.status == 200, reply.body
    effects = []
    with open_store(f"sqlite:///{tmp_path / 'state.sqlite3'}") as store:
        context = HandlerContext.build(Tenant(braintree=KEYS), services, store)
        processor = EventProcessor(router, lambda workspace: context)
        for _ in range(times):
            for event in stored.events:
                effects.append(await processor(event.to_payload()))
    return effects


async def company(client: AsyncAttioClient, domain: str) -> dict[str, object]:
    [rec] = await client.records.query("companies", filter={"domains": domain})
    return {
        k: (v[0].get("value") if v else None)
        for k, v in rec.values.items()
        if k.startswith(("subscription", "braintree"))
    }


async def test_a_charge_updates_the_customers_company_found_by_email_domain(
    attio_async_client: AsyncAttioClient, tmp_path: Path
) -> None:
    services = AsyncServices(attio_async_client)
    await services.companies.upsert("acme.com", "Acme")
    await deliver(
        with_customer(Kind.SubscriptionChargedSuccessfully, "submitted_for_settlement"),
        services,
        tmp_path,
    )
    assert await company(attio_async_client, "acme.com") == {
        "braintree_customer_id": "cus_7",
        "braintree_subscription_id": "sub_9",
        "subscription_status": "Active",
        "subscription_plan": "pro-monthly",
        "subscription_revenue": 49.99,
    }
    # Next time the customer id finds it, whatever the email says.
    await deliver(
        with_customer(Kind.SubscriptionCanceled, "settled", email="x@elsewhere.io"),
        services,
        tmp_path,
    )
    assert (await company(attio_async_client, "acme.com"))["subscription_status"] == "Canceled"


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (Kind.SubscriptionWentPastDue, "Past Due"),
        (Kind.SubscriptionExpired, "Expired"),
        (Kind.SubscriptionWentActive, "Active"),
    ],
)
async def test_sdk_samples_find_the_company_by_subscription_id(
    attio_async_client: AsyncAttioClient, tmp_path: Path, kind: str, status: str
) -> None:
    services = AsyncServices(attio_async_client)
    probe = HandlerContext.build(
        Tenant(), services, open_store(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    )
    assert len(await ensure_billing_attributes(probe)) == 5
    assert await ensure_billing_attributes(probe) == []  # idempotent
    acme = await services.companies.upsert("acme.com", "Acme")
    await services.records.update(
        "companies", acme.record_id, {"braintree_subscription_id": "sub_42"}
    )
    await deliver(sample(kind), services, tmp_path)
    assert (await company(attio_async_client, "acme.com"))["subscription_status"] == status
    [other] = await deliver(sample(kind, "sub_unknown"), services, tmp_path)
    assert any(e.get("action") == "no company" for e in other["effects"])  # type: ignore[union-attr]


async def test_a_failed_charge_adds_one_note_and_one_task_however_often_it_runs(
    attio_async_client: AsyncAttioClient, tmp_path: Path
) -> None:
    services = AsyncServices(attio_async_client)
    acme = await services.companies.upsert("acme.com", "Acme")
    await deliver(
        with_customer(Kind.SubscriptionChargedUnsuccessfully, "failed"), services, tmp_path, times=2
    )
    assert (await company(attio_async_client, "acme.com"))["subscription_status"] == "Past Due"
    notes = await attio_async_client.notes.list(
        parent_object="companies", parent_record_id=acme.record_id
    )
    assert [n.title for n in notes] == ["Payment failed"]
    tasks = [
        t for t in await attio_async_client.tasks.list() if "failed payment" in t.content_plaintext
    ]
    assert len(tasks) == 1 and "49.99" in tasks[0].content_plaintext


async def test_the_failed_charge_task_goes_to_the_companys_owner(
    attio_async_client: AsyncAttioClient, tmp_path: Path
) -> None:
    services = AsyncServices(attio_async_client)
    owner = {
        "title": "Owner",
        "description": "Account owner",
        "api_slug": "owner",
        "type": "actor-reference",
        "is_required": False,
        "is_unique": False,
        "is_multiselect": False,
        "config": {},
    }
    await attio_async_client.attributes.create("objects", "companies", owner)
    [member, *_] = await attio_async_client.workspace_members.list()
    acme = await services.companies.upsert("acme.com", "Acme")
    ref = [
        {
            "referenced_actor_type": "workspace-member",
            "referenced_actor_id": member.id["workspace_member_id"],
        }
    ]
    await attio_async_client.records.update("companies", acme.record_id, {"owner": ref})
    fields = with_customer(Kind.SubscriptionChargedUnsuccessfully, "failed")
    await deliver(fields, services, tmp_path)
    [task] = [
        t for t in await attio_async_client.tasks.list() if "failed payment" in t.content_plaintext
    ]
    assert [a["referenced_actor_id"] for a in task.assignees] == [member.id["workspace_member_id"]]
