"""The ``import`` and ``export`` commands end to end: in this process against the in-process
emulator, a file imported (plan, invalid row left out, failure file) and exported back; as a
real process against the emulator in its own, an import killed with ``kill -9`` that resumes
from its checkpoint in the state store without a duplicate. The workflows themselves are
tested in ``_async/`` (and their generated ``_sync/`` mirrors)."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from attio_bridge.cli import app as cli_app
from attio_bridge.client import AttioClient
from attio_bridge.state import StateStore, open_store
from attio_bridge.testing import EmulatorProcess
from tests._signals import sigint_default

from ..cli._support import ENVIRONMENT, InProcessEmulator


@pytest.fixture
def emulator() -> Iterator[InProcessEmulator]:
    """The emulator in this process, which the commands reach in ``ENVIRONMENT``."""
    with InProcessEmulator("cli-key") as emu:
        yield emu


def test_import_and_export_commands(emulator: InProcessEmulator, tmp_path: Path) -> None:
    runner = CliRunner()
    conn = ["--api-key", "cli-key", "--base-url", emulator.base_url]
    path = tmp_path / "people.csv"
    path.write_text("Email;Job title\ncli1@acme.com;A\ncli2@acme.com;B\nbroken;C\n")

    def invoke(args: list[str]) -> Result:
        return runner.invoke(cli_app, [*args, *conn], obj=ENVIRONMENT)

    planned = invoke(["import", "people", str(path), "--dry-run"])
    assert planned.exit_code == 5, planned.output  # the plan has an invalid row
    assert "Email -> email_addresses" in planned.output
    assert "2 to create, 0 to update" in planned.output and "1 invalid" in planned.output
    assert "row 3:" in planned.output

    done = invoke(["import", "people", str(path)])
    assert done.exit_code == 5, done.output  # invalid rows were left out
    assert "Written: 2, failed: 0, invalid: 1" in done.output
    with path.with_name("people.csv.failed.csv").open(newline="") as f:
        assert [r["Email"] for r in csv.DictReader(f)] == ["broken"]

    out = tmp_path / "out.jsonl"
    exported = invoke(["export", "people", "--format", "jsonl", "--output", str(out)])
    assert exported.exit_code == 0, exported.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    got = sorted((r["email_addresses"][0], r["job_title"]) for r in rows)
    assert ("cli1@acme.com", "A") in got and ("cli2@acme.com", "B") in got

    unknown = invoke(["export", "nothing"])
    assert unknown.exit_code == 4, unknown.output

    # SQL where the workspace has it (docs.attio.com/sql/overview); --no-sql pages, same rows.
    assert "POST /v2/sql" in {e.operation for e in emulator.app.state.journal.entries}
    emulator.app.state.journal.entries.clear()
    paged = tmp_path / "paged.jsonl"
    assert invoke(["export", "people", "-f", "jsonl", "-o", str(paged), "--no-sql"]).exit_code == 0
    operations = {e.operation for e in emulator.app.state.journal.entries}
    assert "POST /v2/sql" not in operations
    assert "POST /v2/objects/{object}/records/query" in operations
    assert sorted(paged.read_text().splitlines()) == sorted(out.read_text().splitlines())


def wait_for_checkpoint(store: StateStore, proc: subprocess.Popen[Any]) -> None:
    """Until ``store`` holds an import checkpoint with rows written, or ``proc`` ended (a
    minute at most)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if any(doc["done"] for _, doc in store.items("import")):
            return
        time.sleep(0.05)


def test_import_killed_with_sigkill_resumes_without_duplicates(tmp_path: Path) -> None:
    rows = 150
    path = tmp_path / "people.csv"
    path.write_text("email\n" + "".join(f"kill{i}@acme.com\n" for i in range(rows)))
    # The default store, under this test's XDG_STATE_HOME (the command's too): the checkpoint.
    store = open_store()
    # Attio's write budget (25/s) makes the run last about six seconds: long enough to kill.
    with store, EmulatorProcess(api_key="kill-key", read_rate=0, write_rate=25) as emu:
        conn = ["--api-key", "kill-key", "--base-url", emu.base_url]
        cmd = [sys.executable, "-m", "attio_bridge.cli", "import", "people", str(path), *conn]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_checkpoint(store, proc)
            assert proc.poll() is None, "the import ended before it could be killed"
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait()
        resumed = CliRunner().invoke(cli_app, ["import", "people", str(path), *conn])
        assert resumed.exit_code == 0, resumed.output
        found = re.search(r"(\d+) already done", resumed.output)
        assert found is not None and 0 < int(found.group(1)) < rows
        out = tmp_path / "out.jsonl"
        exported = CliRunner().invoke(
            cli_app, ["export", "people", "-f", "jsonl", "-o", str(out), *conn]
        )
        assert exported.exit_code == 0, exported.output
        assert store.items("import") == []  # complete: the checkpoint is removed
    got = [json.loads(line)["email_addresses"] for line in out.read_text().splitlines()]
    assert sorted(e for emails in got for e in emails) == sorted(
        f"kill{i}@acme.com" for i in range(rows)
    )


# The sync ``import_file`` in a process of its own: its writes run in threads.
SYNC_IMPORT = """
import json, sys
from pathlib import Path

from attio_bridge.client import AttioClient
from attio_bridge.workflows import import_file

key, url, path = sys.argv[1:]
with AttioClient(api_key=key, base_url=url, read_rate=0, write_rate=0) as client:
    report = import_file(client, "people", Path(path), concurrency=4)
print(json.dumps(report.to_dict()))
"""


def test_sync_import_interrupted_in_its_threads_resumes_from_its_checkpoint(
    tmp_path: Path,
) -> None:
    """Ctrl-C (SIGINT) while the sync ``import_file`` writes in its threads: the process ends
    with ``KeyboardInterrupt``, the state store keeps the rows written, and the same call again
    writes only the rest: every row once, none to update, the checkpoint gone at the end."""
    rows = 400
    path = tmp_path / "people.csv"
    path.write_text("email\n" + "".join(f"sync{i}@acme.com\n" for i in range(rows)))
    store = open_store()  # the default store, under this test's XDG_STATE_HOME
    with (
        store,
        EmulatorProcess(api_key="sync-key", read_rate=0, write_rate=0, latency_ms=20) as emu,
    ):
        command = [sys.executable, "-c", SYNC_IMPORT, "sync-key", emu.base_url, str(path)]
        proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=sigint_default,
        )
        try:
            wait_for_checkpoint(store, proc)
            assert proc.poll() is None, "the import ended before it could be interrupted"
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode != 0 and "KeyboardInterrupt" in stderr, stderr
        ((_, saved),) = store.items("import")
        kept = sum(end - start + 1 for start, end in saved["done"])
        assert 0 < kept < rows
        again = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert again.returncode == 0, again.stderr
        report = json.loads(again.stdout)
        assert report["already_done"] == kept and report["updates"] == 0
        # A row in flight at the interruption may be written but not yet checkpointed: the plan
        # then finds it unchanged. Every row is accounted for once.
        assert report["already_done"] + report["written"] + report["unchanged"] == rows
        assert report["failed"] == 0 and not report["checkpoint_saved"]
        assert store.items("import") == []
        with AttioClient(api_key="sync-key", base_url=emu.base_url) as client:
            assert len(client.records.query("people", limit=rows + 1)) == rows
