"""``attio-bridge`` and token scopes: ``self`` shows the key's scopes (as ``/v2/self``'s
``scope`` lists them), and a write outside them fails with exit AUTH and the missing scope
named (Attio's 403 ``unauthorized``, API-NOTES §8; scopes per docs.attio.com endpoint pages).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

from attio_bridge.cli._common import ExitStatus
from attio_bridge.emulator.scopes import AREAS

from ._support import InProcessEmulator, invoke

KEY = "scopes-cli-read-only-key-77c2"
# A read-only token: every area, read only.
READ_ONLY = tuple(f"{area}:read" for area in AREAS if area != "scim_management")


@pytest.fixture(scope="module")
def emu() -> Iterator[InProcessEmulator]:
    """An emulator whose key may only read records and objects."""
    with InProcessEmulator(KEY, scopes={KEY: READ_ONLY}) as emulator:
        yield emulator


def run(args: list[str], env: dict[str, str], config_home: Path) -> Result:
    return invoke(args, env, config_home, KEY)


def test_self_shows_the_scopes_as_a_table_and_as_json(
    env: dict[str, str], config_home: Path
) -> None:
    shown = run(["self", "--json"], env, config_home)
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["scopes"] == list(READ_ONLY)
    table = run(["self"], env, config_home)
    assert table.exit_code == 0, table.stderr
    assert all(scope in table.stdout for scope in READ_ONLY)


def test_a_write_outside_the_scopes_fails_naming_the_missing_scope(
    env: dict[str, str], config_home: Path
) -> None:
    listed = run(["people", "ls", "--json"], env, config_home)
    assert listed.exit_code == 0, listed.stderr
    refused = run(["people", "create", "ada@example.com"], env, config_home)
    assert refused.exit_code == ExitStatus.AUTH
    assert "permission denied" in refused.stderr
    assert "record_permission:read-write" in refused.stderr
