"""What the export's SQL path saves: ``export_records`` by paging and by SQL, side by side.

One emulator process (Attio's rates, ``--latency-ms`` per request, 30 by default) seeded with the
``generated`` dataset (``--size`` people, 2000 by default, and their companies and deals). For
each target (people, companies, the deals pipeline list) the export runs twice in the same run,
``sql=False`` (pages of 500 through ``records/query`` / ``entries/query``) and ``sql=True``
(``POST /v2/sql``, pages of 5000), through the sync client with its default rate budget. Prints,
per target and path, the requests the emulator received (all, and those that read rows: pages of
records or entries, SQL queries; the rest is the schema, read the same way by both) and the wall
time, and the ratios paging / SQL. The rows written are compared: the bench exits 1 if the two
paths differ.

Run: ``python bench/sql_export.py [--size 2000] [--latency-ms 30]``.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections import Counter

from _emulator import READ_RATE, WRITE_RATE
from attio_bridge.client import AttioClient
from attio_bridge.testing import EmulatorControl, EmulatorProcess
from attio_bridge.workflows import export_records

API_KEY = "bench-key"
ROW_READS = ("/records/query", "/entries/query", "/v2/sql")


def run(client: AttioClient, control: EmulatorControl, target: str, sql: bool) -> tuple:
    """(requests by operation, seconds, sorted lines) of one export."""
    control.call("DELETE", "/journal")
    out = io.StringIO()
    started = time.perf_counter()
    export_records(client, target, out, "jsonl", sql=sql)
    seconds = time.perf_counter() - started
    calls = Counter(e["operation"] for e in control.journal())
    return calls, seconds, sorted(out.getvalue().splitlines())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000, help="people to generate")
    parser.add_argument("--latency-ms", type=float, default=30.0)
    args = parser.parse_args()
    emulator = EmulatorProcess(
        api_key=API_KEY,
        read_rate=READ_RATE,
        write_rate=WRITE_RATE,
        latency_ms=args.latency_ms,
        seed="generated",
        seed_size=args.size,
    )
    same = True
    with emulator, EmulatorControl(base_url=emulator.base_url) as control:
        lists = [
            t["table_name"]
            for t in control_sql(
                emulator,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'lists'",
            )
        ]
        targets = ["people", "companies", *lists[:1]]
        print(f"export, {args.size} generated people, latency {args.latency_ms:g} ms/request")
        print(
            f"{'target':<16}{'path':<8}{'rows':>7}{'requests':>10}{'row reads':>11}{'seconds':>9}"
        )
        totals = {False: [0, 0, 0.0], True: [0, 0, 0.0]}
        with AttioClient(
            api_key=API_KEY, base_url=emulator.base_url, rate_limit_backend="memory"
        ) as client:
            for target in targets:
                results = {}
                for sql in (False, True):
                    calls, seconds, lines = run(client, control, target, sql)
                    results[sql] = lines
                    requests = sum(calls.values())
                    reads = sum(n for op, n in calls.items() if op.endswith(ROW_READS))
                    totals[sql][0] += requests
                    totals[sql][1] += reads
                    totals[sql][2] += seconds
                    path = "sql" if sql else "paging"
                    print(
                        f"{target:<16}{path:<8}{len(lines):>7}{requests:>10}{reads:>11}"
                        f"{seconds:>9.2f}"
                    )
                if results[False] != results[True]:
                    print(f"  {target}: the two paths wrote different rows")
                    same = False
        (pr, pn, ps), (sr, sn, ss) = totals[False], totals[True]
        print(f"{'total':<16}{'paging':<8}{'':>7}{pr:>10}{pn:>11}{ps:>9.2f}")
        print(f"{'total':<16}{'sql':<8}{'':>7}{sr:>10}{sn:>11}{ss:>9.2f}")
        print(
            f"ratio paging/sql: requests {pr / max(sr, 1):.1f}x, row reads "
            f"{pn / max(sn, 1):.1f}x, time {ps / max(ss, 1e-9):.1f}x"
        )
        print("same rows both ways:", "yes" if same else "NO")
    return 0 if same else 1


def control_sql(emulator: EmulatorProcess, sql: str) -> list[dict]:
    """Rows of one SQL query, straight through the API (to find the lists to export)."""
    with AttioClient(
        api_key=API_KEY, base_url=emulator.base_url, rate_limit_backend="memory"
    ) as client:
        return client.sql.query(sql)


if __name__ == "__main__":
    sys.exit(main())
