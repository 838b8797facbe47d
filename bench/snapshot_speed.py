"""How fast snapshots import and refresh against Attio's read budget.

Starts the emulator as a separate process with Attio's limits (100 reads and 25 writes per
second, API-NOTES §8) and ``--latency-ms`` (default 50) per request, seeds it with
``--refresh`` generated people (10,000 by default), and runs the library a user runs
(``Snapshots`` over ``AsyncServices`` with the client's own read budget of 100/s) into a fresh
git repository and SQLite state store:

1. import ``--records`` (1,000) chosen people: the reads the emulator answered (its journal:
   GETs, queries and searches), the time, and the time against the bound Attio's read budget
   sets: the reads at 100/s. Two bounds are printed: that of the reads this import used (the
   fewest: one query of ``$in`` per 500 ids, plus the schema), and that of one read per record
   (1,000 reads: 10 s), the naive way. Goal: within 1.5x of the bound.
2. import all ``--refresh`` people (one commit), then ``refresh`` them all both ways, side by
   side with their ratio: by queries of ``$in`` (``sql=False``; goal: one read per 500 records,
   plus the schema) and by SQL (``POST /v2/sql``, one query per 5,000 records, at SQL's own
   2 requests a second); then a second refresh (SQL) after 100 people changed in Attio: the
   commit holds those 100.

Run: ``python bench/snapshot_speed.py [--records 1000] [--refresh 10000] [--latency-ms 50]``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from _emulator import READ_RATE, Emulator, verdict
from attio_bridge import AsyncAttioClient, AsyncServices, AttioClient
from attio_bridge.snapshot import PAGE, Snapshots, init_project
from attio_bridge.state import open_store
from attio_bridge.values.sql import SQL_PAGE

KEY = "bench-snapshot-speed"
READS = ("/query", "/search", "/v2/sql")
GOAL = 1.5


def reads(emu: Emulator) -> int:
    """The reads the emulator answered since its journal was emptied."""
    journal: list[dict[str, Any]] = emu.control.get("/journal").json()
    return sum(
        1
        for e in journal
        if e["path"].startswith("/v2") and (e["method"] == "GET" or e["path"].endswith(READS))
    )


def people_ids(emu: Emulator, count: int) -> list[str]:
    """The first ``count`` people's ids (read before the figures are taken)."""
    ids: list[str] = []
    with AttioClient(api_key=KEY, base_url=emu.proc.base_url) as client:
        for record in client.records.iter("people", page_size=500):
            ids.append(record.id.record_id)
            if len(ids) == count:
                break
    return ids


async def timed_import(emu: Emulator, work: Path, ids: list[str], name: str) -> tuple[float, int]:
    """Import ``ids`` into a fresh project: (seconds, reads)."""
    project = work / name
    init_project(project)
    emu.control.delete("/journal").raise_for_status()
    with open_store(f"sqlite:///{work}/{name}.sqlite3") as store:
        async with AsyncAttioClient(
            api_key=KEY, base_url=emu.proc.base_url, read_rate=READ_RATE
        ) as client:
            snapshots = Snapshots(project, services=AsyncServices(client), store=store)
            started = time.perf_counter()
            result = await snapshots.import_records("people", ids)
            seconds = time.perf_counter() - started
            snapshots.close()
    assert len(result.imported) == len(ids) and not result.failed, result.failed
    return seconds, reads(emu)


async def timed_refresh(
    emu: Emulator, work: Path, name: str, *, sql: bool = True
) -> tuple[float, int, int, str]:
    """Refresh the project ``name`` (by SQL where it answers, or by queries of ``$in``):
    (seconds, reads, records changed, commit subject)."""
    emu.control.delete("/journal").raise_for_status()
    with open_store(f"sqlite:///{work}/{name}.sqlite3") as store:
        async with AsyncAttioClient(
            api_key=KEY, base_url=emu.proc.base_url, read_rate=READ_RATE
        ) as client:
            snapshots = Snapshots(work / name, services=AsyncServices(client), store=store)
            started = time.perf_counter()
            result = await snapshots.refresh(sql=sql)
            seconds = time.perf_counter() - started
            snapshots.close()
    assert not result.failed, result.failed
    assert result.sql is sql, "the emulator did not answer SQL: is it on (--sql)?"
    subject = subprocess.run(
        ["git", "log", "-1", "--format=%s"], cwd=work / name, capture_output=True, text=True
    ).stdout.strip()
    return seconds, reads(emu), len(result.changed), subject


def change_people(emu: Emulator, ids: list[str]) -> None:
    """A new job title for each of ``ids`` (writes, paced by the write budget)."""
    with AttioClient(api_key=KEY, base_url=emu.proc.base_url) as client:
        for record_id in ids:
            client.records.update("people", record_id, {"job_title": "Benchmark Officer"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000)
    parser.add_argument("--refresh", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    people = max(args.records, args.refresh)
    with tempfile.TemporaryDirectory() as folder, Emulator(args.latency_ms, KEY) as emu:
        work = Path(folder)
        started = time.perf_counter()
        emu.control.post(
            "/seed", json={"dataset": "generated", "size": people, "seed": 0}
        ).raise_for_status()
        print(f"seeded {people:,} people in {time.perf_counter() - started:.1f} s")
        ids = people_ids(emu, people)

        seconds, used = asyncio.run(timed_import(emu, work, ids[: args.records], "chosen"))
        schema_reads = used - math.ceil(args.records / PAGE)
        fewest = used / READ_RATE
        naive = args.records / READ_RATE
        print(f"\nimport of {args.records:,} chosen people (read budget {READ_RATE}/s,")
        print(f"  latency {args.latency_ms:g} ms a request)")
        print(
            f"  reads used                 {used}  ({used - schema_reads} queries of $in, one per"
        )
        print(f"                             {PAGE} ids, + {schema_reads} of the workspace schema)")
        print(f"  time                       {seconds:.2f} s")
        print(f"  bound of the reads used    {fewest:.2f} s  -> ratio {seconds / fewest:.1f}x")
        ok = seconds <= GOAL * naive
        print(
            f"  bound of one read a record {naive:.2f} s  -> ratio {seconds / naive:.2f}x  "
            f"(goal <= {GOAL}x: {verdict(ok)})"
        )
        print(f"  records per second         {args.records / seconds:,.0f}")

        count = args.refresh
        seconds, used = asyncio.run(timed_import(emu, work, ids[:count], "all"))
        print(f"\nimport of {count:,} people (to refresh): {seconds:.1f} s, {used} reads")
        by_in = asyncio.run(timed_refresh(emu, work, "all", sql=False))
        by_sql = asyncio.run(timed_refresh(emu, work, "all", sql=True))
        goal = math.ceil(count / PAGE)
        ok = by_in[1] - schema_reads <= goal
        print(f"refresh of {count:,} imported people")
        print(f"{'':29}{'$in':>10} {'SQL':>10}   $in / SQL")
        print(
            f"  reads used                 {by_in[1]:>10} {by_sql[1]:>10}   "
            f"{by_in[1] / by_sql[1]:.1f}x"
        )
        print(
            f"  time (s)                   {by_in[0]:>10.2f} {by_sql[0]:>10.2f}   "
            f"{by_in[0] / by_sql[0]:.1f}x"
        )
        print(f"  records changed            {by_in[2]:>10} {by_sql[2]:>10}")
        print(
            f"  ($in: {by_in[1] - schema_reads} record queries, one per {PAGE}, "
            f"+ {schema_reads} of the schema: {verdict(ok)};"
        )
        print(f"   SQL: one query per {SQL_PAGE:,} records, + the schema)")
        change_people(emu, ids[:100])
        seconds, used, changed, subject = asyncio.run(timed_refresh(emu, work, "all"))
        print("refresh (SQL) after 100 people changed in Attio")
        print(f"  reads used                 {used}")
        print(f"  time                       {seconds:.2f} s  ({changed} changed, one commit)")
        print(f"  commit                     {subject[:90]}")


if __name__ == "__main__":
    main()
