"""Fixtures of the values tests: a fresh in-process emulator per test, clients wired to it
through the transport seam, and a workspace holding an attribute of every creatable type."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from attio_bridge.client import AsyncAttioClient, AttioClient
from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.testing import SyncASGITransport

API_KEY = "values-suite-key"
URL = "http://emulator.test"

# The custom object's attributes: slug -> (type, extra create fields).
GADGET_ATTRIBUTES: dict[str, tuple[str, dict[str, Any]]] = {
    "label": ("text", {"is_required": True}),
    "weight": ("number", {}),
    "active": ("checkbox", {}),
    "price": ("currency", {"config": {"currency": {"default_currency_code": "EUR"}}}),
    "launched_on": ("date", {}),
    "seen_at": ("timestamp", {}),
    "score": ("rating", {}),
    "colour": ("select", {}),
    "tags": ("select", {"is_multiselect": True}),
    "maker": (
        "record-reference",
        {"config": {"record_reference": {"allowed_objects": ["companies"]}}},
    ),
    "owners": (
        "record-reference",
        {"is_multiselect": True, "config": {"record_reference": {"allowed_objects": ["people"]}}},
    ),
    "related": (
        "record-reference",
        {"config": {"record_reference": {"allowed_objects": ["people", "companies"]}}},
    ),
    "steward": ("actor-reference", {}),
    "site": ("location", {}),
    "homepage": ("domain", {}),
    "contact": ("email-address", {}),
    "hotline": ("phone-number", {}),
    "serial": ("text", {"is_unique": True}),
}
COLOURS = ["Red", "Green", "Blue"]
TAGS = ["Hardware", "Software", "Beta"]
STAGES = ["Lead", "Qualified", "Closed"]


@dataclass
class Workspace:
    """An emulator and what the tests need of it."""

    app: EmulatorApp
    client: AttioClient
    member_id: str
    member_email: str

    def journal(self) -> list[dict[str, Any]]:
        """Every request the emulator received, oldest first."""
        return self.app.state.journal.render()

    def schema_calls(self) -> int:
        """How many schema reads (objects, lists, attributes, options, statuses) were made."""
        return sum(
            1
            for e in self.journal()
            if e["method"] == "GET"
            and (e["path"] in ("/v2/objects", "/v2/lists") or "/attributes" in e["path"])
        )


def _attribute_body(slug: str, type_: str, extra: dict[str, Any]) -> dict[str, Any]:
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
    body.update(extra)
    return body


def build_workspace(client: AttioClient) -> None:
    """A custom ``gadgets`` object with an attribute of every type that can be created, a
    ``pipeline`` list of companies with a status and a select, and deals as they come."""
    client.objects.create(api_slug="gadgets", singular_noun="Gadget", plural_noun="Gadgets")
    for slug, (type_, extra) in GADGET_ATTRIBUTES.items():
        client.attributes.create("objects", "gadgets", _attribute_body(slug, type_, extra))
    for title in COLOURS:
        client.attributes.create_option("objects", "gadgets", "colour", title=title)
    for title in TAGS:
        client.attributes.create_option("objects", "gadgets", "tags", title=title)
    client.lists.create(name="Pipeline", api_slug="pipeline", parent_object="companies")
    client.attributes.create("lists", "pipeline", _attribute_body("stage", "status", {}))
    for title in STAGES:
        client.attributes.create_status("lists", "pipeline", "stage", title=title)
    client.attributes.create("lists", "pipeline", _attribute_body("priority", "select", {}))
    for title in ("High", "Low"):
        client.attributes.create_option("lists", "pipeline", "priority", title=title)


@pytest.fixture
def app() -> EmulatorApp:
    """A fresh emulator without rate limits."""
    return create_app(EmulatorConfig(api_keys=[API_KEY], read_rate=0, write_rate=0))


@pytest.fixture
def client(app: EmulatorApp) -> Iterator[AttioClient]:
    """An ``AttioClient`` on ``app``."""
    transport = SyncASGITransport(app)
    with AttioClient(
        api_key=API_KEY,
        base_url=URL,
        transport=transport,
        rate_limit_backend="memory",
        read_rate=0,
        write_rate=0,
    ) as attio:
        yield attio
    transport.close()


@pytest.fixture
def ws(app: EmulatorApp, client: AttioClient) -> Workspace:
    """The built workspace; the journal starts empty after building it."""
    build_workspace(client)
    member = client.workspace_members.list()[0]
    app.state.journal.entries.clear()
    return Workspace(app, client, member.id["workspace_member_id"], member.email_address or "")


@pytest.fixture
def anyio_backend() -> str:
    """The async client sleeps with asyncio."""
    return "asyncio"


@pytest.fixture
async def aclient(app: EmulatorApp) -> AsyncIterator[AsyncAttioClient]:
    """An ``AsyncAttioClient`` on ``app``."""
    async with AsyncAttioClient(
        api_key=API_KEY,
        base_url=URL,
        transport=httpx.ASGITransport(app=app),
        rate_limit_backend="memory",
        read_rate=0,
        write_rate=0,
    ) as attio:
        yield attio
