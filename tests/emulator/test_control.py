"""The control plane under ``/_emulator``: reset, seed, faults, latency, journal, state.

Every behaviour is observed through HTTP: a fault shows in the API's answers, latency in the
journal's recorded duration (never in wall-clock time measured here).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.testing.process import free_port

from ..conftest import API_KEY
from .core_helpers import ERROR_KEYS

HTTP_DATE = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$")


def person(api: TestClient, email: str) -> str:
    """Create a person through the API; its record id."""
    r = api.post(
        "/v2/objects/people/records",
        json={"data": {"values": {"email_addresses": [email]}}},
    )
    assert r.status_code == 200, r.text
    record_id: str = r.json()["data"]["id"]["record_id"]
    return record_id


def control(api: TestClient, method: str, path: str, body: Any = None) -> Any:
    """A control-plane call that must succeed; its JSON answer."""
    r = api.request(method, f"/_emulator{path}", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def fault(api: TestClient, **rule: Any) -> dict[str, Any]:
    """Add a fault rule through the control plane."""
    added: dict[str, Any] = control(api, "POST", "/faults", rule)
    return added


def test_health_answers_without_a_token(api: TestClient) -> None:
    r = api.get("/_emulator/health", headers={"Authorization": ""})
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_state_counts_what_the_api_wrote(api: TestClient) -> None:
    before = control(api, "GET", "/state")
    person(api, "ada@example.com")
    person(api, "grace@example.com")
    after = control(api, "GET", "/state")
    assert after["records"]["people"] == before["records"]["people"] + 2
    assert after["records"]["companies"] == before["records"]["companies"]
    assert {"notes", "tasks", "webhooks", "entries", "members"} <= set(after)


def test_reset_empties_the_workspace_and_keeps_the_keys(api: TestClient) -> None:
    record_id = person(api, "ada@example.com")
    old_workspace = control(api, "GET", "/state")["workspace"]["id"]
    state = control(api, "POST", "/reset")
    assert state["records"]["people"] == 0
    assert state["workspace"]["id"] != old_workspace
    # The same key still works, and the old record is gone.
    r = api.get(f"/v2/objects/people/records/{record_id}")
    assert r.status_code == 404, r.text
    query = api.post("/v2/objects/people/records/query", json={})
    assert query.status_code == 200
    assert query.json()["data"] == []
    # The unique email is free again.
    person(api, "ada@example.com")


def test_reset_can_seed_the_fresh_workspace(api: TestClient) -> None:
    person(api, "someone@example.com")
    state = control(api, "POST", "/reset", {"seed": "generated", "size": 40})
    assert state["records"]["people"] == 40
    assert state["records"]["companies"] == 4
    assert state["records"]["deals"] == 2
    emails = [
        v["email_address"]
        for rec in api.post("/v2/objects/people/records/query", json={}).json()["data"]
        for v in rec["values"]["email_addresses"]
    ]
    assert "someone@example.com" not in emails
    assert len(emails) == 40


def test_seed_adds_a_dataset_to_the_current_workspace(api: TestClient) -> None:
    person(api, "mine@example.com")
    state = control(api, "POST", "/seed", {"dataset": "generated", "size": 60})
    assert state["records"]["people"] == 61
    assert state["records"]["companies"] == 6
    assert state["records"]["deals"] == 3
    sandbox = control(api, "POST", "/seed", {"dataset": "sandbox"})
    assert sandbox["records"]["people"] == 61 + 20
    assert sandbox["entries"]["sales_pipeline"] > 0


@pytest.mark.parametrize(
    "body",
    [
        {"dataset": "nope"},
        {},
        {"dataset": "generated", "size": -1},
        {"dataset": "generated", "size": "ten"},
    ],
)
def test_seed_refuses_bad_requests_with_400(api: TestClient, body: dict[str, Any]) -> None:
    r = api.post("/_emulator/seed", json=body)
    assert r.status_code == 400
    assert set(r.json()) == {"error"}


def test_malformed_control_body_is_400(api: TestClient) -> None:
    r = api.post("/_emulator/faults", content=b"{not json", headers={"Content-Type": "x"})
    assert r.status_code == 400
    assert "JSON" in r.json()["error"]


# -- faults --------------------------------------------------------------------------------------


def test_error_fault_answers_5xx_with_an_error_body(api: TestClient) -> None:
    fault(api, match="POST /v2/objects/*", kind="error", status=503)
    r = api.post(
        "/v2/objects/people/records", json={"data": {"values": {"email_addresses": ["a@b.com"]}}}
    )
    assert r.status_code == 503
    assert set(r.json()) == ERROR_KEYS
    assert r.json()["status_code"] == 503
    # Nothing was written: the fault fires before the handler.
    assert control(api, "GET", "/state")["records"]["people"] == 0


def test_rate_limit_fault_is_429_with_an_http_date_retry_after(api: TestClient) -> None:
    """API-NOTES §8 and gotcha 11: 429 carries Retry-After as an HTTP-date, not seconds."""
    fault(api, match="GET /v2/objects", kind="rate_limit")
    r = api.get("/v2/objects")
    assert r.status_code == 429
    assert r.json()["code"] == "rate_limit_exceeded"
    retry_after = r.headers["Retry-After"]
    assert HTTP_DATE.match(retry_after), retry_after
    assert parsedate_to_datetime(retry_after).tzinfo is not None


def test_fault_matches_operation_names_with_wildcards(api: TestClient) -> None:
    fault(api, match="PUT /v2/objects/*", kind="error")
    # A POST is another operation: untouched.
    person(api, "ada@example.com")
    r = api.put(
        "/v2/objects/people/records",
        params={"matching_attribute": "email_addresses"},
        json={"data": {"values": {"email_addresses": ["ada@example.com"]}}},
    )
    assert r.status_code == 500
    rules = control(api, "GET", "/faults")
    assert [rule["match"] for rule in rules] == ["PUT /v2/objects/*"]


def test_count_limits_how_often_a_rule_fires(api: TestClient) -> None:
    rule = fault(api, match="*", kind="error", count=2)
    assert rule["remaining"] == 2
    statuses = [api.get("/v2/objects").status_code for _ in range(4)]
    assert statuses == [500, 500, 200, 200]
    assert control(api, "GET", "/faults")[0]["remaining"] == 0


def test_rate_zero_never_fires(api: TestClient) -> None:
    fault(api, match="*", kind="error", rate=0)
    assert all(api.get("/v2/objects").status_code == 200 for _ in range(5))


def test_clearing_faults_restores_normal_answers(api: TestClient) -> None:
    fault(api, match="*", kind="error")
    assert api.get("/v2/objects").status_code == 500
    assert control(api, "DELETE", "/faults") == {"cleared": 1}
    assert control(api, "GET", "/faults") == []
    assert api.get("/v2/objects").status_code == 200


def test_slow_fault_delays_but_answers_correctly(api: TestClient) -> None:
    record_id = person(api, "ada@example.com")
    fault(api, match="GET /v2/objects/{object}/records/{record_id}", kind="slow", seconds=0.05)
    r = api.get(f"/v2/objects/people/records/{record_id}")
    assert r.status_code == 200
    assert r.json()["data"]["id"]["record_id"] == record_id
    entry = control(api, "GET", "/journal")[-1]
    assert entry["operation"] == "GET /v2/objects/{object}/records/{record_id}"
    assert entry["duration_ms"] >= 50


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "explode"},
        {"kind": "error", "rate": 2},
        {"kind": "error", "status": 200},
        {"kind": "slow", "seconds": -1},
        {"kind": "error", "count": 0},
        {"kind": "error", "match": ""},
    ],
)
def test_bad_fault_rules_are_400(api: TestClient, rule: dict[str, Any]) -> None:
    r = api.post("/_emulator/faults", json=rule)
    assert r.status_code == 400, r.text
    assert set(r.json()) == {"error"}
    assert control(api, "GET", "/faults") == []


@pytest.fixture
def live() -> Iterator[str]:
    """The emulator served by uvicorn on a loopback port, so a drop is a real broken response."""
    app = create_app(EmulatorConfig(api_keys=[API_KEY], read_rate=0, write_rate=0))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_drop_fault_breaks_the_response_before_the_handler(live: str) -> None:
    auth = {"Authorization": f"Bearer {API_KEY}"}
    with httpx.Client(base_url=live, headers=auth) as client:
        r = client.post("/_emulator/faults", json={"match": "POST /v2/objects/*", "kind": "drop"})
        assert r.status_code == 200
        with pytest.raises(httpx.TransportError):
            client.post(
                "/v2/objects/people/records",
                json={"data": {"values": {"email_addresses": ["dropped@example.com"]}}},
            )
        # The write never ran.
        assert client.get("/_emulator/state").json()["records"]["people"] == 0
        # The journal keeps the dropped request, with status 0: no status reached the client.
        journal = client.get("/_emulator/journal").json()
        dropped = [e for e in journal if e["path"] == "/v2/objects/people/records"]
        assert [e["status"] for e in dropped] == [0]


def test_drop_after_fault_writes_then_breaks_the_response(live: str) -> None:
    auth = {"Authorization": f"Bearer {API_KEY}"}
    with httpx.Client(base_url=live, headers=auth) as client:
        rule = {"match": "POST /v2/objects/*", "kind": "drop_after", "count": 1}
        assert client.post("/_emulator/faults", json=rule).status_code == 200
        body = {"data": {"values": {"email_addresses": ["kept@example.com"]}}}
        with pytest.raises(httpx.TransportError):
            client.post("/v2/objects/people/records", json=body)
        # The write happened although the client never saw the answer: a retry now conflicts.
        assert client.get("/_emulator/state").json()["records"]["people"] == 1
        again = client.post("/v2/objects/people/records", json=body)
        assert again.status_code == 400
        assert again.json()["code"] == "uniqueness_conflict"


# -- latency and journal -------------------------------------------------------------------------


def test_latency_setting_shows_in_recorded_durations(api: TestClient) -> None:
    assert control(api, "POST", "/latency", {"ms": 40, "jitter_ms": 0}) == {
        "ms": 40.0,
        "jitter_ms": 0.0,
    }
    for _ in range(3):
        assert api.get("/v2/objects").status_code == 200
    durations = [e["duration_ms"] for e in control(api, "GET", "/journal")]
    assert len(durations) == 3
    assert min(durations) >= 40
    # Jitter defaults to a tenth of the latency.
    assert control(api, "POST", "/latency", {"ms": 0}) == {"ms": 0.0, "jitter_ms": 0.0}
    assert control(api, "GET", "/latency")["ms"] == 0.0


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/latency", {"ms": -1}, '"ms" must be a number of at least 0, not -1'),
        ("/latency", {"ms": 5, "jitter_ms": -0.5}, '"jitter_ms" must be a number of at least 0'),
        ("/faults", {"kind": "slow", "seconds": -1}, '"seconds" must be a number of at least 0'),
        ("/faults", {"kind": "error", "rate": 2}, '"rate" must be a number from 0 to 1, not 2'),
    ],
)
def test_out_of_range_numbers_name_their_bounds(
    api: TestClient, path: str, body: dict[str, Any], message: str
) -> None:
    """Issue 10: these said '"ms" must be between 0.0, not -1', a range with one end."""
    r = api.post(f"/_emulator{path}", json=body)
    assert r.status_code == 400
    assert r.json()["error"].startswith(message)


def test_latency_needs_ms(api: TestClient) -> None:
    r = api.post("/_emulator/latency", json={"jitter_ms": 5})
    assert r.status_code == 400
    assert "ms" in r.json()["error"]


def test_journal_records_requests_but_never_the_token(api: TestClient) -> None:
    person(api, "ada@example.com")
    api.get("/v2/objects/people/records/00000000-0000-0000-0000-000000000000")
    api.get("/v2/lists", params={"limit": "5"})
    api.get("/v2/objects", headers={"Authorization": "Bearer wrong-key"})
    journal = control(api, "GET", "/journal")
    assert [(e["method"], e["path"], e["status"]) for e in journal] == [
        ("POST", "/v2/objects/people/records", 200),
        ("GET", "/v2/objects/people/records/00000000-0000-0000-0000-000000000000", 404),
        ("GET", "/v2/lists", 200),
        ("GET", "/v2/objects", 401),
    ]
    assert journal[0]["operation"] == "POST /v2/objects/{object}/records"
    assert journal[2]["query"] == "limit=5"
    raw = orjson.dumps(journal)
    for secret in (API_KEY, "wrong-key", "Bearer", "uthorization"):
        assert secret.encode() not in raw


def test_journal_can_be_cleared(api: TestClient) -> None:
    api.get("/v2/objects")
    assert control(api, "DELETE", "/journal") == {"cleared": 1}
    assert control(api, "GET", "/journal") == []


def test_control_requests_are_not_journaled(api: TestClient) -> None:
    control(api, "GET", "/state")
    control(api, "GET", "/health")
    assert control(api, "GET", "/journal") == []


def test_deliveries_are_listed(api: TestClient) -> None:
    assert control(api, "GET", "/deliveries") == []
