"""Several events in one webhook delivery: ``EmulatorConfig.max_events_per_delivery``.

Attio's webhook guide (docs.attio.com/rest-api/guides/webhooks; API-NOTES §1c) says a delivery
is ``{webhook_id, events[]}`` carrying one event today, and that batching may come: receivers
must handle every item. The emulator sends one event per delivery by default; with
``max_events_per_delivery`` above 1 the events one API call emits travel together, up to that
many per delivery, in order, and events of different calls never share a delivery.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp

from ..conftest import API_KEY
from .core_helpers import ok
from .receiver import Receiver


def _app(max_events: int) -> EmulatorApp:
    config = EmulatorConfig(
        api_keys=[API_KEY], read_rate=0, write_rate=0, max_events_per_delivery=max_events
    )
    return create_app(config)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _run(app: EmulatorApp, receiver: Receiver) -> tuple[dict[str, str], list[list[dict[str, Any]]]]:
    """Subscribe, create a person, then PATCH four of its attributes in one call and one more
    in another; the people attributes' ids by slug, and each delivery's events in arrival
    order (one worker sends them one after another)."""
    try:
        with TestClient(
            app, base_url="http://e.test", headers={"Authorization": f"Bearer {API_KEY}"}
        ) as api:
            subs = [{"event_type": "record.updated", "filter": None}]
            body = {"data": {"target_url": receiver.url, "subscriptions": subs}}
            secret = ok(api.post("/v2/webhooks", json=body))["secret"]
            attrs = ok(api.get("/v2/objects/people/attributes"))
            ids = {a["api_slug"]: a["id"]["attribute_id"] for a in attrs}
            rec = ok(api.post("/v2/objects/people/records", json={"data": {"values": {}}}))
            path = f"/v2/objects/people/records/{rec['id']['record_id']}"
            values = {"job_title": "CTO", "description": "x", "linkedin": "y", "twitter": "z"}
            ok(api.patch(path, json={"data": {"values": values}}))
            ok(api.patch(path, json={"data": {"values": {"facebook": "f"}}}))
            assert app.state.deliveries.wait_idle(10.0)
    finally:
        app.state.deliveries.close()
    for req in receiver.received():
        expected = hmac.new(secret.encode(), req.body, hashlib.sha256).hexdigest()
        assert req.headers["attio-signature"] == expected
    return ids, [req.json()["events"] for req in receiver.received()]


def test_one_event_per_delivery_by_default(receiver: Receiver) -> None:
    """Attio today: every delivery carries exactly one event."""
    _, deliveries = _run(_app(1), receiver)
    assert [len(events) for events in deliveries] == [1, 1, 1, 1, 1]


def test_events_of_one_call_share_deliveries_up_to_the_maximum(receiver: Receiver) -> None:
    """With a maximum of 3: the first call's four events go as 3 + 1, in the order they
    happened, each delivery signed over its own body; the second call's event goes alone."""
    ids, deliveries = _run(_app(3), receiver)
    assert [len(events) for events in deliveries] == [3, 1, 1]
    first_call = {ids[s] for s in ("job_title", "description", "linkedin", "twitter")}
    assert {e["id"]["attribute_id"] for e in deliveries[0] + deliveries[1]} == first_call
    assert [e["id"]["attribute_id"] for e in deliveries[2]] == [ids["facebook"]]
    every = [e for events in deliveries for e in events]
    assert all(e["event_type"] == "record.updated" for e in every)
