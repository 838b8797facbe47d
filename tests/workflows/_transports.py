"""The transports into the in-process emulator, one per flavour of client: the async tests use
``async_transport`` and their generated sync twins ``sync_transport`` (``scripts/gen_sync.py``
renames the one into the other)."""

from __future__ import annotations

import httpx

from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.testing import SyncASGITransport


def async_transport(app: EmulatorApp) -> httpx.AsyncBaseTransport:
    """httpx's ASGI transport on ``app``, for an ``AsyncAttioClient``."""
    return httpx.ASGITransport(app=app)


def sync_transport(app: EmulatorApp) -> httpx.BaseTransport:
    """A transport running ``app`` on its own event loop thread, for an ``AttioClient``."""
    return SyncASGITransport(app)
