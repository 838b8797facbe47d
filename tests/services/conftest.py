"""Fixtures of the services tests: a fresh in-process emulator per test holding a few lists,
clients wired to it through the transport seam, and ``Services`` / ``AsyncServices`` on them.

The workspace: ``pipeline`` and ``prospects`` (lists of companies, each with a ``stage`` status
and a ``priority`` select) and ``big_deals`` (a list of deals with a ``note`` text attribute).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from attio_bridge.client import AsyncAttioClient, AttioClient
from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.services import AsyncServices, Services
from attio_bridge.testing import SyncASGITransport

API_KEY = "services-suite-key"
URL = "http://emulator.test"
STAGES = ["Lead", "Qualified", "Closed"]
PRIORITIES = ["High", "Low"]


def attribute_body(slug: str, type_: str, **extra: Any) -> dict[str, Any]:
    """The create body of an attribute ``slug`` of ``type_``."""
    body: dict[str, Any] = {
        "title": slug.replace("_", " ").title(),
        "description": None,
        "api_slug": slug,
        "type": type_,
        "is_required": False,
        "is_unique": False,
        "is_multiselect": False,
        "config": {},
    }
    return body | extra


def build_workspace(client: AttioClient) -> None:
    """The lists the tests use (see the module docstring)."""
    for slug, name in (("pipeline", "Pipeline"), ("prospects", "Prospects")):
        client.lists.create(name=name, api_slug=slug, parent_object="companies")
        client.attributes.create("lists", slug, attribute_body("stage", "status"))
        for title in STAGES:
            client.attributes.create_status("lists", slug, "stage", title=title)
        client.attributes.create("lists", slug, attribute_body("priority", "select"))
        for title in PRIORITIES:
            client.attributes.create_option("lists", slug, "priority", title=title)
    client.lists.create(name="Big deals", api_slug="big_deals", parent_object="deals")
    client.attributes.create("lists", "big_deals", attribute_body("note", "text"))


def add_deal_attributes(client: AttioClient) -> None:
    """Give deals the optional ``close_date`` (date) and ``probability`` (number)."""
    client.attributes.create("objects", "deals", attribute_body("close_date", "date"))
    client.attributes.create("objects", "deals", attribute_body("probability", "number"))


@pytest.fixture
def app() -> EmulatorApp:
    """A fresh emulator without rate limits."""
    return create_app(EmulatorConfig(api_keys=[API_KEY], read_rate=0, write_rate=0))


@pytest.fixture
def client(app: EmulatorApp) -> Iterator[AttioClient]:
    """An ``AttioClient`` on ``app``, after the workspace is built; the journal starts empty."""
    transport = SyncASGITransport(app)
    with AttioClient(
        api_key=API_KEY,
        base_url=URL,
        transport=transport,
        rate_limit_backend="memory",
        read_rate=0,
        write_rate=0,
    ) as attio:
        build_workspace(attio)
        app.state.journal.entries.clear()
        yield attio
    transport.close()


@pytest.fixture
def member_email(client: AttioClient) -> str:
    """The email address of the workspace's member."""
    return client.workspace_members.list()[0].email_address or ""


@pytest.fixture
def services(client: AttioClient) -> Services:
    """The sync services."""
    return Services(client)


@pytest.fixture
def anyio_backend() -> str:
    """The async client sleeps with asyncio."""
    return "asyncio"


@pytest.fixture
async def aclient(app: EmulatorApp, client: AttioClient) -> AsyncIterator[AsyncAttioClient]:
    """An ``AsyncAttioClient`` on ``app`` (built through ``client``)."""
    async with AsyncAttioClient(
        api_key=API_KEY,
        base_url=URL,
        transport=httpx.ASGITransport(app=app),
        rate_limit_backend="memory",
        read_rate=0,
        write_rate=0,
    ) as attio:
        yield attio


@pytest.fixture
def aservices(aclient: AsyncAttioClient) -> AsyncServices:
    """The async services."""
    return AsyncServices(aclient)


def writes(app: EmulatorApp) -> list[tuple[str, str]]:
    """The write requests the emulator received (method, path), oldest first."""
    return [
        (e["method"], e["path"])
        for e in app.state.journal.render()
        if e["method"] in ("POST", "PUT", "PATCH", "DELETE") and not e["path"].endswith("/query")
    ]
