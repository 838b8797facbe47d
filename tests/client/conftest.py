"""Fixtures of the client's tests: one suite, three targets (STYLE rule 10, moto's server mode).

- **in-process** (the default): a fresh emulator per test, reached through the transport seam:
  ``httpx.ASGITransport`` for ``AsyncAttioClient``, ``SyncASGITransport`` for ``AttioClient``.
- **process** (``ATTIO_TEST_TARGET=process``): one emulator started as a separate process for
  the session (``EmulatorProcess``) and reached over real HTTP through ``base_url``; its control
  plane resets the workspace, faults and journal before every test, so tests stay independent.
- **real Attio**: a test marked ``real_attio`` also runs against the workspace of
  ``ATTIO_API_KEY`` (``ATTIO_BASE_URL`` optional), only when ``--real-attio`` is passed; otherwise
  that variant is skipped with the reason. Such tests must delete what they create (``cleanup``).

Use ``target`` for the target itself (its control plane and journal), ``aclient`` and ``client``
for ready clients. A passing test marked ``@pytest.mark.operation("GET /v2/objects", ...)`` is
checked against the emulator's journal: it must really have called every operation it claims,
so ``docs/CLIENT-OPERATIONS.md`` (built from those markers) never claims more than is tested.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from contextlib import suppress
from typing import Any

import httpx
import pytest

from attio_bridge.client import AsyncAttioClient, AttioClient, NotFoundError
from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.testing import EmulatorProcess, SyncASGITransport

from ._target import API_KEY, EMULATOR_URL, Target

TARGET_ENV = "ATTIO_TEST_TARGET"
TARGETS = ("inprocess", "process")
_PASSED = pytest.StashKey[bool]()


def emulator_target_kind() -> str:
    """The emulator target this run uses: ``inprocess`` unless ``ATTIO_TEST_TARGET`` says."""
    kind = os.environ.get(TARGET_ENV, "inprocess") or "inprocess"
    if kind not in TARGETS:
        raise pytest.UsageError(f"{TARGET_ENV} must be one of {', '.join(TARGETS)}, not {kind!r}")
    return kind


# -- selecting targets ---------------------------------------------------------------------------
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A ``real_attio`` test runs on the emulator and, as a second case, on real Attio."""
    if "target" in metafunc.fixturenames and metafunc.definition.get_closest_marker("real_attio"):
        metafunc.parametrize("target", ["emulator", "real"], indirect=True)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """An ``operation`` marker is only believed when the journal can check it: via ``target``."""
    if item.get_closest_marker("operation") and "target" not in getattr(item, "fixturenames", ()):
        pytest.fail(
            "a test marked with operations must use the target fixture (directly or through "
            "aclient/client), so that the operations it claims are checked",
            pytrace=False,
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember whether the test body passed, for the operation check in ``target``."""
    report = yield
    if report.when == "call":
        item.stash[_PASSED] = report.passed
    return report


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[EmulatorProcess]:
    """The emulator as a separate process, shared by the session (process target only)."""
    with EmulatorProcess(api_key=API_KEY, read_rate=0, write_rate=0) as process:
        yield process


def _real_target(request: pytest.FixtureRequest) -> Target:
    if not request.config.getoption("--real-attio"):
        pytest.skip("real Attio: pass --real-attio (and set ATTIO_API_KEY) to run against it")
    key = os.environ.get("ATTIO_API_KEY")
    if not key:
        pytest.skip("real Attio: --real-attio was given but ATTIO_API_KEY is not set")
    base_url = os.environ.get("ATTIO_BASE_URL") or "https://api.attio.com"
    return Target("real", key, base_url)


def _emulator_target(request: pytest.FixtureRequest) -> Target:
    if emulator_target_kind() == "process":
        process: EmulatorProcess = request.getfixturevalue("emulator_process")
        control = httpx.Client(base_url=process.base_url, timeout=30)
        target = Target("process", API_KEY, process.base_url, _control=control)
        target.reset()
        return target
    app = create_app(EmulatorConfig(api_keys=[API_KEY], read_rate=0, write_rate=0))
    control = httpx.Client(base_url=EMULATOR_URL, transport=SyncASGITransport(app))
    return Target("inprocess", API_KEY, EMULATOR_URL, app=app, _control=control)


@pytest.fixture
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """The target of this test; after a pass, its ``operation`` markers are checked."""
    kind = getattr(request, "param", "emulator")
    chosen = _real_target(request) if kind == "real" else _emulator_target(request)
    try:
        yield chosen
        if chosen.is_emulator and request.node.stash.get(_PASSED, False):
            claimed = {str(a) for m in request.node.iter_markers("operation") for a in m.args}
            missing = sorted(claimed - set(chosen.operations_called()))
            if missing:
                pytest.fail(f"marked as covering {missing}, but never called them", pytrace=False)
    finally:
        chosen.close()


# -- clients -------------------------------------------------------------------------------------
@pytest.fixture
def anyio_backend() -> str:
    """The async client sleeps with asyncio, so async tests run on asyncio."""
    return "asyncio"


@pytest.fixture
async def aclient(target: Target) -> AsyncIterator[AsyncAttioClient]:
    """An ``AsyncAttioClient`` for the target, unpaced on the emulator."""
    client = target.async_client()
    async with client:
        yield client


@pytest.fixture
def client(target: Target) -> Iterator[AttioClient]:
    """An ``AttioClient`` for the target, unpaced on the emulator."""
    with target.sync_client() as sync_client:
        yield sync_client


Undo = Callable[[], Any]


@pytest.fixture
async def acleanup(aclient: AsyncAttioClient) -> AsyncIterator[list[Callable[[], Awaitable[Any]]]]:
    """Append ``lambda: aclient.x.delete(...)``; run last-in first-out after the test.

    It depends on ``aclient`` so that the client is still open when the steps run.
    """
    undo: list[Callable[[], Awaitable[Any]]] = []
    yield undo
    for step in reversed(undo):
        # Already gone (the test deleted it) is fine; anything else still surfaces.
        with suppress(NotFoundError):
            await step()


@pytest.fixture
def cleanup(client: AttioClient) -> Iterator[list[Undo]]:
    """Append ``lambda: client.x.delete(...)``; run last-in first-out after the test."""
    undo: list[Undo] = []
    yield undo
    for step in reversed(undo):
        with suppress(NotFoundError):
            step()
