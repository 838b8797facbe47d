"""Shared fixtures: an in-process emulator and a client for it; the run's own state folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp

API_KEY = "test-key"


def pytest_configure(config: pytest.Config) -> None:
    """Every test's state (state store, jobs, secrets, snapshot index, sandbox projects) goes
    to a folder of this run's (of each xdist worker's), never the user's
    ``~/.local/state/attio-bridge``: what a developer's sandbox left there must not change a
    test, and a test must not leave anything there. Tests that need their own set it again."""
    folder = tempfile.mkdtemp(prefix="attio-bridge-tests-state-")
    config.stash[_STATE_HOME] = folder
    os.environ["XDG_STATE_HOME"] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_STATE_HOME, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


_STATE_HOME = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--real-attio``: run tests marked ``real_attio`` against Attio too (tests/client)."""
    # Here, not in tests/client/conftest.py: pytest parses options before it reads conftests
    # below the test root, so an option declared there fails on ``pytest tests --real-attio``.
    parser.addoption(
        "--real-attio",
        action="store_true",
        default=False,
        help="also run tests marked real_attio against the Attio workspace of ATTIO_API_KEY",
    )


@pytest.fixture
def emulator() -> EmulatorApp:
    """A fresh in-process emulator with no rate limits (tests that need limits set their own)."""
    return create_app(EmulatorConfig(api_keys=[API_KEY], read_rate=0, write_rate=0))


@pytest.fixture
def api(emulator: EmulatorApp) -> Iterator[TestClient]:
    """A client authenticated against ``emulator``; failing responses are returned, not raised."""
    with TestClient(
        emulator,
        base_url="http://emulator.test",
        headers={"Authorization": f"Bearer {API_KEY}"},
        raise_server_exceptions=True,
    ) as client:
        yield client
