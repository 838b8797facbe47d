"""Sync speed, in wall time: a full sync of N contacts and M companies each way between the
emulator's Attio and its HubSpot stand-in, both served over HTTP in a process of their own with
their published limits enforced and a network latency added; then a re-run with nothing changed,
and the lag of single changes through the incremental path.

Limits (published): Attio 100 reads/s and 25 writes/s (per token, one-second windows); HubSpot
private apps 100 requests per rolling 10 s (Free/Starter; batch endpoints count one request for
up to 100 inputs). Half of each object's records start on each side.

The bound is the time those limits allow for the requests any correct sync needs, the two sides
paced in parallel:

    attio   = reads / 100 + writes / 25
              reads  = sum over objects of (floor(n_attio / 500) + 1)       (500 a page)
              writes = sum over objects of n_only_external                  (creates; no batch)
    hubspot = max(0, requests - 100) / (100 / 10 s)                          (first window free)
              requests = sum over objects of (ceil(n_ext / 100) list pages
                                              + ceil(n_only_attio / 100) batch creates)
    bound   = max(attio, hubspot)

Printed: records, requests per side (from the emulator's journal), wall time, bound, wall /
bound (goal <= 1.2); the writes of a re-run with nothing changed (goal 0); the lag from a change
on either side (HubSpot: a PATCH and its ``contact.propertyChange`` event; Attio: an update and
its ``record.updated`` event) to its write on the other side through ``engine.settle``,
p50 and p95 (goal p95 < 5 s), measured at the real limits and latency (no speedup) on a small
synced workspace (``--lag-contacts``).

``--speedup K`` multiplies every rate limit (the servers' and the client's and connector's
pacing) by K and divides the latency by K, so the issue's size (``--contacts 10000 --companies
2000``) runs in minutes; the bound is computed with the same K. ``--compare`` also runs the
engine as it was (one write after another, one record per call: ``concurrency=1,
batches=False``) on a fresh copy of the same data, as the reference line.
"""

from __future__ import annotations

import argparse
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._emulator import verdict

from attio_bridge.client import AttioClient
from attio_bridge.connectors import HubSpotConnector
from attio_bridge.state import open_store
from attio_bridge.sync import SyncMapping, parse_mappings
from attio_bridge.sync.engine import SyncEngine
from attio_bridge.sync.store import RecordStore
from attio_bridge.webhooks import Event

ATTIO_READS, ATTIO_WRITES = 100.0, 25.0
HUBSPOT_LIMIT, HUBSPOT_WINDOW = 100, 10.0
ATTIO_PAGE, HUBSPOT_PAGE, HUBSPOT_BATCH = 500, 100, 100
KEY = "bench-sync-speed-key"
TOKEN = "pat-sandbox"
MAPPINGS = parse_mappings(
    {
        "mapping": [
            {
                "name": "contacts",
                "system": "hubspot",
                "object": "contacts",
                "attio_object": "people",
                "match": {"external": "email", "attio": "email_addresses"},
                "fields": [
                    {"external": "email", "attio": "email_addresses", "transform": "lowercase"},
                    {
                        "external": ["firstname", "lastname"],
                        "attio": "name",
                        "transform": "split_name",
                    },
                    {"external": "jobtitle", "attio": "job_title"},
                ],
            },
            {
                "name": "companies",
                "system": "hubspot",
                "object": "companies",
                "attio_object": "companies",
                "match": {"external": "domain", "attio": "domains"},
                "fields": [
                    {"external": "domain", "attio": "domains", "transform": "lowercase"},
                    {"external": "name", "attio": "name"},
                ],
            },
        ]
    }
)


# -- the server process -------------------------------------------------------------------------


def serve(port: int, contacts: int, companies: int, speedup: float, latency_ms: float) -> None:
    """Seed an emulator (no limits while seeding), then enforce the limits and serve it."""
    import uvicorn

    from attio_bridge.emulator import EmulatorConfig, create_app
    from attio_bridge.emulator.seed import SEED_ACTOR
    from attio_bridge.emulator.standins._crm import RateWindow
    from attio_bridge.emulator.standins.hubspot.model import HubSpotModel

    app = create_app(EmulatorConfig(api_keys=[KEY], read_rate=0, write_rate=0))
    hubspot = app.state.standins.model("hubspot", HubSpotModel)
    for records in hubspot.records.values():
        records.clear()
    ws = app.state.workspace
    people, orgs = ws.find_object("people"), ws.find_object("companies")
    assert people is not None and orgs is not None
    # Straight into the workspace's model (as the API's create does, without HTTP): fast.
    for i in range(contacts // 2):
        hubspot.create(
            "contacts", {"email": f"x{i}@ext.io", "firstname": f"X{i}", "lastname": "Ext"}
        )
        name = {"first_name": f"A{i}", "last_name": "Attio", "full_name": f"A{i} Attio"}
        values = {"email_addresses": [f"a{i}@attio.io"], "name": [name]}
        ws.create_record(people, values, SEED_ACTOR)
    for i in range(companies // 2):
        hubspot.create("companies", {"domain": f"x{i}-bench.com", "name": f"X{i}"})
        values = {"domains": [{"domain": f"a{i}-bench.com"}], "name": [{"value": f"A{i}"}]}
        ws.create_record(orgs, values, SEED_ACTOR)
    app.state.budget.read_rate = ATTIO_READS * speedup
    app.state.budget.write_rate = ATTIO_WRITES * speedup
    app.state.latency_ms = latency_ms / speedup
    app.state.latency_jitter_ms = latency_ms / speedup * 0.1
    hubspot.rate = RateWindow(HUBSPOT_LIMIT, HUBSPOT_WINDOW / speedup)
    print("ready", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


@dataclass
class Server:
    base_url: str
    control: httpx.Client

    def requests(self) -> tuple[Counter[str], Counter[str], float]:
        """Requests answered since the journal was last cleared, by side; of them, those
        refused (429) by side; the median server time of a write (latency included)."""
        journal = self.control.get("/journal").json()

        def side(e: dict[str, Any]) -> str:
            return "hubspot" if e["operation"].startswith("hubspot") else "attio"

        limited = Counter(side(e) for e in journal if e["status"] == 429)
        writes = [e["duration_ms"] for e in journal if e["method"] in ("POST", "PATCH", "PUT")]
        return Counter(side(e) for e in journal), limited, statistics.median(writes or [0.0])

    def clear(self) -> None:
        self.control.delete("/journal").raise_for_status()


@contextmanager
def server(contacts: int, companies: int, speedup: float, latency_ms: float) -> Iterator[Server]:
    """The emulator, seeded and limited, in a process of its own."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = [sys.executable, __file__, "--serve", str(port), "--contacts", str(contacts)]
    args += ["--companies", str(companies), "--speedup", str(speedup)]
    args += ["--latency-ms", str(latency_ms)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the emulator process did not start")
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=f"{base}/_emulator", timeout=60) as control:
            for _ in range(100):
                try:
                    control.get("/health").raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            yield Server(base, control)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# -- the run ------------------------------------------------------------------------------------


def bound(contacts: int, companies: int, speedup: float) -> tuple[float, float, float]:
    """(attio s, hubspot s, bound s) at the published limits times ``speedup`` (docstring)."""
    reads = writes = hub = 0
    for n in (contacts, companies):
        n_attio = n_ext = n // 2
        reads += n_attio // ATTIO_PAGE + 1
        writes += n_ext  # every external-only record is created in Attio, one call each
        hub += math.ceil(n_ext / HUBSPOT_PAGE) + math.ceil(n_attio / HUBSPOT_BATCH)
    attio = (reads / ATTIO_READS + writes / ATTIO_WRITES) / speedup
    hubspot = max(0, hub - HUBSPOT_LIMIT) / (HUBSPOT_LIMIT / HUBSPOT_WINDOW) / speedup
    return attio, hubspot, max(attio, hubspot)


@dataclass
class Sides:
    client: AttioClient
    hubspot: HubSpotConnector
    store: RecordStore

    def engine(self, m: SyncMapping, **options: Any) -> SyncEngine:
        return SyncEngine(m, self.hubspot, self.client, self.store, **options)


@contextmanager
def sides(srv: Server, speedup: float) -> Iterator[Sides]:
    rates = {"read_rate": int(ATTIO_READS * speedup), "write_rate": int(ATTIO_WRITES * speedup)}
    hubspot = HubSpotConnector(
        TOKEN, base_url=srv.base_url, rate=(HUBSPOT_LIMIT, HUBSPOT_WINDOW / speedup)
    )
    with (
        AttioClient(
            api_key=KEY, base_url=srv.base_url, rate_limit_backend="memory", **rates
        ) as client,
        tempfile.TemporaryDirectory() as tmp,
        open_store(f"sqlite:///{Path(tmp) / 'state.sqlite3'}") as state,
    ):
        yield Sides(client, hubspot, RecordStore(state))


def full_run(args: argparse.Namespace, label: str, **options: Any) -> float:
    """One full sync on a fresh server; prints its figures; returns wall / bound."""
    attio_b, hub_b, limit = bound(args.contacts, args.companies, args.speedup)
    with (
        server(args.contacts, args.companies, args.speedup, args.latency_ms) as srv,
        sides(srv, args.speedup) as s,
    ):
        srv.clear()
        started = time.perf_counter()
        written = errors = 0
        each = []
        for m in MAPPINGS:
            began = time.perf_counter()
            report = s.engine(m, **options).full()
            each.append(f"{m.name} {time.perf_counter() - began:.1f} s")
            written += report.writes
            errors += len(report.errors)
        wall = time.perf_counter() - started
        requests, limited, server_ms = srv.requests()
        srv.clear()
        again = sum(s.engine(m, **options).full().writes for m in MAPPINGS)
    ratio = wall / limit
    print(f"{label}:")
    print(f"  records written: {written} ({errors} errors); {', '.join(each)}")
    print(
        f"  requests: Attio {requests['attio']} ({limited['attio']} limited), HubSpot "
        f"{requests['hubspot']} ({limited['hubspot']} limited); median server time of a write "
        f"{server_ms:.0f} ms (latency included)"
    )
    print(
        f"  wall time {wall:.1f} s; bound {limit:.1f} s (Attio {attio_b:.1f} s, "
        f"HubSpot {hub_b:.1f} s); wall / bound {ratio:.2f}x "
        f"(goal <= 1.2: {verdict(ratio <= 1.2)})"
    )
    print(f"  re-run with nothing changed: {again} writes (goal 0: {verdict(again == 0)})")
    return ratio


def lags(args: argparse.Namespace) -> None:
    """The incremental path's lag for changes on each side, at the real limits and latency."""
    n = args.lag_contacts
    with server(n, 0, 1.0, args.latency_ms) as srv, sides(srv, 1.0) as s:
        contacts = MAPPINGS[0]
        s.engine(contacts).full()
        engine = s.engine(contacts)
        ids = [r.id for r in s.hubspot.list_page("contacts", None, 100).records][: args.changes]
        from_hubspot = []
        for k, ident in enumerate(ids):
            # Through the paced connector: the stand-in's window counts every request.
            s.hubspot.update("contacts", ident, {"jobtitle": f"H{k}"})
            changed = time.perf_counter()
            payload = {"objectId": int(ident), "subscriptionType": "contact.propertyChange"}
            event = Event("hubspot", "w", "contact.propertyChange", payload, f"h{k}")
            report = engine.settle([event])
            assert report.written["attio"] >= 1, report.to_dict()
            from_hubspot.append(time.perf_counter() - changed)
        people = s.client.records.query("people", limit=args.changes)
        from_attio = []
        for k, person in enumerate(people):
            s.client.records.update("people", person.record_id, {"job_title": f"A{k}"})
            changed = time.perf_counter()
            payload = {"id": {"record_id": person.record_id}}
            event = Event("attio", "w", "record.updated", payload, f"a{k}")
            report = engine.settle([event])
            assert report.written["external"] >= 1, report.to_dict()
            from_attio.append(time.perf_counter() - changed)
    for side, got in (("HubSpot -> Attio", from_hubspot), ("Attio -> HubSpot", from_attio)):
        cuts = statistics.quantiles(got, n=20)
        p50, p95 = cuts[9], cuts[18]
        print(
            f"  {side}: {len(got)} changes, p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
            f"(goal p95 < 5 s: {verdict(p95 < 5)})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--companies", type=int, default=200)
    parser.add_argument("--speedup", type=float, default=1.0)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--lag-contacts", type=int, default=200)
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument("--no-lag", action="store_true")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.contacts, args.companies, args.speedup, args.latency_ms)
        return
    print(
        f"full sync: {args.contacts} contacts, {args.companies} companies (half from each side); "
        f"speedup K={args.speedup:g} (limits x K, latency {args.latency_ms:g} ms / K = "
        f"{args.latency_ms / args.speedup:.1f} ms a request)"
    )
    print(
        "bound = max(Attio (reads/100 + creates/25), HubSpot max(0, requests - 100)/10) / K; "
        "reads: 500 a page, HubSpot requests: list pages (100) + batch creates (100)"
    )
    ratio = full_run(
        args, f"engine (concurrency {args.concurrency}, batches)", concurrency=args.concurrency
    )
    if args.compare:
        before = full_run(
            args, "reference: one write at a time, no batches", concurrency=1, batches=False
        )
        print(f"  reference / engine: {before / ratio:.2f}x")
    if not args.no_lag:
        print(
            f"incremental lag (webhook event -> engine.settle), K=1, latency "
            f"{args.latency_ms:g} ms, {args.lag_contacts} contacts synced first:"
        )
        lags(args)


if __name__ == "__main__":
    main()
