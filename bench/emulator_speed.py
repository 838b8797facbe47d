"""How fast the emulator answers, so that it is never what a client benchmark measures.

Starts the emulator as a separate process seeded with N generated people (100,000 by default),
with no rate limits, and prints over loopback:

- p50/p95 of a 500-record query page without filter   (goal: p50 < 25 ms); the seed keeps
  every record's JSON, so also the same pages read again and, after a new attribute changed
  every record's shape, pages serialised afresh (the cost of a page of records just written)
- p50/p95 of a query filtered by a unique email         (goal: p50 < 3 ms)
- p50/p95 of an assert (PUT ?matching_attribute=)       (goal: p50 < 3 ms)
- throughput of small reads (GET one record) from this separate process, concurrently
  (goal: >= 1,000 req/s, ten times Attio's whole read budget of 100/s), side by side with the
  throughput of the emulator's trivial health endpoint on the same server (the reference: what
  the server stack itself can do), and the ratio between the two;
- the emulator's resident memory (goal: < 1 GB).

Run: ``python bench/emulator_speed.py [--people 100000] [--seconds 5]``.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import statistics
import time
from collections.abc import Callable
from typing import Any

import orjson
import psutil

from attio_bridge.testing import EmulatorProcess

KEY = "bench-key"


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 of ``samples`` in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return statistics.median(ordered) * 1000, p95 * 1000


class Api:
    """JSON calls on one keep-alive connection with the standard library's ``http.client``.

    Its per-request overhead is a fraction of a millisecond, so the timings are the emulator's,
    not a client library's.
    """

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}

    def send(self, method: str, path: str, body: Any) -> bytes:
        """Send one request; the raw answer (exits on anything but 200). Timings stop here, so
        they do not include this client decoding the JSON."""
        self.conn.request(method, path, body=orjson.dumps(body), headers=self.headers)
        r = self.conn.getresponse()
        raw = r.read()
        if r.status != 200:
            raise SystemExit(f"unexpected {r.status}: {raw[:300]!r}")
        return raw

    def call(self, method: str, path: str, body: Any) -> Any:
        """Send one request; the decoded JSON answer."""
        return orjson.loads(self.send(method, path, body))


def timed(n: int, fn: Callable[[int], Any]) -> list[float]:
    """Run ``fn(i)`` n times; the durations in seconds."""
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - t0)
    return out


def _reader(args: tuple[int, str, float]) -> int:
    """One load process: GET ``path`` on one keep-alive connection until time is up."""
    port, path, seconds = args
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Authorization": f"Bearer {KEY}"}
    done = 0
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            raise SystemExit(f"unexpected {r.status} for {path}")
        done += 1
    conn.close()
    return done


def throughput(port: int, path: str, seconds: float, processes: int) -> float:
    """Requests per second that ``processes`` separate load processes get for GET ``path``.

    The load comes from plain ``http.client`` loops in other processes: a Python HTTP client
    library in one process tops out below the server, and would be what this measured.
    """
    with multiprocessing.Pool(processes) as pool:
        started = time.perf_counter()
        counts = pool.map(_reader, [(port, path, seconds)] * processes)
        return sum(counts) / (time.perf_counter() - started)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=2, help="load processes")
    args = parser.parse_args()

    print(f"starting the emulator with {args.people:,} generated people ...", flush=True)
    t0 = time.perf_counter()
    emu = EmulatorProcess(
        api_key=KEY, read_rate=0, write_rate=0, seed="generated", seed_size=args.people
    )
    with emu:
        print(f"  ready in {time.perf_counter() - t0:.1f} s")
        assert emu.proc is not None
        rss_mb = psutil.Process(emu.proc.pid).memory_info().rss / 2**20
        api = Api(emu.port)
        query = "/v2/objects/people/records/query"
        page = api.call("POST", query, {"limit": 500})["data"]
        emails = [
            p["values"]["email_addresses"][0]["email_address"]
            for p in page
            if p["values"]["email_addresses"]
        ]
        record_ids = [p["id"]["record_id"] for p in page]
        n = args.samples
        span = max(1, args.people - 500)
        unfiltered = timed(
            max(20, n // 4),
            lambda i: api.send("POST", query, {"limit": 500, "offset": (i * 997) % span}),
        )
        # The same pages again: records already served come from their kept JSON.
        reread = timed(
            max(20, n // 4),
            lambda i: api.send("POST", query, {"limit": 500, "offset": (i * 997) % span}),
        )
        # A new attribute changes every record's shape: each page is then serialised afresh,
        # the cost a first read paid before the seed kept every record's JSON.
        api.call(
            "POST",
            "/v2/objects/people/attributes",
            {
                "data": {
                    "title": "Bench note",
                    "description": None,
                    "api_slug": "bench_note",
                    "type": "text",
                    "is_required": False,
                    "is_unique": False,
                    "is_multiselect": False,
                    "config": {},
                }
            },
        )
        cold = timed(
            max(20, n // 4),
            lambda i: api.send("POST", query, {"limit": 500, "offset": (i * 997) % span}),
        )
        by_email = timed(
            n,
            lambda i: api.send(
                "POST", query, {"filter": {"email_addresses": emails[i % len(emails)]}}
            ),
        )
        asserts = timed(
            n,
            lambda i: api.send(
                "PUT",
                "/v2/objects/people/records?matching_attribute=email_addresses",
                {
                    "data": {
                        "values": {
                            "email_addresses": [emails[i % len(emails)]],
                            "job_title": f"Engineer {i}",
                        }
                    }
                },
            ),
        )
        one = f"/v2/objects/people/records/{record_ids[0]}"
        reads = throughput(emu.port, one, args.seconds, args.concurrency)
        health = throughput(emu.port, "/_emulator/health", args.seconds, args.concurrency)
        rss_after_mb = psutil.Process(emu.proc.pid).memory_info().rss / 2**20

    print(f"\nemulator speed on {args.people:,} people (loopback, separate process)")
    rows = [
        ("query page of 500, no filter", percentiles(unfiltered), 25.0),
        ("  the same pages read again", percentiles(reread), 25.0),
        ("  after a new attribute (cold)", percentiles(cold), 25.0),
        ("query by unique email", percentiles(by_email), 3.0),
        ("assert by email", percentiles(asserts), 3.0),
    ]
    for label, (p50, p95), goal in rows:
        print(
            f"  {label:<30} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  "
            f"goal p50 < {goal:g} ms  ({p50 / goal:.2f} of goal)"
        )
    print(
        f"  small reads (GET record)       {reads:8.0f} req/s  "
        f"= {reads / 100:.1f}x Attio's read budget (100/s); goal >= 1,000 req/s"
    )
    print(
        f"  reference: health endpoint     {health:8.0f} req/s  "
        f"(record reads reach {reads / health:.2f} of the bare server's rate)"
    )
    print(
        f"  resident memory                {max(rss_mb, rss_after_mb):8.0f} MB  (goal < 1,024 MB)"
    )


if __name__ == "__main__":
    main()
