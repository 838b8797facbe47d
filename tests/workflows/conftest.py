"""Fixtures of the workflow tests: a fresh in-process emulator per test (``app``), an
``AsyncAttioClient`` wired to it through ``httpx.ASGITransport`` (``aclient``), a factory of
more such workspaces (``new_client``), a state store of each test's own (``state_home``), and
helpers reading what the workspace holds."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest

from attio_bridge.client import AsyncAttioClient
from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.state import DATABASE_URL_ENV
from attio_bridge.values import decode_record, load_schema_async

API_KEY = "workflows-suite-key"
URL = "http://emulator.test"


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own state store (``open_store()``'s default SQLite file under
    ``XDG_STATE_HOME``), also for the commands and processes it starts: runs never share
    checkpoints or manifests with another test or the machine's real store."""
    home = tmp_path / "state-home"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    return home


@pytest.fixture
def anyio_backend() -> str:
    """The async client sleeps with asyncio."""
    return "asyncio"


def fresh_app() -> EmulatorApp:
    """A new emulator without rate limits."""
    return create_app(EmulatorConfig(api_keys=[API_KEY], read_rate=0, write_rate=0))


def client_for(app: EmulatorApp) -> AsyncAttioClient:
    """An ``AsyncAttioClient`` on ``app``."""
    return AsyncAttioClient(
        api_key=API_KEY,
        base_url=URL,
        transport=httpx.ASGITransport(app=app),
        rate_limit_backend="memory",
        read_rate=0,
        write_rate=0,
    )


@pytest.fixture
def app() -> EmulatorApp:
    """A fresh emulator."""
    return fresh_app()


@pytest.fixture
async def aclient(app: EmulatorApp) -> AsyncIterator[AsyncAttioClient]:
    """An ``AsyncAttioClient`` on ``app``."""
    async with client_for(app) as attio:
        yield attio


@pytest.fixture
def new_client() -> Callable[[], AbstractAsyncContextManager[AsyncAttioClient]]:
    """Makes clients on new, empty workspaces."""
    return lambda: client_for(fresh_app())


async def rows_of(client: AsyncAttioClient, object: str) -> list[dict[str, Any]]:
    """Every record of ``object`` decoded, without ``record_id``."""
    schema = await load_schema_async(client)
    out = []
    async for record in client.records.iter(object):
        row = decode_record(schema, record)
        row.pop("record_id")
        out.append(row)
    return out


def write_count(app: EmulatorApp, object: str) -> int:
    """How many record writes of ``object`` the emulator received."""
    return sum(
        1
        for e in app.state.journal.render()
        if e["method"] in ("POST", "PUT", "PATCH")
        and e["path"].startswith(f"/v2/objects/{object}/records")
        and not e["path"].endswith("/query")
    )
