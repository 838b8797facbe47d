"""Fixtures of the conformance suite: Attio's spec (patched by the known differences), its
validator, and ``conformant``, the ``api`` client with every response validated.

A test names the operations it covers with ``@pytest.mark.operation("GET /v2/objects", ...)``;
after a passing test, ``conformant`` checks that the test really called each of them, so the
table in ``docs/OPERATIONS.md`` (built from those markers) never claims more than is tested.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.spec import Operation, load_spec, spec_operations

from ..conftest import API_KEY
from ..emulator._spec import require_spec
from .differences import apply_differences
from .factories import seed_workspace
from .validation import ConformantClient, SpecValidator, iter_marked_operations

_PASSED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember whether the test body passed, for the marker check in ``conformant``."""
    report = yield
    if report.when == "call":
        item.stash[_PASSED] = report.passed
    return report


@pytest.fixture(scope="session")
def raw_spec() -> dict[str, Any]:
    """Attio's spec as vendored, unpatched; a missing spec fails the test, never skips it."""
    return require_spec()


@pytest.fixture(scope="session")
def spec(raw_spec: dict[str, Any]) -> dict[str, Any]:
    """Attio's spec with every known difference (``differences.py``) applied."""
    patched = load_spec()
    apply_differences(patched)
    return patched


@pytest.fixture(scope="session")
def operations(raw_spec: dict[str, Any]) -> list[Operation]:
    """The spec's operations."""
    return spec_operations(raw_spec)


@pytest.fixture(scope="session")
def validator(spec: dict[str, Any], operations: list[Operation]) -> SpecValidator:
    """Validates responses against the patched spec."""
    return SpecValidator(spec, operations)


@pytest.fixture(scope="module")
def seeded(validator: SpecValidator) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client of an emulator (module-wide) seeded with a resource of each kind
    (``factories.seed_workspace``), and their ids."""
    app = create_app(EmulatorConfig(api_keys=[API_KEY], read_rate=0, write_rate=0))
    with TestClient(
        app,
        base_url="http://emulator.test",
        headers={"Authorization": f"Bearer {API_KEY}"},
        raise_server_exceptions=False,
    ) as client:
        yield client, seed_workspace(ConformantClient(client, validator))


@pytest.fixture
def conformant(
    api: TestClient, validator: SpecValidator, request: pytest.FixtureRequest
) -> Iterator[ConformantClient]:
    """``api`` with every response validated; checks the test's ``operation`` markers after."""
    client = ConformantClient(api, validator)
    yield client
    if not request.node.stash.get(_PASSED, False):
        return
    claimed = set(iter_marked_operations(request.node.iter_markers("operation")))
    missing = sorted(claimed - client.operations())
    if missing:
        pytest.fail(f"marked as covering {missing}, but never called them", pytrace=False)
