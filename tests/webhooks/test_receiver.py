"""The receiver core: what is refused (and that nothing is stored then), what is stored, and
the reply, with an in-memory ``submit`` standing for the durable queue."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import orjson
import pytest
from prometheus_client import REGISTRY

from attio_bridge.webhooks import InboundRequest, Receiver, Reply, sign_attio, sign_hubspot

from .conftest import (
    ATTIO_NEXT_SECRET,
    ATTIO_SECRET,
    HUBSPOT_SECRET,
    OUR_TOKEN_ID,
    ZOHO_TOKEN,
    Recorder,
    braintree,
    braintree_sample,
)

pytestmark = pytest.mark.anyio

WS = "0b4b2e39-0000-4000-8000-000000000001"
PEOPLE = "0b4b2e39-0000-4000-8000-0000000000aa"
DEALS_LIST = "0b4b2e39-0000-4000-8000-0000000000bb"


def attio_event(event_type: str = "record.updated", **ids: Any) -> dict[str, Any]:
    actor = ids.pop("actor", {"type": "workspace-member", "id": "member-1"})
    return {"event_type": event_type, "id": {"workspace_id": WS, **ids}, "actor": actor}


def attio_request(
    events: list[dict[str, Any]] | None = None,
    *,
    body: bytes | None = None,
    secret: str = ATTIO_SECRET,
    headers: dict[str, str] | None = None,
    workspace: str | None = None,
    key: str | None = "delivery-1",
) -> InboundRequest:
    if body is None:
        body = orjson.dumps({"webhook_id": "wh-1", "events": events or []})
    sent = {"Content-Type": "application/json", "Attio-Signature": sign_attio(secret, body)}
    if key is not None:
        sent["Idempotency-Key"] = key
    sent.update(headers or {})
    return InboundRequest("attio", workspace, "POST", "https://h.test/webhooks/attio", sent, body)


def counter(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def refused(receiver: Receiver, recorder: Recorder, request: InboundRequest) -> Reply:
    reply = await receiver.dispatch(request)
    assert reply.status >= 400
    assert recorder.stored == []
    return reply


# -- accepted --------------------------------------------------------------------------------------
async def test_every_event_of_a_delivery_is_stored_before_the_reply(
    receiver: Receiver, recorder: Recorder
) -> None:
    events = [
        attio_event("record.updated", object_id=PEOPLE, record_id="r1", attribute_id="a1"),
        attio_event("list-entry.created", list_id=DEALS_LIST, entry_id="e1"),
        attio_event("note.created", note_id="n1"),
    ]
    before = counter("attio_bridge_webhooks_stored_total", source="attio")
    received = counter("attio_bridge_webhooks_received_total", source="attio")
    reply = await receiver.dispatch(attio_request(events))
    assert counter("attio_bridge_webhooks_received_total", source="attio") == received + 1
    assert reply.status == 200
    assert reply.body == {"accepted": 3, "new": 3, "ignored": 0}
    assert [e.type for e in recorder.stored] == [
        "record.updated",
        "list-entry.created",
        "note.created",
    ]
    assert [e.partition for e in recorder.stored] == [
        f"default:{PEOPLE}",
        f"default:{DEALS_LIST}",
        "default:note",
    ]
    assert {e.delivery_id for e in recorder.stored} == {"delivery-1"}
    assert [e.index for e in recorder.stored] == [0, 1, 2]
    assert recorder.stored[0].payload == events[0]
    assert counter("attio_bridge_webhooks_stored_total", source="attio") == before + 3


async def test_a_redelivery_is_stored_once(receiver: Receiver, recorder: Recorder) -> None:
    request = attio_request([attio_event(object_id=PEOPLE, record_id="r1")])
    first = await receiver.dispatch(request)
    again = await receiver.dispatch(request)
    assert first.body["new"] == 1 and again.body == {"accepted": 1, "new": 0, "ignored": 0}
    assert len(recorder.stored) == 1


async def test_without_an_idempotency_key_the_body_hash_names_the_delivery(
    receiver: Receiver, recorder: Recorder
) -> None:
    events = [attio_event(object_id=PEOPLE, record_id="r1")]
    await receiver.dispatch(attio_request(events, key=None))
    await receiver.dispatch(attio_request(events, key=None))
    assert len(recorder.stored) == 1
    assert len(recorder.stored[0].delivery_id) == 64


async def test_the_rotated_secret_and_the_x_header_are_accepted(
    receiver: Receiver, recorder: Recorder
) -> None:
    body = orjson.dumps({"webhook_id": "w", "events": [attio_event(record_id="r", object_id="o")]})
    request = InboundRequest(
        "attio",
        "acme",
        "POST",
        "https://h.test/webhooks/attio/acme",
        {
            "content-type": "application/json; charset=utf-8",
            "X-Attio-Signature": sign_attio(ATTIO_NEXT_SECRET, body),
        },
        body,
    )
    reply = await receiver.dispatch(request)
    assert reply.status == 200
    assert recorder.stored[0].workspace == "acme"
    assert recorder.stored[0].partition == "acme:o"


async def test_our_own_writes_are_dropped_before_storing_and_counted(
    receiver: Receiver, recorder: Recorder
) -> None:
    ours = attio_event(
        object_id=PEOPLE, record_id="r1", actor={"type": "api-token", "id": OUR_TOKEN_ID}
    )
    theirs = attio_event(object_id=PEOPLE, record_id="r2")
    before = counter("attio_bridge_webhooks_ignored_total", source="attio")
    reply = await receiver.dispatch(attio_request([ours, theirs]))
    assert reply.body == {"accepted": 1, "new": 1, "ignored": 1}
    assert [e.payload["id"]["record_id"] for e in recorder.stored] == ["r2"]
    # The stored event keeps its position in the delivery.
    assert recorder.stored[0].index == 1
    assert counter("attio_bridge_webhooks_ignored_total", source="attio") == before + 1


async def test_a_store_that_fails_gets_a_503_and_nothing_is_acknowledged(
    receiver: Receiver, recorder: Recorder
) -> None:
    recorder.fail = True
    before = counter("attio_bridge_webhooks_rejected_total", source="attio", reason="store_failed")
    reply = await receiver.dispatch(attio_request([attio_event(object_id=PEOPLE, record_id="r")]))
    assert reply.status == 503
    assert "Retry-After" in reply.headers
    assert recorder.stored == []
    assert (
        counter("attio_bridge_webhooks_rejected_total", source="attio", reason="store_failed")
        == before + 1
    )
    recorder.fail = False
    retried = await receiver.dispatch(attio_request([attio_event(object_id=PEOPLE, record_id="r")]))
    assert retried.status == 200 and len(recorder.stored) == 1


# -- refused ---------------------------------------------------------------------------------------
GOOD = [attio_event(object_id=PEOPLE, record_id="r1")]


async def test_a_bad_signature_is_401_and_nothing_is_stored(
    receiver: Receiver, recorder: Recorder
) -> None:
    before = counter(
        "attio_bridge_webhooks_rejected_total", source="attio", reason="signature_mismatch"
    )
    reply = await refused(receiver, recorder, attio_request(GOOD, secret="c" * 64))
    assert reply.status == 401
    assert reply.body["error"] == "signature_mismatch"
    assert ATTIO_SECRET not in orjson.dumps(reply.body).decode()
    assert (
        counter("attio_bridge_webhooks_rejected_total", source="attio", reason="signature_mismatch")
        == before + 1
    )


async def test_a_signature_for_another_body_or_a_truncated_body_is_401(
    receiver: Receiver, recorder: Recorder
) -> None:
    signed = attio_request(GOOD)
    other = orjson.dumps({"webhook_id": "wh-1", "events": [attio_event(record_id="r2")]})
    for body in (other, signed.body[:-5]):
        request = InboundRequest("attio", None, "POST", signed.url, dict(signed.headers), body)
        reply = await refused(receiver, recorder, request)
        assert reply.status == 401


async def test_a_missing_signature_is_401(receiver: Receiver, recorder: Recorder) -> None:
    request = attio_request(GOOD)
    headers = {k: v for k, v in request.headers.items() if "signature" not in k}
    reply = await refused(
        receiver,
        recorder,
        InboundRequest("attio", None, "POST", request.url, headers, request.body),
    )
    assert reply.status == 401 and reply.body["error"] == "signature_missing"


async def test_a_wrong_content_type_is_415(receiver: Receiver, recorder: Recorder) -> None:
    reply = await refused(
        receiver, recorder, attio_request(GOOD, headers={"Content-Type": "text/plain"})
    )
    assert reply.status == 415


async def test_an_oversized_body_is_413_even_when_signed(
    receiver: Receiver, recorder: Recorder
) -> None:
    big = [attio_event(object_id=PEOPLE, record_id="r" * 200) for _ in range(100)]
    reply = await refused(receiver, recorder, attio_request(big))
    assert reply.status == 413


async def test_content_length_is_refused_before_the_body_is_read(receiver: Receiver) -> None:
    early = receiver.precheck("attio", None, {"Content-Length": "10001"})
    assert early is not None and early.status == 413
    assert receiver.precheck("attio", None, {"Content-Length": "10000"}) is None
    unknown = receiver.precheck("attio", "nobody", {"Content-Length": "5"})
    assert unknown is not None and unknown.status == 404


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"webhook_id": "w"}',
        b'{"events": {"event_type": "record.created"}}',
        b'{"events": [{"id": {}}]}',
        b'{"events": [{"event_type": ""}]}',
    ],
)
async def test_a_signed_but_malformed_body_is_400(
    receiver: Receiver, recorder: Recorder, body: bytes
) -> None:
    reply = await refused(receiver, recorder, attio_request(body=body))
    assert reply.status == 400 and reply.body["error"] == "malformed_body"


async def test_unknown_sender_or_workspace_is_404(receiver: Receiver, recorder: Recorder) -> None:
    request = attio_request(GOOD)
    unknown_source = InboundRequest(
        "stripe", None, "POST", request.url, dict(request.headers), request.body
    )
    before = counter(
        "attio_bridge_webhooks_rejected_total", source="unknown", reason="unknown_source"
    )
    assert (await refused(receiver, recorder, unknown_source)).status == 404
    assert (
        counter("attio_bridge_webhooks_rejected_total", source="unknown", reason="unknown_source")
        == before + 1
    )
    reply = await refused(receiver, recorder, attio_request(GOOD, workspace="nobody"))
    assert reply.status == 404 and "acme" in reply.body["message"]


async def test_a_flood_of_bad_requests_does_not_stop_a_good_one(
    receiver: Receiver, recorder: Recorder
) -> None:
    for i in range(200):
        bad = attio_request(GOOD, secret=f"{i:064d}")
        assert (await receiver.dispatch(bad)).status == 401
    assert recorder.stored == []
    good = await receiver.dispatch(attio_request(GOOD))
    assert good.status == 200 and len(recorder.stored) == 1


# -- the other senders -----------------------------------------------------------------------------
HS_URL = "https://h.test/webhooks/hubspot"


def hubspot_request(events: list[dict[str, Any]], *, age: float = 0.0) -> InboundRequest:
    body = orjson.dumps(events)
    stamp = str(int((time.time() - age) * 1000))
    signature = sign_hubspot(
        method="POST", url=HS_URL, body=body, timestamp=stamp, client_secret=HUBSPOT_SECRET
    )
    headers = {
        "Content-Type": "application/json",
        "X-HubSpot-Signature-v3": signature,
        "X-HubSpot-Request-Timestamp": stamp,
    }
    return InboundRequest("hubspot", None, "POST", HS_URL, headers, body)


def hubspot_event(event_id: int, attempt: int = 0) -> dict[str, Any]:
    return {
        "eventId": event_id,
        "subscriptionId": 12345,
        "portalId": 62515,
        "occurredAt": 1564113600000,
        "subscriptionType": "contact.propertyChange",
        "attemptNumber": attempt,
        "objectId": 123,
        "propertyName": "email",
    }


async def test_hubspot_events_are_stored_and_a_retry_maps_to_the_same_jobs(
    receiver: Receiver, recorder: Recorder
) -> None:
    reply = await receiver.dispatch(hubspot_request([hubspot_event(1), hubspot_event(2)]))
    assert reply.status == 200 and reply.body["new"] == 2
    assert {e.type for e in recorder.stored} == {"contact.propertyChange"}
    assert {e.partition for e in recorder.stored} == {"default:hubspot:contact"}
    retry = await receiver.dispatch(hubspot_request([hubspot_event(1, attempt=1)]))
    assert retry.body == {"accepted": 1, "new": 0, "ignored": 0}


async def test_hubspot_refuses_an_expired_delivery(receiver: Receiver, recorder: Recorder) -> None:
    reply = await refused(receiver, recorder, hubspot_request([hubspot_event(1)], age=600))
    assert reply.status == 401 and reply.body["error"] == "signature_expired"


def braintree_request(fields: dict[str, str], content_type: str | None = None) -> InboundRequest:
    headers = {"Content-Type": content_type or "application/x-www-form-urlencoded"}
    body = urlencode(fields).encode()
    return InboundRequest(
        "braintree", None, "POST", "https://h.test/webhooks/braintree", headers, body
    )


async def test_a_braintree_notification_is_verified_by_the_sdk_and_stored(
    receiver: Receiver, recorder: Recorder
) -> None:
    fields = braintree_sample(braintree.WebhookNotification.Kind.SubscriptionChargedSuccessfully)
    reply = await receiver.dispatch(braintree_request(fields))
    assert reply.status == 200
    (event,) = recorder.stored
    assert event.type == "subscription_charged_successfully"
    assert event.partition == "default:braintree:subscription"
    assert event.payload["subject"]["subscription"]["id"] == "sub_42"


async def test_braintree_refuses_a_forged_notification_and_json(
    receiver: Receiver, recorder: Recorder
) -> None:
    fields = braintree_sample(braintree.WebhookNotification.Kind.SubscriptionCanceled)
    forged = fields | {"bt_signature": "pub|" + "0" * 40}
    assert (await refused(receiver, recorder, braintree_request(forged))).status == 401
    as_json = braintree_request(fields, content_type="application/json")
    assert (await refused(receiver, recorder, as_json)).status == 415


def zoho_request(token: str) -> InboundRequest:
    body = orjson.dumps(
        {
            "server_time": 1710000000000,
            "module": "Contacts",
            "resource_uri": "https://www.zohoapis.com/crm/v6/Contacts",
            "ids": ["4150868000001234001"],
            "affected_fields": [],
            "operation": "update",
            "channel_id": "1000000068001",
            "token": token,
        }
    )
    headers = {"Content-Type": "application/json"}
    return InboundRequest("zoho", None, "POST", "https://h.test/webhooks/zoho", headers, body)


async def test_zoho_notification_with_the_channel_token_is_stored_without_it(
    receiver: Receiver, recorder: Recorder
) -> None:
    reply = await receiver.dispatch(zoho_request(ZOHO_TOKEN))
    assert reply.status == 200
    (event,) = recorder.stored
    assert event.type == "Contacts.update" and event.partition == "default:zoho:Contacts"
    assert "token" not in event.payload
    assert ZOHO_TOKEN not in orjson.dumps(event.to_payload()).decode()


async def test_zoho_refuses_a_wrong_token(receiver: Receiver, recorder: Recorder) -> None:
    reply = await refused(receiver, recorder, zoho_request("TOKEN_OF_ANOTHER_CHANNEL"))
    assert reply.status == 401 and reply.body["error"] == "signature_mismatch"


async def test_a_sender_without_a_secret_for_the_workspace_is_404(recorder: Recorder) -> None:
    from attio_bridge.webhooks import Tenant, Tenants

    bare = Receiver(Tenants([Tenant(name="default", attio_secrets=(ATTIO_SECRET,))]), recorder)
    reply = await refused(bare, recorder, zoho_request(ZOHO_TOKEN))
    assert reply.status == 404 and reply.body["error"] == "not_configured"
