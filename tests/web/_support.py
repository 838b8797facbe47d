"""What the web tests share: a service on the in-memory queue and receiver, signed deliveries,
and a bounded wait for what happens after the 200."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any

import orjson
from starlette.testclient import TestClient

from attio_bridge.web.feed import FeedRow
from attio_bridge.web.interim import AttioReceiver, MemoryJobQueue, describe_event
from attio_bridge.web.ports import Processor
from attio_bridge.web.service import Service
from attio_bridge.webhooks import Tenant, Tenants

SECRET = "whsec-web-tests-7c1e9a55d0"
API_KEY = "attio-key-web-tests-33ab91"


def make_service(processor: Processor = describe_event, **options: Any) -> Service:
    """A service for one tenant (``default``, signing with ``SECRET``) on the in-memory queue."""
    tenant = Tenant(api_key=API_KEY, attio_secrets=(SECRET,))
    jobs = MemoryJobQueue(delays=(0.01, 0.01))
    return Service(Tenants([tenant]), jobs, AttioReceiver, processor=processor, **options)


def delivery(*events: dict[str, Any]) -> bytes:
    """An Attio delivery of ``events``."""
    return orjson.dumps({"webhook_id": "wh-1", "events": list(events)})


def record_event(record_id: str = "rec-1", kind: str = "record.updated") -> dict[str, Any]:
    """An Attio record event, ids only, as Attio sends it."""
    return {
        "event_type": kind,
        "id": {"workspace_id": "ws-1", "object_id": "people", "record_id": record_id},
        "actor": {"type": "workspace-member", "id": "m-1"},
    }


def signed(body: bytes, key: str = "delivery-1", secret: str = SECRET) -> dict[str, str]:
    """The headers Attio sends with ``body``."""
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "Attio-Signature": signature,
        "Idempotency-Key": key,
        "Content-Type": "application/json",
    }


def post(
    client: TestClient, body: bytes, key: str = "delivery-1", path: str = "/webhooks/attio"
) -> int:
    """POST a signed delivery; its status."""
    return client.post(path, content=body, headers=signed(body, key)).status_code


def wait_for_row(
    service: Service, done: Callable[[FeedRow], bool], timeout: float = 5.0
) -> FeedRow:
    """The first row of the feed for which ``done`` holds, waiting up to ``timeout`` seconds for
    the queue to get there (the job runs after the 200)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for row in service.feed.rows():
            if done(row):
                return row
        time.sleep(0.01)
    raise AssertionError(f"no such row within {timeout} s: {service.feed.rows()}")
