"""The service's alerts, wired (issue 11, "Operations"): configured by the environment, they
hear the real queue's dead letters and the circuits' changes, and check the workspace's
webhooks every ``ATTIO_BRIDGE_ALERT_CHECK_INTERVAL`` seconds; each incident notifies once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from starlette.testclient import TestClient

from attio_bridge.errors import InvalidInputError
from attio_bridge.jobs import RetrySchedule
from attio_bridge.jobs.circuits import Circuits, CircuitSettings
from attio_bridge.web import build_service, create_app
from attio_bridge.webhooks import Event, HandlerContext, Router, Tenant, Tenants

from ._support import SECRET, signed

DEGRADED = {
    "id": {"workspace_id": "ws-1", "webhook_id": "wh-degraded-1"},
    "target_url": "https://bridge.example.com/webhooks/attio",
    "subscriptions": [],
    "status": "degraded",
    "created_at": "2026-12-01T00:00:00.000000000Z",
}


class Outside:
    """Attio's webhooks list (one degraded) and the alerts' webhook URL, on one local server."""

    def __init__(self) -> None:
        self.alerts: list[dict[str, Any]] = []
        outside = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                offset = parse_qs(urlsplit(self.path).query).get("offset", ["0"])[0]
                data = [DEGRADED] if offset == "0" else []
                self._answer(200, {"data": data})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outside.alerts.append(json.loads(body))
                self._answer(200, {"ok": True})

            def _answer(self, status: int, doc: dict[str, Any]) -> None:
                raw = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def outside() -> Iterator[Outside]:
    found = Outside()
    yield found
    found.server.shutdown()
    found.server.server_close()


def _delivery(kind: str, count: int) -> bytes:
    events = [
        {
            "event_type": kind,
            "id": {"workspace_id": "ws-1", "object_id": "people", "record_id": f"r-{n}"},
            "actor": {"type": "workspace-member", "id": "m-1"},
        }
        for n in range(count)
    ]
    return orjson.dumps({"webhook_id": "wh-1", "events": events})


def _wait(done: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def test_dead_letters_an_open_circuit_and_a_degraded_webhook_each_notify_once(
    tmp_path: Path, outside: Outside
) -> None:
    routes = Router()

    @routes.on("record.updated")
    async def refuse(event: Event, ctx: HandlerContext) -> None:
        raise InvalidInputError("this record cannot be synced")  # not retryable: dead at once

    @routes.on("record.created")
    async def attio_down(event: Event, ctx: HandlerContext) -> None:
        raise ConnectionError("Attio answers 503")

    tenant = Tenant(api_key="key-alerts-31", base_url=outside.url, attio_secrets=(SECRET,))
    env = {
        "XDG_CONFIG_HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path),
        "ATTIO_BRIDGE_ALERT_WEBHOOK_URL": f"{outside.url}/alerts/t0ken-in-path",
        "ATTIO_BRIDGE_ALERT_CHECK_INTERVAL": "0.2",
    }
    service = build_service(
        Tenants([tenant]),
        environ=env,
        jobs_url=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        retry=RetrySchedule(attempts=2, first_delay=0.01, jitter=0.0),
        handler_router=routes,
        circuits=Circuits(redis_url="", settings=CircuitSettings(fail_max=2, reset_timeout=600)),
    )
    with TestClient(create_app(service)) as client:
        for kind, key in (("record.updated", "d-1"), ("record.created", "d-2")):
            body = _delivery(kind, 3)
            answer = client.post("/webhooks/attio", content=body, headers=signed(body, key))
            assert answer.status_code == 200
        _wait(
            lambda: {a["kind"] for a in outside.alerts} >= {"dead-letter", "circuit"},
            f"a dead-letter and a circuit alert (got {outside.alerts})",
        )
        _wait(
            lambda: any(a["kind"] == "webhook-degraded" for a in outside.alerts),
            "the periodic check's degraded webhook alert",
        )
        _wait(lambda: len(service.jobs.list(status="dead", limit=None)) == 6, "6 dead letters")  # type: ignore[attr-defined]
        time.sleep(0.5)  # a few more periodic checks: still one alert per incident
    keys = [a["key"] for a in outside.alerts]
    assert len(keys) == len(set(keys)), keys  # once per incident, not once per event
    assert "webhook-degraded:wh-degraded-1" in keys
    assert sum(a["kind"] == "circuit" for a in outside.alerts) == 1
