"""Clients on the in-process emulator, one per flavour: the async tests use ``async_client``
and their generated sync twins ``sync_client`` (``scripts/gen_sync.py`` renames the one into the
other); tests of either flavour read back through ``sync_client``."""

from __future__ import annotations

import httpx

from attio_bridge.client import AsyncAttioClient, AttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.testing import SyncASGITransport

API_KEY = "workflows-suite-key"
URL = "http://emulator.test"


def async_client(app: EmulatorApp) -> AsyncAttioClient:
    """An async client on ``app`` through httpx's ASGI transport, without rate limits."""
    return AsyncAttioClient(
        api_key=API_KEY,
        base_url=URL,
        transport=httpx.ASGITransport(app=app),
        rate_limit_backend="memory",
        read_rate=0,
        write_rate=0,
    )


def sync_client(app: EmulatorApp) -> AttioClient:
    """A sync client on ``app`` through a transport running it on its own event loop thread,
    without rate limits."""
    return AttioClient(
        api_key=API_KEY,
        base_url=URL,
        transport=SyncASGITransport(app),
        rate_limit_backend="memory",
        read_rate=0,
        write_rate=0,
    )
