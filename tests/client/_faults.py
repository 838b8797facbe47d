"""Helpers for the client's retry, rate-budget and bulk tests: an in-process emulator with faults.

``FaultyEmulator`` is a fresh emulator (``create_app``) with its own API key, so the process-wide
rate budgets of different tests never meet. Its clients reach it through ``NetworkASGITransport``:
httpx's ``ASGITransport`` as a network would behave, because the plain one neither enforces the
client's timeout nor turns a connection the server cut off into a transport error.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import redis

from attio_bridge.client import AsyncAttioClient
from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.emulator.http import ConnectionDropped
from tests._servers import server_absent

BASE_URL = "http://emulator.test"
REDIS_URL = "redis://127.0.0.1:6379/0"

# Operation names the emulator gives its routes (what a fault's ``match`` is compared with).
ASSERT = "PUT /v2/objects/{object}/records"
CREATE = "POST /v2/objects/{object}/records"
GET_RECORD = "GET /v2/objects/{object}/records/{record_id}"
PATCH_RECORD = "PATCH /v2/objects/{object}/records/{record_id}"
DELETE_RECORD = "DELETE /v2/objects/{object}/records/{record_id}"
QUERY = "POST /v2/objects/{object}/records/query"


def unique_key(prefix: str = "test") -> str:
    """An API key no other test (or earlier run) uses, so budgets and Redis keys never collide."""
    return f"{prefix}-{uuid.uuid4().hex}"


class NetworkASGITransport(httpx.AsyncBaseTransport):
    """``httpx.ASGITransport`` plus what a socket adds: read timeouts and dropped connections.

    The request's read timeout bounds the whole exchange (raising ``httpx.ReadTimeout``), and
    the emulator's injected drop, which cuts a started response off mid-body, surfaces as the
    ``httpx.RemoteProtocolError`` a real connection closed by its peer gives.
    """

    def __init__(self, app: EmulatorApp) -> None:
        self._asgi = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` to the app, as over a network."""
        timeout = request.extensions.get("timeout", {}).get("read")
        try:
            async with asyncio.timeout(timeout):
                return await self._asgi.handle_async_request(request)
        except TimeoutError as exc:
            raise httpx.ReadTimeout("timed out reading the response", request=request) from exc
        except ConnectionDropped as exc:
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body", request=request
            ) from exc

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._asgi.aclose()


class FaultyEmulator:
    """An in-process emulator with Attio's limits (or none), its own key, faults and journal."""

    def __init__(self, *, read_rate: float = 0, write_rate: float = 0) -> None:
        self.api_key = unique_key()
        self.app = create_app(
            EmulatorConfig(api_keys=[self.api_key], read_rate=read_rate, write_rate=write_rate)
        )

    def client(self, **options: Any) -> AsyncAttioClient:
        """An ``AsyncAttioClient`` for this emulator, budgeted in memory unless told otherwise."""
        options.setdefault("api_key", self.api_key)
        options.setdefault("rate_limit_backend", "memory")
        return AsyncAttioClient(
            base_url=BASE_URL, transport=NetworkASGITransport(self.app), **options
        )

    def fault(
        self, match: str, kind: str, *, rate: float = 1.0, count: int | None = None, **opts: Any
    ) -> None:
        """Inject a fault (as ``POST /_emulator/faults`` does): ``count`` times, or for ever."""
        self.app.state.faults.add(match, kind, rate=rate, remaining=count, **opts)

    def journal(self, operation: str | None = None) -> list[dict[str, Any]]:
        """The requests the emulator answered (as ``GET /_emulator/journal`` shows them)."""
        entries = self.app.state.journal.render()
        return [e for e in entries if operation is None or e["operation"] == operation]

    def statuses(self, operation: str | None = None) -> list[int]:
        """The status of every answered request, oldest first."""
        return [e["status"] for e in self.journal(operation)]


async def count_records(attio: AsyncAttioClient, object: str = "people") -> int:
    """How many records ``object`` holds, counted through the API."""
    return len([r async for r in attio.records.iter(object)])


def emails(record: Any) -> list[str]:
    """The email addresses on a record as the API returned it."""
    return [v["email_address"] for v in record.values.get("email_addresses", [])]


def redis_or_skip() -> redis.Redis:
    """A client for the real Redis at 127.0.0.1:6379; skip the test if none answers there."""
    conn = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        conn.ping()
    except redis.RedisError as exc:
        conn.close()
        server_absent(
            f"no Redis answers at {REDIS_URL} ({exc})", "the cross-machine budget needs one"
        )
    return conn


@contextmanager
def sqlite_budget_files(fingerprint: str) -> Iterator[None]:
    """Remove the budget files a test's sqlite budget leaves in the temp folder."""
    try:
        yield
    finally:
        folder = Path(tempfile.gettempdir()) / "attio-bridge"
        for path in folder.glob(f"rate-{fingerprint}-*"):
            path.unlink(missing_ok=True)
