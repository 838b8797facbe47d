"""Braintree into Attio, offline end to end in-process: the emulator's Braintree stand-in sends
its signed notifications to a real local destination, whose bodies go through the service's
``Receiver`` (verified by the braintree SDK) and ``EventProcessor`` to the handlers, against
the same emulator's Attio."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from attio_bridge.client import AsyncAttioClient
from attio_bridge.emulator import EmulatorConfig
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.emulator.standins.braintree import Change, notify
from attio_bridge.services import AsyncServices
from tests.emulator.receiver import Receiver

from .test_braintree import KEYS, company, deliver

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def destination() -> Iterator[Receiver]:
    got = Receiver()
    try:
        yield got
    finally:
        got.close()


@pytest.fixture
def attio_emulator_config(
    attio_emulator_config: EmulatorConfig, destination: Receiver
) -> EmulatorConfig:
    """The plugin's settings, with the stand-in signing with the tenant's keys (``KEYS``) and
    sending to ``destination``."""
    return dataclasses.replace(
        attio_emulator_config,
        braintree_merchant_id=KEYS.merchant_id,
        braintree_public_key=KEYS.public_key,
        braintree_private_key=KEYS.private_key,
        braintree_webhook_url=destination.url,
    )


def received(destination: Receiver, emulator: EmulatorApp) -> list[dict[str, str]]:
    """The form fields of each notification the destination got so far."""
    assert emulator.state.deliveries.wait_idle(20)
    return [
        {name: values[0] for name, values in parse_qs(r.body.decode()).items()}
        for r in destination.received()
    ]


async def test_the_stand_ins_charge_then_failed_charge_reach_the_customers_company(
    attio_emulator: EmulatorApp,
    attio_async_client: AsyncAttioClient,
    destination: Receiver,
    tmp_path: Path,
) -> None:
    services = AsyncServices(attio_async_client)
    juniper = await services.companies.upsert("juniperpay.finance", "Juniper Pay")
    for kind in ("subscription_charged_successfully", "subscription_charged_unsuccessfully"):
        notify(attio_emulator.state, Change(kind, "juniper-growth"))
    charged, failed = received(destination, attio_emulator)

    [effect] = await deliver(charged, services, tmp_path)
    assert await company(attio_async_client, "juniperpay.finance") == {
        "braintree_customer_id": "juniper-pay",  # found by the customer's email domain
        "braintree_subscription_id": "juniper-growth",
        "subscription_status": "Active",
        "subscription_plan": "growth-monthly",
        "subscription_revenue": 499.0,
    }
    await deliver(failed, services, tmp_path, times=2)
    after = await company(attio_async_client, "juniperpay.finance")
    assert (after["subscription_status"], after["subscription_revenue"]) == ("Past Due", 499.0)
    notes = await attio_async_client.notes.list(
        parent_object="companies", parent_record_id=juniper.record_id
    )
    assert [n.title for n in notes] == ["Payment failed"]
    [task] = [
        t for t in await attio_async_client.tasks.list() if "failed payment" in t.content_plaintext
    ]
    assert "499.00" in task.content_plaintext and "juniper-growth" in task.content_plaintext
    assert [r["target_record_id"] for r in task.linked_records] == [juniper.record_id]
    assert effect["effects"] == [
        {"action": "subscription updated", "company": juniper.record_id, "status": "Active"}
    ]
