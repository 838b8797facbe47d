"""``workflows.export_records`` against the in-process emulator: every page, flattened values,
and the round trip export -> import into a fresh workspace -> the same records; plus the
``import`` and ``export`` commands, in this process too, and an import killed for real (a
process) that resumes."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from attio_bridge.cli import app as cli_app
from attio_bridge.client import AsyncAttioClient
from attio_bridge.testing import EmulatorProcess
from attio_bridge.workflows import export_records, import_file

from ..cli._support import ENVIRONMENT, InProcessEmulator
from .conftest import rows_of

pytestmark = pytest.mark.anyio
NewClient = Callable[[], AbstractAsyncContextManager[AsyncAttioClient]]
# Set by Attio on create, so never equal across workspaces.
VOLATILE = {"created_at", "created_by"}


async def seed(client: AsyncAttioClient, people: int) -> None:
    for name, domains in (("Acme", ["acme.com", "acme.org"]), ("Globex", ["globex.com"])):
        await client.records.create(
            "companies",
            {
                "name": name,
                "domains": [{"domain": d} for d in domains],
                "description": f"{name}; the company",
            },
        )
    for i in range(people):
        await client.records.create(
            "people",
            {
                "name": [{"first_name": f"P{i}", "last_name": "Zoë", "full_name": f"P{i} Zoë"}],
                "email_addresses": [{"email_address": f"p{i}@acme.com"}],
                "job_title": "Engineer" if i % 2 else None,
            },
        )


def comparable(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(
        json.dumps({k: v for k, v in r.items() if k not in VOLATILE}, sort_keys=True, default=str)
        for r in rows
    )


async def test_csv_export_reads_every_page_and_flattens(aclient: AsyncAttioClient) -> None:
    await seed(aclient, 620)  # more than one page of records.iter
    out = io.StringIO()
    assert await export_records(aclient, "people", out, "csv") == 620
    out.seek(0)
    rows = list(csv.DictReader(out))
    assert len(rows) == 620
    assert list(rows[0])[:4] == ["record_id", "created_at", "created_by", "first_name"]
    assert len({r["email_addresses"] for r in rows}) == 620
    out = io.StringIO()
    await export_records(aclient, "companies", out, "csv")
    out.seek(0)
    acme = next(r for r in csv.DictReader(out) if r["name"] == "Acme")
    assert sorted(acme["domains"].split("; ")) == ["acme.com", "acme.org"]


async def test_jsonl_export_keeps_lists(aclient: AsyncAttioClient) -> None:
    await seed(aclient, 1)
    out = io.StringIO()
    assert await export_records(aclient, "companies", out, "jsonl") == 2
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    acme = next(r for r in rows if r["name"] == "Acme")
    assert sorted(acme["domains"]) == ["acme.com", "acme.org"]
    assert acme["created_at"].endswith("+00:00")


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
async def test_round_trip_into_a_fresh_workspace(
    aclient: AsyncAttioClient, new_client: NewClient, tmp_path: Path, fmt: str
) -> None:
    await seed(aclient, 30)
    files = {}
    for object in ("companies", "people"):
        files[object] = tmp_path / f"{object}.{fmt}"
        with files[object].open("w", encoding="utf-8", newline="") as f:
            await export_records(aclient, object, f, fmt)
    async with new_client() as fresh:
        companies = await import_file(fresh, "companies", files["companies"], match="domains")
        people = await import_file(fresh, "people", files["people"], match="email_addresses")
        assert (companies.written, people.written) == (2, 30)
        assert (companies.invalid, people.invalid, people.failed) == (0, 0, 0)
        for object in ("companies", "people"):
            assert comparable(await rows_of(fresh, object)) == comparable(
                await rows_of(aclient, object)
            )


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


def test_import_killed_with_sigkill_resumes_without_duplicates(tmp_path: Path) -> None:
    rows = 150
    path = tmp_path / "people.csv"
    path.write_text("email\n" + "".join(f"kill{i}@acme.com\n" for i in range(rows)))
    checkpoint = path.with_name("people.csv.attio-import.json")
    # Attio's write budget (25/s) makes the run last about six seconds: long enough to kill.
    with EmulatorProcess(api_key="kill-key", read_rate=0, write_rate=25) as emu:
        conn = ["--api-key", "kill-key", "--base-url", emu.base_url]
        cmd = [sys.executable, "-m", "attio_bridge.cli", "import", "people", str(path), *conn]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                if checkpoint.exists() and json.loads(checkpoint.read_text())["done"]:
                    break
                time.sleep(0.05)
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
    got = [json.loads(line)["email_addresses"] for line in out.read_text().splitlines()]
    assert sorted(e for emails in got for e in emails) == sorted(
        f"kill{i}@acme.com" for i in range(rows)
    )
    assert not checkpoint.exists()
