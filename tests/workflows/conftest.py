"""Fixtures of the workflow tests: a fresh in-process emulator per test (``app``), an
``AsyncAttioClient`` wired to it through ``httpx.ASGITransport`` (``aclient``), a factory of
more such workspaces (``new_client``), and helpers reading what the workspace holds."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest

from attio_bridge.client import AsyncAttioClient
from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.values import decode_record, load_schema_async

from ._clients import API_KEY, async_client


@pytest.fixture
def anyio_backend() -> str:
    """The async client sleeps with asyncio."""
    return "asyncio"


def fresh_app() -> EmulatorApp:
    """A new emulator without rate limits."""
    return create_app(EmulatorConfig(api_keys=[API_KEY], read_rate=0, write_rate=0))


def client_for(app: EmulatorApp) -> AsyncAttioClient:
    """An ``AsyncAttioClient`` on ``app``."""
    return async_client(app)


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
