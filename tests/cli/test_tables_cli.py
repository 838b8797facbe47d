"""Tables as people read them, against the sandbox workspace in this process: titles that never
break in the middle of a word, ``--columns`` by attribute slug (a person's ``name``), and
actor references (a deal's owner) named by the member's email rather than a member id."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import Result

from ._support import InProcessEmulator, invoke

KEY = "tables-cli-s3cret-key-77c0"


@pytest.fixture(scope="module")
def emu() -> Iterator[InProcessEmulator]:
    """The sandbox workspace in this process."""
    with InProcessEmulator(KEY, seed="sandbox") as emulator:
        yield emulator


def run(args: list[str], env: dict[str, str], config_home: Path, columns: int = 160) -> Result:
    """``invoke`` with this module's key."""
    return invoke(args, env, config_home, KEY, columns=columns)


def test_a_title_wider_than_its_table_stays_on_one_line(
    env: dict[str, str], config_home: Path
) -> None:
    # One narrow column: the title is wider than the table.
    result = run(["entries", "ls", "sales_pipeline", "--columns", "stage"], env, config_home)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].strip() == "sales_pipeline: 7 entries"
