"""The Braintree stand-in: its notifications arrive at the destination form-encoded, in
Braintree's shape, and the braintree SDK's own ``webhook_notification.parse`` accepts their
signature (and refuses it under other keys).

Sources: Braintree's webhook guides ("Parse": a POST with ``bt_signature`` and ``bt_payload``,
x-www-form-urlencoded; the Subscription notification kinds and what triggers each) and the
SDK's ``WebhookNotificationGateway.parse`` (the signature check) and ``XmlUtil`` (the XML).
"""

from __future__ import annotations

import base64
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app

from .receiver import Receiver

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import braintree  # type: ignore[import-untyped]
    from braintree.exceptions.invalid_signature_error import (  # type: ignore[import-untyped]
        InvalidSignatureError,
    )

MERCHANT, PUBLIC, PRIVATE = "merchant-7", "public-7", "private-key-7f3a9c"
NOTIFY = "/_emulator/braintree/notifications"


def gateway(public: str = PUBLIC, private: str = PRIVATE) -> Any:
    return braintree.BraintreeGateway(
        braintree.Configuration(
            braintree.Environment.Sandbox,
            merchant_id=MERCHANT,
            public_key=public,
            private_key=private,
        )
    )


@contextmanager
def emulator(
    destination: str | None = None, database: Path | None = None
) -> Iterator[tuple[TestClient, Any]]:
    """An in-process emulator whose Braintree stand-in has the test's keys and destination."""
    config = EmulatorConfig(
        read_rate=0,
        write_rate=0,
        database=str(database) if database else None,
        braintree_merchant_id=MERCHANT,
        braintree_public_key=PUBLIC,
        braintree_private_key=PRIVATE,
        braintree_webhook_url=destination,
    )
    app = create_app(config)
    try:
        with TestClient(app, base_url="http://emulator.test") as http:
            yield http, app
    finally:
        app.state.deliveries.close()
        if app.state.persistence is not None:
            app.state.persistence.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got = Receiver()
    try:
        yield got
    finally:
        got.close()


def sent(receiver: Receiver, app: Any) -> list[dict[str, str]]:
    """The form fields of every notification the destination received."""
    assert app.state.deliveries.wait_idle(20)
    out = []
    for request in receiver.received():
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        fields = parse_qs(request.body.decode("ascii"), strict_parsing=True)
        assert set(fields) == {"bt_signature", "bt_payload"}
        out.append({name: values[0] for name, values in fields.items()})
    return out


def test_a_failed_charge_arrives_signed_and_the_sdk_parses_it(receiver: Receiver) -> None:
    with emulator(receiver.url) as (http, app):
        answer = http.post(
            NOTIFY,
            json={
                "kind": "subscription_charged_unsuccessfully",
                "subscription_id": "juniper-growth",
            },
        )
        assert answer.status_code == 200, answer.text
        [fields] = sent(receiver, app)
    assert answer.json()["destination"] == receiver.url
    kept = answer.json()["subscription"]
    assert (kept["status"], kept["failure_count"]) == ("Past Due", 1)

    # bt_payload is base64 of the XML, in lines as Braintree's encoder writes them.
    xml = base64.b64decode(fields["bt_payload"]).decode()
    assert "<kind>subscription_charged_unsuccessfully</kind>" in xml
    assert all(len(line) <= 76 for line in fields["bt_payload"].splitlines())
    public, _, digest = fields["bt_signature"].partition("|")
    assert public == PUBLIC and len(digest) == 40

    notification = gateway().webhook_notification.parse(
        fields["bt_signature"], fields["bt_payload"]
    )
    assert notification.kind == braintree.WebhookNotification.Kind.SubscriptionChargedUnsuccessfully
    sub = notification.subscription
    assert (sub.id, sub.plan_id, str(sub.price), sub.status) == (
        "juniper-growth",
        "growth-monthly",
        "499.00",
        "Past Due",
    )
    latest, first = sub.transactions  # newest first: the declined charge, the seeded one
    assert (latest.status, str(latest.amount), latest.processor_response_code) == (
        "processor_declined",
        "499.00",
        "2001",
    )
    assert latest.id == kept["transactions"][0]["id"] and first.status == "settled"
    assert latest.customer_details.email == "sofia.martinez@juniperpay.finance"
    assert latest.customer_details.id == "juniper-pay"

    for public_key, private_key in ((PUBLIC, "another-private-key"), ("another-public", PRIVATE)):
        with pytest.raises(InvalidSignatureError):
            gateway(public_key, private_key).webhook_notification.parse(
                fields["bt_signature"], fields["bt_payload"]
            )


def test_each_kind_moves_the_subscription_as_braintree_does(receiver: Receiver) -> None:
    new = {
        "subscription_id": "sub_9",
        "customer_id": "cus_7",
        "email": "pay@acme.com",
        "plan_id": "pro-monthly",
        "price": "49.99",
    }
    with emulator(receiver.url) as (http, app):
        refused = http.post(
            NOTIFY, json={"kind": "subscription_went_active", "subscription_id": "sub_9"}
        )
        assert refused.status_code == 400
        assert refused.json()["error"] == (
            "subscription 'sub_9' is new: give its customer_id, plan_id and price"
        )
        steps = [
            ({"kind": "subscription_charged_successfully", **new}, "Active", 1),
            (
                {"kind": "subscription_charged_unsuccessfully", "subscription_id": "sub_9"},
                "Past Due",
                2,
            ),
            ({"kind": "subscription_went_past_due", "subscription_id": "sub_9"}, "Past Due", 2),
            (
                {
                    "kind": "subscription_charged_successfully",
                    "subscription_id": "sub_9",
                    "price": 59,
                },
                "Active",
                3,
            ),
            ({"kind": "subscription_canceled", "subscription_id": "sub_9"}, "Canceled", 3),
        ]
        for body, status, transactions in steps:
            kept = http.post(NOTIFY, json=body).json()["subscription"]
            assert (kept["status"], len(kept["transactions"])) == (status, transactions), body
        view = http.get("/_emulator/braintree").json()
        delivered = sent(receiver, app)
    assert view["merchant_id"] == MERCHANT
    [sub] = [s for s in view["subscriptions"] if s["id"] == "sub_9"]
    assert (sub["price"], sub["failure_count"]) == ("59.00", 0)  # a success clears the failures
    assert {"id": "cus_7", "email": "pay@acme.com", "company": None} in view["customers"]
    parsed = [
        gateway().webhook_notification.parse(f["bt_signature"], f["bt_payload"]) for f in delivered
    ]
    assert [n.kind for n in parsed] == [body["kind"] for body, _, _ in steps]
    assert [n.subscription.status for n in parsed] == [status for _, status, _ in steps]
    assert parsed[-1].subscription.transactions[0].customer_details.email == "pay@acme.com"


def test_a_check_notification_and_no_destination() -> None:
    with emulator() as (http, app):
        answer = http.post(NOTIFY, json={"kind": "check"})
        assert app.state.deliveries.wait_idle(5)
        assert app.state.deliveries.render_deliveries() == []  # nowhere to send it
    assert answer.json() == {"kind": "check", "subscription": None, "destination": None}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"kind": "refund_failed", "subscription_id": "s"}, '"kind" must be one of subscription_'),
        ({"kind": "subscription_canceled"}, '"subscription_id" is required'),
        ({"kind": "subscription_canceled", "subscription_id": "a b"}, "must be a Braintree id"),
        (
            {"kind": "subscription_canceled", "subscription_id": "juniper-growth", "price": "x"},
            '"price" must be an amount',
        ),
        (
            {"kind": "subscription_canceled", "subscription_id": "juniper-growth", "price": -1},
            '"price" must be an amount',
        ),
        (
            {"kind": "subscription_canceled", "subscription_id": "juniper-growth", "email": "no"},
            '"email" must be an email',
        ),
        ([1], "the body must be a JSON object"),
    ],
)
def test_bad_bodies_are_refused_and_change_nothing(body: Any, error: str) -> None:
    with emulator() as (http, _):
        before = http.get("/_emulator/braintree").json()
        answer = http.post(NOTIFY, json=body)
        assert answer.status_code == 400 and error in answer.json()["error"], answer.json()
        assert http.get("/_emulator/braintree").json() == before


def test_notifications_are_kept_with_the_database_and_a_reset_starts_over(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    with emulator(database=db) as (http, _):
        for kind in ("subscription_charged_unsuccessfully", "subscription_charged_successfully"):
            http.post(NOTIFY, json={"kind": kind, "subscription_id": "juniper-growth"})
        http.post(
            NOTIFY, json={"kind": "subscription_went_active", "subscription_id": "x"}
        )  # refused
        before = http.get("/_emulator/braintree").json()
    with emulator(database=db) as (http, _):
        after = http.get("/_emulator/braintree").json()
        assert http.post("/_emulator/reset").status_code == 200
        fresh = http.get("/_emulator/braintree").json()
    assert after == before  # the same transactions, with the same ids
    [sub] = before["subscriptions"]
    assert [t["status"] for t in sub["transactions"]] == [
        "submitted_for_settlement",
        "processor_declined",
        "settled",
    ]
    [seeded] = fresh["subscriptions"]
    assert [t["id"] for t in seeded["transactions"]] == ["seedtx01"]


def test_the_private_key_is_never_shown(receiver: Receiver) -> None:
    with emulator(receiver.url) as (http, app):
        shown = [
            http.post(
                NOTIFY, json={"kind": "subscription_expired", "subscription_id": "juniper-growth"}
            ).text,
            http.post(NOTIFY, json={"kind": "nope"}).text,
            http.get("/_emulator/braintree").text,
            http.get("/_emulator/deliveries").text,
            repr(app.state.config),
        ]
        assert len(sent(receiver, app)) == 1
        shown += [request.body.decode() for request in receiver.received()]
    assert not any(PRIVATE in text for text in shown)
