"""Fixtures of the snapshot tests: the sandbox emulator in this process, services over it, a
state store (a SQLite file of the test's own), and a project folder that is a git repository."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from attio_bridge import AsyncAttioClient, AsyncServices, AttioClient
from attio_bridge.snapshot import Snapshots, init_project
from attio_bridge.state import StateStore, open_store


@pytest.fixture
def anyio_backend() -> str:
    """asyncio only."""
    return "asyncio"


@pytest.fixture
def services(attio_async_client: AsyncAttioClient) -> AsyncServices:
    """Services over the in-process emulator (seeded by each module's ``attio_seed``)."""
    return AsyncServices(attio_async_client)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    """A state store of this test's own."""
    with open_store(f"sqlite:///{tmp_path}/state.sqlite3") as opened:
        yield opened


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty git repository, the project folder."""
    folder = tmp_path / "project"
    init_project(folder)
    return folder


@pytest.fixture
def snapshots(project: Path, services: AsyncServices, store: StateStore) -> Iterator[Snapshots]:
    """The project's snapshots, for user "ada"."""
    made = Snapshots(project, services=services, store=store, user="ada", author="Ada <ada@x.io>")
    yield made
    made.close()


@pytest.fixture
def people(attio_client: AttioClient) -> dict[str, str]:
    """``{full name: record id}`` of the sandbox's people."""
    return _names(attio_client, "people")


@pytest.fixture
def companies(attio_client: AttioClient) -> dict[str, str]:
    """``{name: record id}`` of the sandbox's companies."""
    return _names(attio_client, "companies")


def _names(client: AttioClient, object: str) -> dict[str, str]:
    found = {}
    for record in client.records.query(object, limit=500):
        [name] = record.values["name"]
        found[name.get("full_name") or name["value"]] = record.id.record_id
    return found
