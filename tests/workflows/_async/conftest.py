"""Fixtures of the workflow tests, written once in ``_async/conftest.py`` (``_sync/conftest.py``
is generated from it), so both flavours of a test get the same workspace: ``client`` on the
test's fresh emulator (``app``, from ``tests/workflows/conftest.py``) and ``services`` on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from attio_bridge.client import AsyncAttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.services import AsyncServices

from .._transports import async_transport
from ..conftest import API_KEY, URL


@pytest.fixture
async def client(app: EmulatorApp) -> AsyncIterator[AsyncAttioClient]:
    """A client on ``app``, without rate limits."""
    async with AsyncAttioClient(
        api_key=API_KEY,
        base_url=URL,
        transport=async_transport(app),
        rate_limit_backend="memory",
        read_rate=0,
        write_rate=0,
    ) as attio:
        yield attio


@pytest.fixture
def services(client: AsyncAttioClient) -> AsyncServices:
    """The services on ``client``."""
    return AsyncServices(client)
