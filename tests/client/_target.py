"""What a client test points at (``Target``) and small helpers shared by the client's tests."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from attio_bridge.client import AsyncAttioClient, AttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.testing import SyncASGITransport

EMULATOR_URL = "http://emulator.test"
# Distinct from tests/conftest.py's key, and long, so a leak into a message is unmistakable.
API_KEY = "client-suite-key-4f1c9a7e2b"


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes every request on to ``inner`` (the emulator, or the network) and keeps it.

    Not a mock: the real target answers. It shows what the client put on the wire, bodies
    included, which the emulator's journal (method, path, query) does not keep.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Keep ``request`` and send it on."""
        await request.aread()
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the transport underneath."""
        await self.inner.aclose()


@dataclass
class Target:
    """Where a test's clients point, and how to steer and observe it when it is the emulator."""

    kind: str  # inprocess | process | real
    api_key: str
    base_url: str
    app: EmulatorApp | None = None
    _control: httpx.Client | None = None
    _opened: list[Any] = field(default_factory=list)

    @property
    def is_emulator(self) -> bool:
        """Whether this is the emulator (in-process or a process), not real Attio."""
        return self.kind != "real"

    def require_emulator(self, why: str) -> None:
        """Skip the test on real Attio: it needs the emulator's control plane."""
        if not self.is_emulator:
            pytest.skip(f"needs the emulator ({why})")

    # -- clients -----------------------------------------------------------------------------
    def options(self, **overrides: Any) -> dict[str, Any]:
        """Client options for this target (no transport); ``overrides`` win."""
        opts: dict[str, Any] = {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "rate_limit_backend": "memory",
        }
        if self.is_emulator:
            # The emulator runs without limits; real Attio keeps the default pacing.
            opts.update(read_rate=0, write_rate=0)
        opts.update(overrides)
        return opts

    def async_transport(self) -> httpx.AsyncBaseTransport | None:
        """The transport an async client needs (None: the network)."""
        return httpx.ASGITransport(app=self.app) if self.app is not None else None

    def sync_transport(self) -> httpx.BaseTransport | None:
        """The transport a sync client needs (None: the network)."""
        if self.app is None:
            return None
        transport = SyncASGITransport(self.app)
        self._opened.append(transport)
        return transport

    def recording_async_client(
        self, **overrides: Any
    ) -> tuple[AsyncAttioClient, list[httpx.Request]]:
        """An ``AsyncAttioClient`` whose requests are kept, as sent, in the returned list."""
        inner = self.async_transport() or httpx.AsyncHTTPTransport()
        recorder = RecordingTransport(inner)
        return self.async_client(transport=recorder, **overrides), recorder.requests

    def async_client(self, **overrides: Any) -> AsyncAttioClient:
        """An ``AsyncAttioClient`` for this target."""
        opts = self.options(**overrides)
        opts.setdefault("transport", self.async_transport())
        client = AsyncAttioClient(**opts)
        self._opened.append(client)
        return client

    def sync_client(self, **overrides: Any) -> AttioClient:
        """An ``AttioClient`` for this target."""
        opts = self.options(**overrides)
        opts.setdefault("transport", self.sync_transport())
        client = AttioClient(**opts)
        self._opened.append(client)
        return client

    # -- the emulator's control plane ----------------------------------------------------------
    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Call ``/_emulator{path}``; the decoded answer."""
        if self._control is None:
            raise RuntimeError("real Attio has no control plane")
        response = self._control.request(method, f"/_emulator{path}", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def journal(self) -> list[dict[str, Any]]:
        """The API requests the emulator received during this test, oldest first."""
        entries: list[dict[str, Any]] = self.control("GET", "/journal")
        return entries

    def operations_called(self) -> list[str]:
        """The operation of each request in the journal (``"GET /v2/objects"``, ...)."""
        return [entry["operation"] for entry in self.journal()]

    def add_fault(self, match: str, kind: str, **options: Any) -> None:
        """Inject a fault into the emulator's API routes (see ``emulator/control.py``)."""
        self.control("POST", "/faults", {"match": match, "kind": kind, **options})

    def reset(self) -> None:
        """An empty workspace, no faults, an empty journal."""
        self.control("POST", "/reset")
        self.control("DELETE", "/faults")
        self.control("POST", "/latency", {"ms": 0})
        self.control("DELETE", "/journal")

    def close(self) -> None:
        """Close the sync clients and transports made for the test.

        Async clients need the test's event loop to close: whoever makes one closes it.
        """
        for thing in reversed(self._opened):
            if isinstance(thing, AttioClient | SyncASGITransport):
                thing.close()
        if self._control is not None:
            self._control.close()


def unique(prefix: str) -> str:
    """A name no other test or run uses (real Attio keeps what earlier runs left behind)."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``check`` until it is true (for real Attio's eventually consistent search)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()
