"""Fixtures of the workflow tests, written once in ``_async/conftest.py`` (``_sync/conftest.py``
is generated from it), so both flavours of a test get the same workspace: ``client`` on the
test's fresh emulator (``app``, from ``tests/workflows/conftest.py``) and ``services`` on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from attio_bridge.client import AsyncAttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.services import AsyncServices

from .._clients import async_client


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The state store's default place (and that of the files older versions kept), the
    test's own: no test reads or writes the user's ``~/.local/state``."""
    home = tmp_path / "state-home"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    monkeypatch.delenv("ATTIO_BRIDGE_DATABASE_URL", raising=False)
    return home


@pytest.fixture
async def client(app: EmulatorApp) -> AsyncIterator[AsyncAttioClient]:
    """A client on ``app``, without rate limits."""
    async with async_client(app) as attio:
        yield attio


@pytest.fixture
def services(client: AsyncAttioClient) -> AsyncServices:
    """The services on ``client``."""
    return AsyncServices(client)
