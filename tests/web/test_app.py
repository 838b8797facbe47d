"""The service's routes, in-process: the webhook adapter (status codes, the body cap by
``Content-Length`` and while streaming), health, readiness and metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from starlette.testclient import TestClient

from attio_bridge.web.app import create_app
from attio_bridge.web.service import Service

from ._support import (
    MemoryJobQueue,
    delivery,
    make_service,
    post,
    record_event,
    signed,
    wait_for_row,
)


@pytest.fixture
def service() -> Service:
    return make_service(max_body=2_000)


@pytest.fixture
def client(service: Service) -> Iterator[TestClient]:
    with TestClient(create_app(service)) as client:
        yield client


def test_a_signed_delivery_is_accepted_and_its_event_processed(
    client: TestClient, service: Service
) -> None:
    assert post(client, delivery(record_event("rec-7"))) == 200
    row = wait_for_row(service, lambda r: r.status == "succeeded")
    assert (row.source, row.workspace, row.type) == ("attio", "default", "record.updated")
    assert row.subject == "record rec-7"


def test_a_redelivery_starts_nothing_new(client: TestClient, service: Service) -> None:
    body = delivery(record_event())
    assert post(client, body, key="same") == 200
    assert post(client, body, key="same") == 200
    wait_for_row(service, lambda r: r.status == "succeeded")
    counts = service.feed.counts()
    assert (counts["received"], counts["redelivered"]) == (1, 1)
    assert len(service.feed.rows()) == 1


def test_the_workspace_in_the_path_routes_the_delivery(client: TestClient) -> None:
    body = delivery(record_event())
    assert post(client, body, path="/webhooks/attio/default") == 200
    assert post(client, body, path="/webhooks/attio/elsewhere") == 404


def test_an_unknown_source_is_404_and_names_the_known_ones(client: TestClient) -> None:
    answer = client.post("/webhooks/mailchimp", content=b"{}")
    assert answer.status_code == 404
    assert answer.json()["error"] == "unknown_source"
    assert "attio" in answer.json()["message"]


def test_a_bad_signature_is_401_and_stores_nothing(client: TestClient, service: Service) -> None:
    body = delivery(record_event())
    headers = signed(body, secret="not-the-secret")
    assert client.post("/webhooks/attio", content=body, headers=headers).status_code == 401
    unsigned = {"Content-Type": "application/json"}
    assert client.post("/webhooks/attio", content=body, headers=unsigned).status_code == 401
    assert client.post("/webhooks/attio", content=body).status_code == 415  # not JSON-typed
    assert service.feed.rows() == []


def test_a_body_over_the_limit_is_413_by_its_content_length(
    client: TestClient, service: Service
) -> None:
    body = delivery(record_event("x" * 3_000))
    answer = client.post("/webhooks/attio", content=body, headers=signed(body))
    assert answer.status_code == 413
    assert service.feed.rows() == []


def test_a_streamed_body_over_the_limit_is_413_without_a_content_length(
    client: TestClient, service: Service
) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"x" * 500

    answer = client.post("/webhooks/attio", content=chunks())
    assert answer.status_code == 413
    assert service.feed.rows() == []


def test_the_content_length_is_refused_before_the_body_is_read(service: Service) -> None:
    """The adapter answers 413 from the header alone: the body is never asked for."""
    asked: list[str] = []
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        asked.append("body")
        return {"type": "http.request", "body": b"x" * 10, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/webhooks/attio",
        "raw_path": b"/webhooks/attio",
        "query_string": b"",
        "headers": [(b"content-length", b"99999999"), (b"host", b"test")],
        "scheme": "http",
        "server": ("test", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
        "http_version": "1.1",
    }
    service.start()
    asyncio.run(create_app(service)(scope, receive, send))
    assert sent[0]["status"] == 413
    assert asked == []


def test_a_stopping_service_answers_503_so_the_sender_retries(service: Service) -> None:
    async def scenario() -> tuple[int, httpx.Response]:
        service.start()
        await service.stop()
        transport = httpx.ASGITransport(app=create_app(service))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            body = delivery(record_event())
            answer = await http.post("/webhooks/attio", content=body, headers=signed(body))
            return answer.status_code, await http.get("/readyz")

    status, ready = asyncio.run(scenario())
    assert status == 503
    assert service.feed.rows() == []
    assert ready.status_code == 503
    assert ready.json()["checks"]["intake"].startswith("not taking deliveries")


def test_healthz_answers_while_the_process_lives(client: TestClient) -> None:
    answer = client.get("/healthz")
    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})


def test_readyz_is_200_when_the_job_store_answers(client: TestClient) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"ready": True, "checks": {"intake": "ok", "jobs": "ok"}}


def test_readyz_is_503_naming_an_unreachable_redis_without_its_password() -> None:
    service = make_service(redis_url="redis://:hunter2-redis-pass@127.0.0.1:1/0")
    with TestClient(create_app(service)) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    found = answer.json()
    assert found["ready"] is False
    assert found["checks"]["jobs"] == "ok"
    assert found["checks"]["redis"].startswith("unreachable")
    assert "hunter2-redis-pass" not in answer.text


class _BrokenStore(MemoryJobQueue):
    def depth(self) -> dict[str, int]:
        raise ConnectionRefusedError("the job store is down")


def test_readyz_is_503_naming_a_job_store_that_fails() -> None:
    service = make_service()
    service.jobs = _BrokenStore()
    with TestClient(create_app(service)) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert "the job store is down" in answer.json()["checks"]["jobs"]


def _rejected(reason: str) -> float:
    found = REGISTRY.get_sample_value(
        "attio_bridge_webhooks_rejected_total", {"source": "attio", "reason": reason}
    )
    return found or 0.0


def test_metrics_are_prometheus_text_counting_each_rejection_once_by_reason(
    client: TestClient, service: Service
) -> None:
    before = {r: _rejected(r) for r in ("signature_missing", "too_large", "unknown_tenant")}
    assert post(client, delivery(record_event())) == 200
    unsigned = client.post(
        "/webhooks/attio", content=b"{}", headers={"Content-Type": "application/json"}
    )
    assert unsigned.status_code == 401
    assert unsigned.json()["error"] == "signature_missing"
    assert post(client, delivery(record_event()), path="/webhooks/attio/nobody") == 404
    # Too large while streaming (no Content-Length): refused by the adapter, counted once.
    streamed = client.post(
        "/webhooks/attio",
        content=iter([b"x" * 1500, b"x" * 1500]),
        headers={"Content-Type": "application/json"},
    )
    assert streamed.status_code == 413
    wait_for_row(service, lambda r: r.status == "succeeded")
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    assert "attio_bridge_http_request_duration_seconds_bucket" in answer.text
    assert "attio_bridge_webhooks_stored_total" in answer.text
    after = {r: _rejected(r) for r in before}
    assert {r: after[r] - before[r] for r in before} == {
        "signature_missing": 1.0,
        "too_large": 1.0,
        "unknown_tenant": 1.0,
    }
    # One name per meaning: the jobs' and the receivers' counters, no look-alike of the web's.
    for gone in ("attio_bridge_webhook_requests_total", "attio_bridge_jobs_total"):
        assert gone not in answer.text
