"""What the page tests share: the service's app with the snapshot pages, reaching a seeded
in-process emulator (the sandbox's data) through the transport seam, on a state store of the
test's own."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig
from attio_bridge.emulator import create_app as emulator_app
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.state import StateStore, open_store
from attio_bridge.web import create_app
from attio_bridge.web.imports import SnapshotsBackend
from attio_bridge.web.snapshots import Connection, Pages, PagesConfig

from ._snapshot_fake import fake_backend
from ._support import make_service

KEY = "sandbox-pages-key-5f0c2a9e71"
BASE = "http://emulator.test"


@dataclass
class Site:
    """The app under test and what it is made of."""

    app: Starlette
    pages: Pages
    emulator: EmulatorApp
    store: StateStore
    project: Path


def library_backend() -> SnapshotsBackend | None:
    """The snapshot library as the pages' backend, once it is installed beside them (else
    None: the tests then run on the fake, which follows the same contract)."""
    try:
        snapshot: Any = importlib.import_module("attio_bridge.snapshot")
    except ModuleNotFoundError:
        return None
    return SnapshotsBackend(open=snapshot.Snapshots, init_project=snapshot.init_project)


def make_site(
    tmp_path: Path,
    *,
    backend: SnapshotsBackend | None = None,
    require_login: bool = False,
    connected: bool = True,
    emulator: EmulatorApp | None = None,
) -> Site:
    """The app with the pages on the sandbox's data; the project a folder of ``tmp_path``;
    ``backend`` the snapshot library when none is given and it is installed, else the fake."""
    emulator = emulator or emulator_app(
        EmulatorConfig(api_keys=[KEY], seed="sandbox", read_rate=0, write_rate=0)
    )
    store = open_store(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    backend = backend or library_backend() or fake_backend()
    backend.init_project(project)
    config = PagesConfig(
        project_dir=project,
        require_login=require_login,
        projects_root=tmp_path / "projects",
        connection=Connection(KEY, BASE) if connected else None,
        store=store,
        backend=backend,
        transport=httpx.ASGITransport(app=emulator),
        session_key=b"k" * 32,
        sandbox=connected,
    )
    pages = Pages(config)
    return Site(create_app(make_service(), pages=pages), pages, emulator, store, project)


@contextmanager
def browser(site: Site, **headers: str) -> Iterator[TestClient]:
    """A client of the site that keeps its cookies, with the app's lifespan running."""
    with TestClient(site.app, base_url="http://127.0.0.1", headers=headers) as client:
        yield client
    site.store.close()


def csrf(html: str) -> str:
    """The CSRF token a page carries."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def row_ids(html: str) -> list[str]:
    """The record ids of a page's table rows."""
    return re.findall(r'<tr data-id="([^"]+)"', html)
