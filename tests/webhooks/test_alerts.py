"""Alerts, once per incident: dead letters, open circuits and degraded webhooks notify the team
through the Slack stand-in (the emulator as a process: slack_sdk speaks urllib) or a webhook
URL (httpx's MockTransport as the seam); a resolved incident notifies again when it comes back;
a notifier that fails is logged without secrets and never fails the caller."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from attio_bridge.client import AttioClient
from attio_bridge.client.models import Webhook
from attio_bridge.connectors import SlackConnector
from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.errors import AttioError
from attio_bridge.jobs.circuits import CircuitChange, Circuits, CircuitSettings
from attio_bridge.state import StateStore, open_store
from attio_bridge.testing import EmulatorProcess, SyncASGITransport
from attio_bridge.testing.process import free_port
from attio_bridge.webhooks.alerts import (
    DEAD_LETTER_SETTLE,
    Alerts,
    SlackNotifier,
    WebhookNotifier,
)
from tests.connectors._support import call, fail, reset

TOKEN = "xoxb-alerts"
HOOK_URL = "https://hooks.example.com/services/T0/B0/very-secret-path-token"


@dataclass(frozen=True)
class JobEvent:
    """The job queue's event, as the contract shapes it (the fields an observer reads)."""

    job_id: str
    kind: str
    partition: str
    what: str
    attempt: int = 5
    error: str | None = None
    result: dict[str, Any] | None = None
    at: float = 0.0


def dead(n: int, partition: str = "acme:people") -> JobEvent:
    return JobEvent(f"job-{n}", "webhook-event", partition, "dead", error="handler failed")


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(api_key=TOKEN) as process:
        yield process


@pytest.fixture
def slack(emu: EmulatorProcess) -> SlackConnector:
    """A connector to a fresh stand-in with an #alerts channel."""
    reset(emu)
    connector = SlackConnector(TOKEN, base_url=f"{emu.base_url}/slack/api/")
    connector.create_channel("alerts")
    return connector


def messages(emu: EmulatorProcess) -> list[str]:
    """The texts posted to #alerts, oldest first, read back past the connector."""
    status, listed = call(f"{emu.base_url}/slack/api/conversations.list", {}, token=TOKEN)
    assert status == 200
    (channel,) = [c["id"] for c in listed["channels"] if c["name"] == "alerts"]
    _, answer = call(
        f"{emu.base_url}/slack/api/conversations.history", {"channel": channel}, token=TOKEN
    )
    return [m["text"] for m in reversed(answer["messages"])]


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'state.sqlite3'}"


@pytest.fixture
def store(database: str) -> Iterator[StateStore]:
    with open_store(database) as opened:
        yield opened


class Receiver:
    """A webhook receiver behind httpx's MockTransport: keeps each JSON body, answers
    ``status`` (or raises a connection error when ``down``)."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.status = 200
        self.down = False
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError(f"connection refused to {request.url}")
        self.bodies.append(json.loads(request.content))
        return httpx.Response(self.status)


def test_fifty_dead_letters_make_one_slack_message(
    emu: EmulatorProcess, slack: SlackConnector, store: StateStore
) -> None:
    alerts = Alerts(store, [SlackNotifier(slack, "#alerts")])
    for n in range(50):
        alerts.on_job_event(dead(n))
    alerts.on_job_event(JobEvent("job-x", "webhook-event", "acme:people", "succeeded"))
    texts = messages(emu)
    assert len(texts) == 1
    assert "Dead letters for people in workspace acme" in texts[0]
    assert "attio-bridge jobs replay job-0" in texts[0]
    incident = alerts.open_incidents()["dead-letter:acme:people"]
    assert incident["events"] == 50 and incident["notified"] is True


def test_processes_sharing_the_store_notify_once(
    emu: EmulatorProcess, slack: SlackConnector, database: str
) -> None:
    stores = [open_store(database), open_store(database)]
    everyone = [Alerts(s, [SlackNotifier(slack, "#alerts")]) for s in stores]

    def flood(alerts: Alerts, start: int) -> None:
        for n in range(start, start + 15):
            alerts.on_job_event(dead(n))

    threads = [threading.Thread(target=flood, args=(a, i * 100)) for i, a in enumerate(everyone)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(messages(emu)) == 1
    assert everyone[0].open_incidents()["dead-letter:acme:people"]["events"] == 30
    for opened in stores:
        opened.close()


def test_resolved_then_failing_again_notifies_again(
    emu: EmulatorProcess, slack: SlackConnector, store: StateStore
) -> None:
    now = [1_000.0]
    alerts = Alerts(store, [SlackNotifier(slack, "#alerts")], clock=lambda: now[0])
    alerts.on_job_event(dead(1))
    alerts.on_job_event(dead(2, "globex:deals"))
    assert len(messages(emu)) == 2
    # A listing taken as the dead letter arrives may not show it yet: too soon to resolve.
    assert alerts.sweep_dead_letters([]) == []
    now[0] += DEAD_LETTER_SETTLE + 1
    # globex's dead letters are still there; acme's were replayed.
    assert alerts.sweep_dead_letters(["globex:deals"]) == ["dead-letter:acme:people"]
    alerts.on_job_event(dead(3, "globex:deals"))
    assert len(messages(emu)) == 2
    alerts.on_job_event(dead(4))
    texts = messages(emu)
    assert len(texts) == 3 and "job-4" in texts[2]


def test_an_open_circuit_posts_one_alert_to_a_webhook_url(store: StateStore) -> None:
    receiver = Receiver()
    alerts = Alerts(store, [WebhookNotifier(HOOK_URL, transport=receiver.transport)])
    circuits = Circuits(settings=CircuitSettings(fail_max=2, reset_timeout=60), environ={})
    circuits.add_listener(alerts.on_circuit_change)
    breaker = circuits.breaker_for("hubspot", "acme")

    class Down(AttioError):
        retryable = True

    def down() -> None:
        raise Down("503")

    for _ in range(2):
        with pytest.raises(Down):
            breaker.call(down)
    assert breaker.state == "open"
    # Another worker noticing the same open circuit does not post again.
    alerts.on_circuit_change(CircuitChange("hubspot", "acme", "closed", "open"))
    assert len(receiver.bodies) == 1
    body = receiver.bodies[0]
    assert body["key"] == "circuit:acme:hubspot" and body["kind"] == "circuit"
    assert body["title"] == "hubspot is down for workspace acme"
    breaker.reset()  # closed: the incident resolves
    assert alerts.open_incidents() == {}
    for _ in range(2):
        with pytest.raises(Down):
            breaker.call(down)
    assert len(receiver.bodies) == 2


def hook(webhook_id: str, status: str) -> Webhook:
    return Webhook(
        id={"workspace_id": "ws", "webhook_id": webhook_id},
        target_url="https://bridge.example.com/webhooks/attio/secret-path",
        subscriptions=[],
        status=status,
    )


def test_a_degraded_webhook_alerts_once_until_it_is_active_again(store: StateStore) -> None:
    receiver = Receiver()
    alerts = Alerts(store, [WebhookNotifier(HOOK_URL, transport=receiver.transport)])
    assert alerts.check_webhooks([hook("h1", "degraded"), hook("h2", "active")], tenant="acme") == [
        "webhook-degraded:h1"
    ]
    alerts.check_webhooks([hook("h1", "degraded"), hook("h2", "active")], tenant="acme")
    assert [b["key"] for b in receiver.bodies] == ["webhook-degraded:h1"]
    assert "secret-path" not in json.dumps(receiver.bodies)
    alerts.check_webhooks([hook("h1", "active")], tenant="acme")
    assert alerts.open_incidents() == {}
    alerts.check_webhooks([hook("h1", "degraded")], tenant="acme")
    assert len(receiver.bodies) == 2
    # Another tenant's check leaves acme's incident; acme's webhook deleted resolves it.
    alerts.check_webhooks([], tenant="globex")
    assert list(alerts.open_incidents()) == ["webhook-degraded:h1"]
    alerts.check_webhooks([], tenant="acme")
    assert alerts.open_incidents() == {}


def test_a_failing_notifier_is_logged_without_secrets_and_tried_again_later(
    store: StateStore, caplog: pytest.LogCaptureFixture
) -> None:
    receiver = Receiver()
    receiver.down = True
    now = [1000.0]
    alerts = Alerts(
        store,
        [WebhookNotifier(HOOK_URL, transport=receiver.transport)],
        clock=lambda: now[0],
    )
    caplog.set_level(logging.INFO)
    assert alerts.dead_letter("acme", "people", job_id="j1", error="boom") is False
    assert "could not be reached (ConnectError)" in caplog.text
    assert "https://hooks.example.com" in caplog.text
    assert "very-secret-path-token" not in caplog.text and "/services/" not in caplog.text
    receiver.down = False
    receiver.status = 500
    now[0] += 10  # within the minute: not tried again
    assert alerts.dead_letter("acme", "people", job_id="j2", error="boom") is False
    assert receiver.bodies == []
    now[0] += 60
    assert alerts.dead_letter("acme", "people", job_id="j3", error="boom") is False
    assert "answered 500" in caplog.text and len(receiver.bodies) == 1
    receiver.status = 200
    now[0] += 61
    assert alerts.dead_letter("acme", "people", job_id="j4", error="boom") is True
    assert alerts.dead_letter("acme", "people", job_id="j5", error="boom") is False
    assert len(receiver.bodies) == 2


def test_a_failing_slack_is_logged_without_the_token(
    emu: EmulatorProcess,
    slack: SlackConnector,
    store: StateStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fail(emu, system="slack", method="chat.postMessage", error="invalid_auth")
    alerts = Alerts(store, [SlackNotifier(slack, "#alerts")])
    caplog.set_level(logging.INFO)
    alerts.on_job_event(dead(1))  # does not raise
    assert "ConnectorError: Slack refused the token (invalid_auth)" in caplog.text
    assert TOKEN not in caplog.text
    assert messages(emu) == []


def test_a_webhook_the_emulator_degrades_is_found_by_the_check(store: StateStore) -> None:
    """The emulator marks a webhook degraded after its last failed delivery (a closed port);
    the check reads the workspace's webhooks and alerts once."""
    app = create_app(
        EmulatorConfig(api_keys=[TOKEN], read_rate=0, write_rate=0, webhook_retry_schedule=(0.05,))
    )
    transport = SyncASGITransport(app)
    receiver = Receiver()
    alerts = Alerts(store, [WebhookNotifier(HOOK_URL, transport=receiver.transport)])
    try:
        with AttioClient(api_key=TOKEN, base_url="http://emulator.test", transport=transport) as c:
            made = c.webhooks.create(
                target_url=f"http://127.0.0.1:{free_port()}/closed",
                subscriptions=[{"event_type": "record.created", "filter": None}],
            )
            assert alerts.check_webhooks(c.webhooks.iter()) == []
            c.records.create("companies", {"name": "Acme"})
            assert app.state.deliveries.wait_idle(10.0)
            assert c.webhooks.get(made.id["webhook_id"]).status == "degraded"
            found = alerts.check_webhooks(c.webhooks.iter())
            alerts.check_webhooks(c.webhooks.iter())
    finally:
        app.state.deliveries.close()
    assert found == [f"webhook-degraded:{made.id['webhook_id']}"]
    assert [b["kind"] for b in receiver.bodies] == ["webhook-degraded"]
