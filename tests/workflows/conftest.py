"""Fixtures of the workflow tests: a fresh in-process emulator per test (``app``; clients on it
are in ``_async/conftest.py``), a state store of each test's own (``state_home``), and
``write_count``, the record writes the emulator received."""

from __future__ import annotations

from pathlib import Path

import pytest

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.state import DATABASE_URL_ENV

from ._clients import API_KEY


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


@pytest.fixture
def app() -> EmulatorApp:
    """A fresh emulator."""
    return fresh_app()


def write_count(app: EmulatorApp, object: str) -> int:
    """How many record writes of ``object`` the emulator received."""
    return sum(
        1
        for e in app.state.journal.render()
        if e["method"] in ("POST", "PUT", "PATCH")
        and e["path"].startswith(f"/v2/objects/{object}/records")
        and not e["path"].endswith("/query")
    )
