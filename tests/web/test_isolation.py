"""Workspaces do not slow each other (issue 11, "Workspaces"): through the real app, receiver and
DBOS job queue (SQLite), one workspace floods, one fails until its Attio circuit opens, and a
healthy one's events are processed while the flood is still draining; the open circuit of the
failing one holds up neither of the others. The flood is not drained: what is left stays stored
when the service stops."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import orjson
from starlette.testclient import TestClient

from attio_bridge.jobs import JobQueue, RetrySchedule
from attio_bridge.jobs.circuits import Circuits, CircuitSettings
from attio_bridge.web import build_service, create_app
from attio_bridge.webhooks import Event, HandlerContext, Router, Tenant, Tenants

from ._support import signed

FLOOD = 500
SECRETS = {"flood": "whsec-flood-0a1b", "failing": "whsec-failing-2c3d", "healthy": "whsec-ok-4e5f"}


def _events(workspace: str, count: int) -> bytes:
    events = [
        {
            "event_type": "record.updated",
            "id": {"workspace_id": workspace, "object_id": "people", "record_id": f"r-{n}"},
            "actor": {"type": "workspace-member", "id": "m-1"},
        }
        for n in range(count)
    ]
    return orjson.dumps({"webhook_id": f"wh-{workspace}", "events": events})


def _wait(done: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.02)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def test_a_flood_and_an_open_circuit_do_not_hold_up_a_healthy_workspace(tmp_path: Path) -> None:
    lock = threading.Lock()
    handled: dict[str, int] = {"flood": 0, "failing": 0, "healthy": 0}
    flood_done_when_healthy_ran: list[int] = []
    routes = Router()

    @routes.on("record.updated")
    async def handle(event: Event, ctx: HandlerContext) -> dict[str, Any]:
        name = ctx.tenant.name
        with lock:
            handled[name] += 1
            if name == "healthy":
                flood_done_when_healthy_ran.append(handled["flood"])
        if name == "failing":
            raise ConnectionError("Attio answers 503 for this workspace")
        if name == "flood":
            await asyncio.sleep(0.005)  # some work, so the flood takes a while to drain
        return {"action": "done"}

    tenants = Tenants(
        Tenant(name=name, api_key=f"key-{name}-77", attio_secrets=(secret,))
        for name, secret in SECRETS.items()
    )
    circuits = Circuits(redis_url="", settings=CircuitSettings(fail_max=3, reset_timeout=600))
    service = build_service(
        tenants,
        environ={"XDG_CONFIG_HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path)},
        jobs_url=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        retry=RetrySchedule(attempts=4, first_delay=0.05, factor=1.0, jitter=0.0),
        concurrency=6,
        partition_concurrency=2,
        handler_router=routes,
        circuits=circuits,
    )
    with TestClient(create_app(service)) as client:

        def post(workspace: str, count: int) -> int:
            body = _events(workspace, count)
            headers = signed(body, key=f"delivery-{workspace}", secret=SECRETS[workspace])
            path = f"/webhooks/attio/{workspace}"
            return client.post(path, content=body, headers=headers).status_code

        assert post("flood", FLOOD) == 200
        assert post("failing", 10) == 200
        assert post("healthy", 5) == 200  # after the whole flood was stored

        _wait(lambda: handled["healthy"] == 5, "the healthy workspace's 5 events handled")
        # Processed while the flood was still draining, not after it.
        assert max(flood_done_when_healthy_ran) < FLOOD
        _wait(
            lambda: circuits.breaker_for("attio", "failing").state == "open",
            "the failing workspace's circuit open",
        )
        _wait(
            lambda: len(service.jobs.list(status="dead", limit=None)) == 10,  # type: ignore[attr-defined]
            "the failing workspace's 10 events dead-lettered",
        )
        # The flood goes on while the failing workspace's circuit is open.
        before = handled["flood"]
        _wait(lambda: handled["flood"] >= before + 10, "the flood still progressing")
        assert handled["flood"] < FLOOD  # the rest stays stored; stopping leaves it queued

    # Stopped gracefully: every flood job is done or still stored to be run by the next worker.
    stored = JobQueue(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    stored.start(work=False)  # inspect only: runs nothing
    try:
        stored_flood = stored.list(partition="flood:people", limit=None)
    finally:
        stored.shutdown()
    states = {info.status for info in stored_flood}
    assert len(stored_flood) == FLOOD and states <= {"succeeded", "queued", "running"}
    assert sum(info.status == "succeeded" for info in stored_flood) == handled["flood"]

    # The open circuit stopped the calls: far fewer than 10 events x 4 attempts reached Attio.
    assert handled["failing"] < 10
    assert circuits.breaker_for("attio", "flood").state == "closed"
    assert circuits.breaker_for("attio", "healthy").state == "closed"
