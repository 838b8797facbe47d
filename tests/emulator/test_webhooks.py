"""Webhooks: CRUD shapes and errors, and delivery to a real local receiver (API-NOTES §7).

Deliveries go over real HTTP to a ``Receiver`` on 127.0.0.1; the emulator accepts plain http
only for loopback targets, a documented difference from Attio (which demands https).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.emulator.models.webhooks import EVENT_TYPES

from ..conftest import API_KEY
from .core_helpers import NANO_TS, UUID, error, ok
from .receiver import Received, Receiver, Respond

IDLE_TIMEOUT = 10.0  # generous: the short retry schedule below finishes in well under a second


@pytest.fixture
def emulator() -> Iterator[EmulatorApp]:
    """An emulator that retries quickly (two retries, 50 ms apart) and is closed afterwards."""
    app = create_app(
        EmulatorConfig(
            api_keys=[API_KEY],
            read_rate=0,
            write_rate=0,
            webhook_retry_schedule=(0.05, 0.05),
            webhook_timeout_s=5.0,
        )
    )
    yield app
    app.state.deliveries.close()


@pytest.fixture
def receivers() -> Iterator[Callable[..., Receiver]]:
    """Start receivers with ``receivers(respond)``; all are shut down after the test."""
    started: list[Receiver] = []

    def start(respond: Respond | None = None) -> Receiver:
        r = Receiver(respond)
        started.append(r)
        return r

    yield start
    for r in started:
        r.close()


def settle(emulator: EmulatorApp) -> None:
    """Wait until the engine has nothing queued or in flight."""
    assert emulator.state.deliveries.wait_idle(IDLE_TIMEOUT), "deliveries did not settle"


def make_webhook(
    api: TestClient, url: str, *subs: tuple[str, dict[str, Any] | None]
) -> dict[str, Any]:
    body = {
        "data": {
            "target_url": url,
            "subscriptions": [{"event_type": t, "filter": f} for t, f in subs],
        }
    }
    data: dict[str, Any] = ok(api.post("/v2/webhooks", json=body))
    return data


def new_person(api: TestClient, email: str) -> dict[str, Any]:
    body = {"data": {"values": {"email_addresses": [email]}}}
    data: dict[str, Any] = ok(api.post("/v2/objects/people/records", json=body))
    return data


def attribute_ids(api: TestClient, target: str, ident: str) -> dict[str, str]:
    attrs = ok(api.get(f"/v2/{target}/{ident}/attributes"))
    return {a["api_slug"]: a["id"]["attribute_id"] for a in attrs}


def new_list(api: TestClient, slug: str) -> str:
    body = {
        "data": {
            "name": slug.title(),
            "api_slug": slug,
            "parent_object": "people",
            "workspace_access": "full-access",
            "workspace_member_access": [],
        }
    }
    list_id: str = ok(api.post("/v2/lists", json=body))["id"]["list_id"]
    return list_id


# -- CRUD ------------------------------------------------------------------------------------


def test_create_returns_attio_shape_with_secret_only_there(api: TestClient) -> None:
    """API-NOTES §7 and Gotcha 13: the secret (64 hex in SPEC) is returned only on create."""
    subs = [{"event_type": "record.created", "filter": None}]
    created = ok(
        api.post(
            "/v2/webhooks", json={"data": {"target_url": "https://x.test/h", "subscriptions": subs}}
        )
    )
    assert set(created) == {"id", "target_url", "subscriptions", "status", "created_at", "secret"}
    assert re.fullmatch(r"[0-9a-f]{64}", created["secret"])
    assert set(created["id"]) == {"workspace_id", "webhook_id"}
    assert UUID.match(created["id"]["webhook_id"])
    assert NANO_TS.match(created["created_at"])
    assert created["status"] == "active"
    assert created["subscriptions"] == subs
    webhook_id = created["id"]["webhook_id"]

    got = ok(api.get(f"/v2/webhooks/{webhook_id}"))
    listed = ok(api.get("/v2/webhooks"))
    patched = ok(
        api.patch(f"/v2/webhooks/{webhook_id}", json={"data": {"target_url": "https://y.test/"}})
    )
    for shown in (got, listed[0], patched):
        assert "secret" not in shown
        assert set(shown) == {"id", "target_url", "subscriptions", "status", "created_at"}
    assert got["id"] == created["id"]
    assert patched["target_url"] == "https://y.test/"
    assert patched["subscriptions"] == subs


def test_all_27_documented_event_types_accepted_and_others_rejected(api: TestClient) -> None:
    """API-NOTES §7: 27 event types; there is no task.completed or comment.updated. Plus the
    7 of the activity families (docs.attio.com/rest-api/webhook-reference/activity-events,
    activity-attribute-events, activity-record-events)."""
    assert len(set(EVENT_TYPES)) == 27 + 7
    subs = [{"event_type": t, "filter": None} for t in EVENT_TYPES]
    body = {"data": {"target_url": "https://x.test/", "subscriptions": subs}}
    created = ok(api.post("/v2/webhooks", json=body))
    assert [s["event_type"] for s in created["subscriptions"]] == list(EVENT_TYPES)
    for bad in ("task.completed", "comment.updated", "workspace-member.updated", "entry.created"):
        body["data"]["subscriptions"] = [{"event_type": bad, "filter": None}]
        error(api.post("/v2/webhooks", json=body), 400, "validation_type")


def test_every_subscription_needs_a_filter_key(api: TestClient) -> None:
    """API-NOTES §7: each subscription requires ``filter``, which may be null."""
    body = {
        "data": {"target_url": "https://x.test/", "subscriptions": [{"event_type": "note.created"}]}
    }
    message = error(api.post("/v2/webhooks", json=body), 400, "validation_type")
    assert "filter" in message
    assert ok(api.get("/v2/webhooks")) == []


@pytest.mark.parametrize(
    "flt",
    [
        {"$and": [{"field": "id.list_id", "operator": "contains", "value": "x"}]},
        {"$and": [], "$or": []},
        {"$not": []},
        {"$or": {"field": "actor.type", "operator": "equals", "value": "x"}},
        {"$or": [{"field": "actor.type", "operator": "equals"}]},
        {"$or": [{"field": "actor.type", "operator": "equals", "value": 3}]},
        {"field": "actor.type", "operator": "equals", "value": "x"},
        "actor.type",
    ],
)
def test_filter_grammar_is_validated(api: TestClient, flt: Any) -> None:
    """API-NOTES §7: one top-level $and/$or of {field, operator equals|not_equals, value}."""
    body = {
        "data": {
            "target_url": "https://x.test/",
            "subscriptions": [{"event_type": "record.created", "filter": flt}],
        }
    }
    error(api.post("/v2/webhooks", json=body), 400, "validation_type")


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://hooks.example.com/attio", True),
        ("http://hooks.example.com/attio", False),
        ("http://10.0.0.1/attio", False),
        ("ftp://hooks.example.com/", False),
        ("https://", False),
        ("not a url", False),
        # Local testing: the emulator's documented exception for loopback hosts.
        ("http://127.0.0.1:8000/attio", True),
        ("http://127.5.6.7/attio", True),
        ("http://localhost:9000/", True),
        ("http://[::1]:9000/", True),
    ],
)
def test_target_url_must_be_https_except_loopback(
    api: TestClient, url: str, accepted: bool
) -> None:
    """API-NOTES §7: targets must be HTTPS (SPEC pattern ``^https://``); loopback http allowed."""
    body = {"data": {"target_url": url, "subscriptions": []}}
    r = api.post("/v2/webhooks", json=body)
    if accepted:
        assert ok(r)["target_url"] == url
    else:
        error(r, 400, "validation_type")


def test_patch_validates_and_changes_nothing_on_error(api: TestClient) -> None:
    """PATCH takes target_url and/or subscriptions (SPEC); a bad part leaves the webhook as is."""
    hook = make_webhook(api, "https://x.test/", ("record.created", None))
    path = f"/v2/webhooks/{hook['id']['webhook_id']}"
    bad = {
        "data": {
            "target_url": "https://z.test/",
            "subscriptions": [{"event_type": "record.created"}],
        }
    }
    error(api.patch(path, json=bad), 400, "validation_type")
    error(api.patch(path, json={"data": {"target_url": "http://x.test/"}}), 400, "validation_type")
    error(api.patch(path, json={"data": {}}), 400, "validation_type")
    assert ok(api.get(path))["target_url"] == "https://x.test/"

    flt = {"$or": [{"field": "actor.type", "operator": "not_equals", "value": "system"}]}
    new_subs = [{"event_type": "task.created", "filter": flt}]
    patched = ok(api.patch(path, json={"data": {"subscriptions": new_subs}}))
    assert patched["subscriptions"] == new_subs
    assert patched["target_url"] == "https://x.test/"
    assert ok(api.get(path))["subscriptions"] == new_subs


def test_list_pages_with_limit_10_to_100_and_offset(api: TestClient) -> None:
    """SPEC: list limit is between 10 and 100, default 10; offset skips."""
    ids = [make_webhook(api, f"https://x.test/{i}")["id"]["webhook_id"] for i in range(12)]
    first = ok(api.get("/v2/webhooks"))
    assert [h["id"]["webhook_id"] for h in first] == ids[:10]
    rest = ok(api.get("/v2/webhooks", params={"offset": 10}))
    assert [h["id"]["webhook_id"] for h in rest] == ids[10:]
    assert len(ok(api.get("/v2/webhooks", params={"limit": 100}))) == 12
    error(api.get("/v2/webhooks", params={"limit": 5}), 400, "validation_type")
    error(api.get("/v2/webhooks", params={"limit": 101}), 400, "validation_type")


def test_delete_returns_empty_object_then_404(api: TestClient) -> None:
    """API-NOTES §0: deletes return ``{}``; §8: a missing webhook is 404 not_found."""
    hook = make_webhook(api, "https://x.test/")
    path = f"/v2/webhooks/{hook['id']['webhook_id']}"
    r = api.delete(path)
    assert r.status_code == 200
    assert r.json() == {}
    error(api.get(path), 404, "not_found")
    error(api.delete(path), 404, "not_found")
    error(api.patch(path, json={"data": {"target_url": "https://x.test/"}}), 404, "not_found")
    assert ok(api.get("/v2/webhooks")) == []


# -- delivery --------------------------------------------------------------------------------


def test_record_created_delivered_signed_with_ids_only(
    api: TestClient, emulator: EmulatorApp, receivers: Callable[..., Receiver]
) -> None:
    """API-NOTES §7: payload {webhook_id, events:[…]} with IDs only; both signature headers are
    hex HMAC-SHA256 of the raw body keyed with the secret; Idempotency-Key present."""
    rx = receivers()
    hook = make_webhook(api, rx.url, ("record.created", None))
    person = new_person(api, "ada@example.com")
    settle(emulator)

    [req] = rx.received()
    expected = hmac.new(hook["secret"].encode(), req.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(req.headers["attio-signature"], expected)
    assert hmac.compare_digest(req.headers["x-attio-signature"], expected)
    assert req.headers["content-type"] == "application/json"
    assert req.headers["idempotency-key"]
    payload = req.json()
    assert set(payload) == {"webhook_id", "events"}
    assert payload["webhook_id"] == hook["id"]["webhook_id"]
    [event] = payload["events"]
    assert event["event_type"] == "record.created"
    assert event["id"] == person["id"]  # workspace_id, object_id, record_id
    assert set(event) == {"event_type", "id", "actor"}
    assert set(event["actor"]) == {"type", "id"}


def test_signature_fails_for_a_different_secret_or_body(
    api: TestClient, emulator: EmulatorApp, receivers: Callable[..., Receiver]
) -> None:
    """API-NOTES §7: the signature binds the body to this webhook's secret."""
    rx = receivers()
    hook = make_webhook(api, rx.url, ("record.created", None))
    other = make_webhook(api, rx.url, ("record.created", None))
    new_person(api, "bob@example.com")
    settle(emulator)
    by_hook = {r.json()["webhook_id"]: r for r in rx.received()}
    req = by_hook[hook["id"]["webhook_id"]]
    wrong_key = hmac.new(other["secret"].encode(), req.body, hashlib.sha256).hexdigest()
    wrong_body = hmac.new(hook["secret"].encode(), req.body + b" ", hashlib.sha256).hexdigest()
    assert req.headers["attio-signature"] not in (wrong_key, wrong_body)
    assert (
        by_hook[other["id"]["webhook_id"]].headers["idempotency-key"]
        != req.headers["idempotency-key"]
    )


def test_record_update_sends_one_event_per_changed_attribute(
    api: TestClient, emulator: EmulatorApp, receivers: Callable[..., Receiver]
) -> None:
    """API-NOTES §7 and Gotcha 14: record.updated fires once per changed attribute."""
    rx = receivers()
    make_webhook(api, rx.url, ("record.updated", None))
    person = new_person(api, "grace@example.com")
    record_id = person["id"]["record_id"]
    values = {"job_title": "Admiral", "description": "Compiler pioneer"}
    ok(api.patch(f"/v2/objects/people/records/{record_id}", json={"data": {"values": values}}))
    settle(emulator)

    events = rx.events()
    assert {e["event_type"] for e in events} == {"record.updated"}
    attrs = attribute_ids(api, "objects", "people")
    assert sorted(e["id"]["attribute_id"] for e in events) == sorted(attrs[slug] for slug in values)
    for e in events:
        assert e["id"]["record_id"] == record_id
        assert e["id"]["object_id"] == person["id"]["object_id"]
    keys = [r.headers["idempotency-key"] for r in rx.received()]
    assert len(set(keys)) == len(keys) == 2  # one message per event, each its own key


def test_filter_on_list_id_includes_and_excludes_entries(
    api: TestClient, emulator: EmulatorApp, receivers: Callable[..., Receiver]
) -> None:
    """API-NOTES §7: filter fields are dot paths into the event, e.g. ``id.list_id``."""
    rx = receivers()
    wanted, other = new_list(api, "wanted"), new_list(api, "other")
    flt = {"$and": [{"field": "id.list_id", "operator": "equals", "value": wanted}]}
    make_webhook(api, rx.url, ("list-entry.created", flt))
    person = new_person(api, "linus@example.com")
    for list_id in (wanted, other):
        entry = {
            "data": {
                "parent_record_id": person["id"]["record_id"],
                "parent_object": "people",
                "entry_values": {},
            }
        }
        ok(api.post(f"/v2/lists/{list_id}/entries", json=entry))
    settle(emulator)

    [event] = rx.events()
    assert event["event_type"] == "list-entry.created"
    assert event["id"]["list_id"] == wanted
    assert event["parent_record_id"] == person["id"]["record_id"]
    assert event["parent_object_id"] == person["id"]["object_id"]


def test_or_and_not_equals_filters(
    api: TestClient, emulator: EmulatorApp, receivers: Callable[..., Receiver]
) -> None:
    """API-NOTES §7: ``$or`` passes if any condition does; ``not_equals``; values as strings."""
    rx = receivers()
    companies = ok(api.get("/v2/objects/companies"))["id"]["object_id"]
    either = {
        "$or": [
            {"field": "id.object_id", "operator": "equals", "value": companies},
            {"field": "actor.type", "operator": "equals", "value": "workspace-member"},
        ]
    }
    not_api = {"$and": [{"field": "actor.type", "operator": "not_equals", "value": "api-token"}]}
    either_hook = make_webhook(api, rx.url, ("record.created", either))
    not_api_hook = make_webhook(api, rx.url, ("record.created", not_api))
    new_person(api, "ken@example.com")  # neither: a person, created by an API token
    company = ok(
        api.post("/v2/objects/companies/records", json={"data": {"values": {"name": "Bell"}}})
    )
    settle(emulator)

    [req] = rx.received()
    assert req.json()["webhook_id"] == either_hook["id"]["webhook_id"]
    assert req.json()["events"][0]["id"] == company["id"]
    assert not_api_hook["id"]["webhook_id"] not in {r.json()["webhook_id"] for r in rx.received()}


def test_failed_tries_are_retried_with_the_same_idempotency_key(
    api: TestClient, emulator: EmulatorApp, receivers: Callable[..., Receiver]
) -> None:
    """API-NOTES §7: at-least-once; non-2xx is retried; Idempotency-Key stays the same."""
    answers = iter([500, 500, 200])
    rx = receivers(lambda _req: next(answers))
    hook = make_webhook(api, rx.url, ("record.created", None))
    new_person(api, "edsger@example.com")
    settle(emulator)

    tries = rx.received()
    assert len(tries) == 3
    assert len({t.headers["idempotency-key"] for t in tries}) == 1
    assert len({t.body for t in tries}) == 1
    assert len({t.headers["attio-signature"] for t in tries}) == 1
    log = emulator.state.deliveries.render_deliveries()
    assert [(a["attempt"], a["status_code"], a["outcome"]) for a in log] == [
        (1, 500, "retrying"),
        (2, 500, "retrying"),
        (3, 200, "delivered"),
    ]
    assert {a["idempotency_key"] for a in log} == {tries[0].headers["idempotency-key"]}
    assert ok(api.get(f"/v2/webhooks/{hook['id']['webhook_id']}"))["status"] == "active"


def test_always_failing_target_makes_the_webhook_degraded_but_still_served(
    api: TestClient, emulator: EmulatorApp, receivers: Callable[..., Receiver]
) -> None:
    """API-NOTES §7: after the last retry fails the webhook is ``degraded``; degraded webhooks
    still receive events."""
    rx = receivers(lambda _req: 503)
    hook = make_webhook(api, rx.url, ("record.created", None))
    path = f"/v2/webhooks/{hook['id']['webhook_id']}"
    new_person(api, "barbara@example.com")
    settle(emulator)

    assert len(rx.received()) == 1 + len(emulator.state.config.webhook_retry_schedule)
    assert ok(api.get(path))["status"] == "degraded"
    outcomes = [a["outcome"] for a in emulator.state.deliveries.render_deliveries()]
    assert outcomes == ["retrying", "retrying", "failed"]

    new_person(api, "john@example.com")
    settle(emulator)
    assert len({r.headers["idempotency-key"] for r in rx.received()}) == 2


def test_unreachable_target_is_recorded_as_an_error_and_retried(
    api: TestClient, emulator: EmulatorApp, receivers: Callable[..., Receiver]
) -> None:
    """API-NOTES §7: a failed connection is not a 2xx, so it is retried like one."""
    rx = receivers()
    url = rx.url
    rx.close()  # nothing listens on that port any more
    make_webhook(api, url, ("record.created", None))
    new_person(api, "alan@example.com")
    settle(emulator)
    log = emulator.state.deliveries.render_deliveries()
    assert len(log) == 3
    assert all(a["status_code"] is None and a["error"] for a in log)


def test_deleted_webhook_gets_nothing(
    api: TestClient, emulator: EmulatorApp, receivers: Callable[..., Receiver]
) -> None:
    """A deleted webhook receives no further events."""
    rx = receivers()
    hook = make_webhook(api, rx.url, ("record.created", None))
    assert api.delete(f"/v2/webhooks/{hook['id']['webhook_id']}").json() == {}
    new_person(api, "niklaus@example.com")
    settle(emulator)
    assert rx.received() == []


def test_api_call_returns_before_a_slow_receiver_answers(
    api: TestClient, emulator: EmulatorApp, receivers: Callable[..., Receiver]
) -> None:
    """Delivery never slows the API call that caused it: the receiver cannot answer until the
    test, having got the API response, lets it. Were delivery inline, the receiver would give
    up waiting first and log "answered" before "api-returned"."""
    order: list[str] = []
    release = threading.Event()

    def hold(_req: Received) -> int:
        order.append("received")
        released = release.wait(timeout=3.0)
        order.append("answered" if released else "gave-up")
        return 200

    rx = receivers(hold)
    make_webhook(api, rx.url, ("record.created", None))
    new_person(api, "margaret@example.com")
    order.append("api-returned")
    release.set()
    settle(emulator)

    assert len(rx.received()) == 1
    assert "gave-up" not in order
    assert order.index("api-returned") < order.index("answered")


def test_a_new_workspace_gets_deliveries_and_old_retries_stop(
    api: TestClient, emulator: EmulatorApp, receivers: Callable[..., Receiver]
) -> None:
    """The engine follows ``new_workspace()`` (what a reset uses): the fresh workspace's events
    are delivered, and the old workspace's pending retries are dropped."""
    failing = receivers(lambda _req: 500)
    make_webhook(api, failing.url, ("record.created", None))
    state = emulator.state
    state.config.webhook_retry_schedule = (30.0,)  # the retry stays queued during the swap
    new_person(api, "old@example.com")
    state.workspace = state.new_workspace()
    settle(emulator)
    assert len(failing.received()) <= 1  # the first try may have gone out; the retry did not

    rx = receivers()
    make_webhook(api, rx.url, ("record.created", None))
    person = new_person(api, "new@example.com")
    settle(emulator)
    [event] = rx.events()
    assert event["id"] == person["id"]
    assert event["id"]["workspace_id"] == state.workspace.workspace_id
