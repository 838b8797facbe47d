"""End to end: the emulator's real webhook delivery (signed, over HTTP, with its
``Idempotency-Key``) to a receiver served in-process, verified with the secret Attio returned
on create, stored, then processed by the default handlers against the same emulator."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest

from attio_bridge.cache import CacheKind
from attio_bridge.client import AsyncAttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.services import AsyncServices, record_key
from attio_bridge.state import open_store
from attio_bridge.webhooks import (
    Coalescer,
    EventProcessor,
    HandlerContext,
    InboundRequest,
    Receiver,
    Tenant,
    Tenants,
    router,
)

from .conftest import Recorder

pytestmark = pytest.mark.anyio


class Endpoint:
    """A local HTTP server whose POSTs go to ``receiver.dispatch`` (a minimal web adapter)."""

    def __init__(self) -> None:
        self.receiver: Receiver | None = None
        self.raw: list[tuple[dict[str, str], bytes]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                assert endpoint.receiver is not None
                headers = dict(self.headers.items())
                early = endpoint.receiver.precheck("attio", None, headers)
                if early is None:
                    body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                    endpoint.raw.append((headers, body))
                    request = InboundRequest(
                        "attio",
                        None,
                        "POST",
                        f"http://{self.headers['Host']}{self.path}",
                        headers,
                        body,
                    )
                    reply = asyncio.run(endpoint.receiver.dispatch(request))
                else:
                    reply = early
                data = orjson.dumps(reply.body)
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/attio"


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    """The endpoint, serving until the test ends."""
    e = Endpoint()
    e.thread.start()
    try:
        yield e
    finally:
        e.server.shutdown()
        e.server.server_close()


async def test_a_real_delivery_is_verified_stored_and_processed(
    attio_emulator: EmulatorApp,
    attio_async_client: AsyncAttioClient,
    endpoint: Endpoint,
    tmp_path: Path,
) -> None:
    hook = await attio_async_client.webhooks.create(
        target_url=endpoint.url,
        subscriptions=[
            {"event_type": "record.created", "filter": None},
            {"event_type": "record.updated", "filter": None},
        ],
    )
    assert hook.secret
    recorder = Recorder()
    endpoint.receiver = Receiver(Tenants([Tenant(attio_secrets=(hook.secret,))]), recorder)

    services = AsyncServices(attio_async_client)
    ada = await services.people.upsert(email="ada@example.com", name="Ada Lovelace")
    await attio_async_client.records.update("people", ada.record_id, {"job_title": "Engineer"})
    assert attio_emulator.state.deliveries.wait_idle(10)

    attempts = attio_emulator.state.deliveries.render_deliveries()
    assert attempts and all(a["status_code"] == 200 for a in attempts)
    types = [e.type for e in recorder.stored]
    assert "record.created" in types and "record.updated" in types
    # Each stored event names its delivery by the emulator's Idempotency-Key.
    assert {e.delivery_id for e in recorder.stored} == {a["idempotency_key"] for a in attempts}

    # The same bytes with one byte changed are refused, and nothing more is stored.
    headers, body = endpoint.raw[-1]
    tampered = body.replace(b"record.updated", b"record.deleted")
    stored = len(recorder.stored)
    reply = await endpoint.receiver.dispatch(
        InboundRequest("attio", None, "POST", endpoint.url, headers, tampered)
    )
    assert reply.status == 401 and len(recorder.stored) == stored

    # Processing the stored events leaves the cache holding the new value.
    with open_store(f"sqlite:///{tmp_path / 'state.sqlite3'}") as store:
        context = HandlerContext.build(Tenant(), services, store)
        context.coalescer = Coalescer()
        processor = EventProcessor(router, lambda workspace: context)
        for event in recorder.stored:
            await processor(event.to_payload())
    fresh = await services.cache.aget(record_key("people", ada.record_id), CacheKind.RECORDS)
    assert fresh["values"]["job_title"][0]["value"] == "Engineer"
