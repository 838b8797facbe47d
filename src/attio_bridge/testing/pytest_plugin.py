"""The emulator as a pytest plugin, as moto is for boto3: fixtures to test code that uses Attio.

Installed with attio-bridge (the ``pytest11`` entry point ``attio_bridge``), so a project that
depends on it gets these fixtures without a conftest. Every name starts with ``attio_`` so it
cannot collide with a project's own. Disable the plugin with ``-p no:attio_bridge``.

In-process (fast, one fresh emulator per test, no socket):

- ``attio_emulator``: the emulator app (``create_app``); ``attio_emulator.state`` is its state.
- ``attio_client``: an ``AttioClient`` bound to it (through ``SyncASGITransport``).
- ``attio_async_client``: an ``AsyncAttioClient`` bound to it (through ``httpx.ASGITransport``);
  a plain fixture, so it works with any async plugin (anyio, pytest-asyncio) or none.
- ``attio_control``: an ``EmulatorControl`` for it: reset, seed, faults, latency, stand-in
  failures, the request journal.

As a separate process (real HTTP, for code that takes a URL, or clients other than ours):

- ``attio_emulator_server``: one ``EmulatorProcess`` for the whole session.
- ``attio_emulator_process``: the same process, reset before each test (workspace, stand-ins,
  faults, latency, journal, and the ``attio_seed`` marker's dataset).
- ``attio_process_control``: an ``EmulatorControl`` for it.

Settings: ``attio_api_key`` (session, ``"test-key"``) and ``attio_emulator_config`` (the
in-process emulator's ``EmulatorConfig``: no rate limits) are fixtures to override in a
conftest. ``@pytest.mark.attio_seed("sandbox")`` or ``attio_seed("generated", size=200)``
starts a test's emulator seeded. Clients are unpaced (the emulator runs without limits) and use
an in-memory rate budget, so tests never share pacing state through a file.

Imports of the emulator and the client happen inside the fixtures, so loading the plugin costs
a project's other tests nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..client import AsyncAttioClient, AttioClient
    from ..emulator.app import EmulatorApp
    from ..emulator.state import EmulatorConfig
    from .control import EmulatorControl
    from .process import EmulatorProcess

BASE_URL = "http://attio.test"
SEED_MARKER = "attio_seed"


def pytest_configure(config: pytest.Config) -> None:
    """Declare the ``attio_seed`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        f"{SEED_MARKER}(dataset='sandbox', size=0, random_seed=0): start the test's Attio "
        "emulator seeded with a dataset (sandbox, or generated with size people)",
    )


def _seed(request: pytest.FixtureRequest) -> tuple[str, int, int] | None:
    """``(dataset, size, random_seed)`` of the test's ``attio_seed`` marker, if it has one."""
    marker = request.node.get_closest_marker(SEED_MARKER)
    if marker is None:
        return None

    def read(dataset: str = "sandbox", size: int = 0, random_seed: int = 0) -> tuple[str, int, int]:
        return dataset, size, random_seed

    try:
        return read(*marker.args, **marker.kwargs)
    except TypeError as exc:
        raise pytest.UsageError(
            f"@pytest.mark.{SEED_MARKER} takes (dataset='sandbox', size=0, random_seed=0): {exc}"
        ) from None


def _client_options(api_key: str) -> dict[str, Any]:
    # Unpaced and with an in-memory budget: the emulator has no limits, and the default SQLite
    # budget file would be shared with whatever else runs on the machine.
    return {
        "api_key": api_key,
        "base_url": BASE_URL,
        "read_rate": 0,
        "write_rate": 0,
        "rate_limit_backend": "memory",
    }


# -- settings --------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def attio_api_key() -> str:
    """The API key the emulators accept and the clients send (override to change it)."""
    return "test-key"


@pytest.fixture
def attio_emulator_config(attio_api_key: str, request: pytest.FixtureRequest) -> EmulatorConfig:
    """The in-process emulator's settings: ``attio_api_key``, no rate limits, the test's seed."""
    from ..emulator import EmulatorConfig

    config = EmulatorConfig(api_keys=[attio_api_key], read_rate=0, write_rate=0)
    seed = _seed(request)
    if seed is not None:
        config.seed, config.seed_size, config.random_seed = seed
    return config


# -- in-process ------------------------------------------------------------------------------------
@pytest.fixture
def attio_emulator(attio_emulator_config: EmulatorConfig) -> Iterator[EmulatorApp]:
    """A fresh in-process emulator (an ASGI app) for this test."""
    from ..emulator import create_app

    app = create_app(attio_emulator_config)
    try:
        yield app
    finally:
        app.state.deliveries.close()
        if app.state.persistence is not None:
            app.state.persistence.close()


@pytest.fixture
def attio_client(attio_emulator: EmulatorApp, attio_api_key: str) -> Iterator[AttioClient]:
    """An ``AttioClient`` talking to ``attio_emulator`` in-process."""
    from ..client import AttioClient
    from .transport import SyncASGITransport

    transport = SyncASGITransport(attio_emulator)
    # Closing the client closes the transport, which stops the app's event loop thread.
    with AttioClient(transport=transport, **_client_options(attio_api_key)) as client:
        yield client


@pytest.fixture
def attio_async_client(
    attio_emulator: EmulatorApp, attio_api_key: str
) -> Iterator[AsyncAttioClient]:
    """An ``AsyncAttioClient`` talking to ``attio_emulator`` in-process.

    A plain (sync) fixture, so any async test plugin can use it; it holds no connections, so
    closing it (``async with attio_async_client:``) is optional.
    """
    import httpx

    from ..client import AsyncAttioClient

    transport = httpx.ASGITransport(app=attio_emulator)
    client = AsyncAttioClient(transport=transport, **_client_options(attio_api_key))
    yield client
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(client.aclose())  # no loop here (the usual case): close it on a new one


@pytest.fixture
def attio_control(attio_emulator: EmulatorApp) -> Iterator[EmulatorControl]:
    """The control plane of ``attio_emulator``: reset, seed, faults, latency, journal."""
    from .control import EmulatorControl

    with EmulatorControl(app=attio_emulator) as control:
        yield control


# -- as a separate process -------------------------------------------------------------------------
@pytest.fixture(scope="session")
def attio_emulator_server(attio_api_key: str) -> Iterator[EmulatorProcess]:
    """``attio-bridge emulator`` on a free loopback port, for the whole session (no limits)."""
    from .process import EmulatorProcess

    with EmulatorProcess(api_key=attio_api_key, read_rate=0, write_rate=0) as process:
        yield process


@pytest.fixture
def attio_process_control(attio_emulator_server: EmulatorProcess) -> Iterator[EmulatorControl]:
    """The control plane of the session's emulator process."""
    from .control import EmulatorControl

    with EmulatorControl(base_url=attio_emulator_server.base_url) as control:
        yield control


@pytest.fixture
def attio_emulator_process(
    attio_emulator_server: EmulatorProcess,
    attio_process_control: EmulatorControl,
    request: pytest.FixtureRequest,
) -> EmulatorProcess:
    """The session's emulator process, reset for this test (and seeded by ``attio_seed``);
    point clients at ``attio_emulator_process.base_url`` with ``attio_api_key``."""
    seed = _seed(request)
    if seed is None:
        attio_process_control.reset()
    else:
        dataset, size, random_seed = seed
        attio_process_control.reset(dataset, size, random_seed)
    return attio_emulator_server
