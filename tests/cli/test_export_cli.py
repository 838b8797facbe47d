"""``attio-bridge export``: the file it replaces is kept whole until the export is complete (an
error, Ctrl-C, a killed process), ``--output -`` is stdout, and a progress bar on stderr when
it is a terminal.

An error and Ctrl-C run in this process: the emulator behind an app that breaks the records
query (an error answer, or ``KeyboardInterrupt`` as the Ctrl-C handler raises it). A kill and
the terminal run the command as a process, against an ``EmulatorProcess`` slow enough to
catch it mid-way, on a pseudo-terminal for the progress bar.
"""

from __future__ import annotations

import csv
import io
import os
import pty
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from attio_bridge.testing import EmulatorProcess

from ._support import InProcessEmulator, forget, invoke, serve

KEY = "export-cli-s3cret-key-77d2"
OLD = "record_id,name\nold-1,Kept whole\n"


@pytest.fixture(scope="module")
def emu() -> Iterator[InProcessEmulator]:
    """The emulator in this process with three people."""
    with InProcessEmulator(KEY) as emulator:
        with emulator.client() as c:
            for n in range(3):
                c.records.create("people", {"email_addresses": [f"export{n}@acme.com"]})
        yield emulator


def run(args: list[str], env: dict[str, str], config_home: Path) -> Result:
    """``attio-bridge export ARGS`` through ``invoke`` with this module's key."""
    return invoke(["export", *args], env, config_home, KEY)


def breaking(emu: InProcessEmulator, fail: BaseException) -> Iterator[str]:
    """A base URL that reaches ``emu`` but raises ``fail`` where the rows are read: a records
    query, or SQL (the export's path where the workspace has it)."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith(("/records/query", "/v2/sql")):
            raise fail
        await emu.app(scope, receive, send)

    url = serve(app, "breaking")
    try:
        yield url
    finally:
        forget(url)


@pytest.fixture
def interrupting(emu: InProcessEmulator) -> Iterator[str]:
    """A base URL where the records query is cut off by Ctrl-C."""
    yield from breaking(emu, KeyboardInterrupt())


def test_an_export_that_fails_leaves_the_file_it_would_replace(
    env: dict[str, str], config_home: Path, tmp_path: Path
) -> None:
    """An unknown object: exit 4, the file is as it was and no temporary file is left."""
    keep = tmp_path / "keep.csv"
    keep.write_text(OLD)

    result = run(["targetz", "--output", str(keep)], env, config_home)

    assert result.exit_code == 4, result.stderr
    assert keep.read_text() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config-home", "keep.csv"]


def test_ctrl_c_during_an_export_leaves_the_file_it_would_replace(
    env: dict[str, str], config_home: Path, tmp_path: Path, interrupting: str
) -> None:
    """Ctrl-C while the records are read: exit 130, the old file whole, nothing left beside."""
    keep = tmp_path / "keep.csv"
    keep.write_text(OLD)

    cut = env | {"ATTIO_BASE_URL": interrupting}
    result = run(["people", "--output", str(keep)], cut, config_home)

    assert result.exit_code == 130, result.stderr
    assert result.stderr == "error: interrupted\n"
    assert keep.read_text() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config-home", "keep.csv"]


def test_a_complete_export_replaces_the_file_and_keeps_its_mode(
    env: dict[str, str], config_home: Path, tmp_path: Path
) -> None:
    keep = tmp_path / "keep.csv"
    keep.write_text(OLD)
    keep.chmod(0o640)

    result = run(["people", "--output", str(keep)], env, config_home)

    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"3 records written to {keep}\n"
    rows = list(csv.DictReader(io.StringIO(keep.read_text())))
    assert sorted(r["email_addresses"] for r in rows) == [f"export{n}@acme.com" for n in range(3)]
    assert keep.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config-home", "keep.csv"]


def test_output_dash_is_stdout(
    env: dict[str, str],
    config_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--output -`` writes the rows to stdout and creates no file called ``-``."""
    monkeypatch.chdir(tmp_path)

    result = run(["people", "--format", "jsonl", "--output", "-"], env, config_home)

    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3
    assert not (tmp_path / "-").exists()


def test_an_output_in_a_missing_folder_is_a_usage_error(
    env: dict[str, str], config_home: Path, tmp_path: Path
) -> None:
    result = run(["people", "--output", str(tmp_path / "nope" / "x.csv")], env, config_home)
    assert result.exit_code == 2
    assert "no folder" in result.stderr


# -- as a process --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def slow() -> Iterator[EmulatorProcess]:
    """An emulator process with 1,200 people, answering each request after 300 ms: an export
    takes a few pages, long enough to be caught mid-way."""
    with EmulatorProcess(
        api_key=KEY, read_rate=0, write_rate=0, latency_ms=300, seed="generated", seed_size=1200
    ) as process:
        yield process


def process_env(emu: EmulatorProcess, home: Path) -> dict[str, str]:
    """The environment of a child process pointing at ``emu``, with an empty config home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTIO_")}
    return env | {
        "ATTIO_API_KEY": KEY,
        "ATTIO_BASE_URL": emu.base_url,
        "ATTIO_RATE_LIMIT_BACKEND": "memory",
        "XDG_CONFIG_HOME": str(home),
        "COLUMNS": "100",
    }


def test_a_killed_export_leaves_the_file_it_would_replace(
    slow: EmulatorProcess, tmp_path: Path
) -> None:
    """SIGKILL once rows are being written: the old file is whole (the rows went to a
    temporary file beside it, which is all a kill can leave)."""
    keep = tmp_path / "keep.csv"
    keep.write_text(OLD)
    args = [sys.executable, "-m", "attio_bridge.cli", "export", "people", "--output", str(keep)]
    child = subprocess.Popen(
        args, env=process_env(slow, tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while not any(p.stat().st_size for p in tmp_path.glob(".keep.csv.*.tmp")):
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "no rows written to a temporary file"
            time.sleep(0.05)
        assert keep.read_text() == OLD
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stderr is not None:
            child.stderr.close()
    assert keep.read_text() == OLD


def test_a_terminal_gets_a_progress_bar_on_stderr(slow: EmulatorProcess, tmp_path: Path) -> None:
    """stderr a terminal: the bar names what is exported and counts the rows; the file is
    whole. (Without a terminal stderr holds only the last line: the tests above.)"""
    out = tmp_path / "people.csv"
    args = [sys.executable, "-m", "attio_bridge.cli", "export", "people", "--output", str(out)]
    leader, follower = pty.openpty()
    try:
        child = subprocess.Popen(
            args, env=process_env(slow, tmp_path), stdout=subprocess.DEVNULL, stderr=follower
        )
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal is closed once the child is gone
                break
            if not chunk:
                break
            seen += chunk
        assert child.wait(timeout=60) == 0, seen
    finally:
        os.close(leader)
    text = seen.decode("utf-8", "replace")
    assert "exporting people" in text
    assert "rows" in text
    assert "1200 records written to" in text
    assert len(list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))) == 1200
