"""``workflows.import_file`` on a real-world size file: 100,000 rows validated and planned
(``dry_run``) without holding them in memory, measured with ``tracemalloc`` in a fresh
interpreter against what holding the rows would take. A memory bound, not a time: the run's
duration is never asserted."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from attio_bridge.workflows.importer import iter_rows

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
ROWS = 100_000
DUPLICATE_EVERY = 1000  # this row repeats the name of the row before it
INVALID_EVERY = 5000  # this row has no name (the match attribute)
SAMPLE = 10_000
HEADER = "Name;Description;Twitter;LinkedIn;Facebook;Instagram\n"


def write_big_file(path: Path) -> tuple[int, int]:
    """A semicolon CSV of ``ROWS`` companies with blank lines, stray spaces, invalid rows and
    rows with the name of the row before (and other values: conflicts); ``(conflicts,
    invalid)`` it holds."""
    duplicates = invalid = 0
    with path.open("w", encoding="utf-8") as f:
        f.write(HEADER)
        for i in range(1, ROWS + 1):
            name = f"Company {i}"
            if i % INVALID_EVERY == 0:
                name, invalid = "", invalid + 1
            elif i % DUPLICATE_EVERY == 0:
                name, duplicates = f"Company {i - 1}", duplicates + 1
            f.write(
                f" {name} ;The company number {i}, founded to make things;"
                f"@company{i};https://linkedin.com/company/c{i};https://facebook.com/c{i};"
                f"https://instagram.com/c{i}\n"
            )
            if i % 997 == 0:
                f.write("\n")
    return duplicates, invalid


def held_bytes(path: Path) -> int:
    """What holding every row as read would take: the first ``SAMPLE`` rows, traced, scaled."""
    tracemalloc.start()
    try:
        held = list(itertools.islice(iter_rows(path), SAMPLE))
        size = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(held) == SAMPLE
    return size * (ROWS // SAMPLE)


# Run in a fresh interpreter: the state earlier tests leave in the suite's process inflates
# tracemalloc's peak (seen: 10 MB for this plan alone, 17 MB after the whole suite).
MEASURE = """
import asyncio, json, sys, tracemalloc
from pathlib import Path

from attio_bridge.state import open_store
from attio_bridge.workflows.aio import import_file
from tests.workflows._async._import_support import client_on
from tests.workflows.conftest import fresh_app, write_count
from tests.workflows.test_import_scale import held_bytes


async def plan(path):
    app = fresh_app()
    # The state store's first open migrates it (Alembic): that is not the plan's memory.
    open_store().close()
    async with client_on(app) as client:
        tracemalloc.start()
        report = await import_file(client, "companies", path, match="name", dry_run=True)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {
        "peak": peak,
        "rows": report.rows,
        "duplicates": report.duplicates,
        "conflicts": report.conflicts,
        "invalid": report.invalid,
        "to_write": report.to_write,
        "search": report.search,
        "first_problem": report.problems[0].row,
        "writes": write_count(app, "companies"),
    }


path = Path(sys.argv[1])
holding = held_bytes(path)
print(json.dumps({"holding": holding, **asyncio.run(plan(path))}))
"""


def test_100k_rows_are_planned_without_holding_them(tmp_path: Path) -> None:
    """Every row is read, checked and counted (conflicting duplicates by a key through a
    search: the companies' ``name``), and the plan's peak memory stays under a fifth of what the
    rows would take held (and under 16 MiB): per row it keeps an 8-byte key digest and the
    number of the row it was first seen in, not the row."""
    path = tmp_path / "companies.csv"
    conflicts, invalid = write_big_file(path)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    peak, holding = got["peak"], got["holding"]
    counts = (got["rows"], got["duplicates"], got["conflicts"], got["invalid"])
    assert counts == (ROWS, 0, conflicts, invalid)
    assert got["to_write"] == ROWS - conflicts - invalid
    assert got["search"] and got["first_problem"] == DUPLICATE_EVERY  # a conflict
    assert got["writes"] == 0
    assert holding > 50 * 2**20, holding  # the file is big enough for the bound to mean much
    assert peak < holding / 5, (peak, holding)
    assert peak < 16 * 2**20, peak
