"""Sync speed: a full sync of N contacts and M companies each way (half of each starting on
each side) between the in-process emulator and an in-memory other side, then a re-run.

The published limits set the bound: Attio 100 reads/s and 25 writes/s, HubSpot 100 requests per
10 s (private apps, API-NOTES; batch endpoints are not in the connector contract, so one record
is one call). The run itself is unthrottled; the requests it made on each side are counted and
priced at those limits:

- bound: the slowest side's paced time, ``max(attio_reads/100 + attio_writes/25, hubspot/10)``
  (both sides paced in parallel);
- engine: the same requests paced one after another as the engine makes them (it calls one side,
  then the other), ``attio_reads/100 + attio_writes/25 + hubspot/10``;
- printed: engine / bound (goal: within 1.2x), and the writes of a re-run with nothing changed
  (goal: 0);
- the lag from a change on the other side to its write in Attio through its webhook event and an
  incremental run, p50 and p95 (goal: p95 under 5 s). ``--contacts 10000 --companies 2000`` is
  the issue's size (the default is smaller,
  so a laptop run takes a minute).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sync._fake_side import FakeSide

from attio_bridge.client import AttioClient
from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.state import open_store
from attio_bridge.sync import parse_mappings
from attio_bridge.sync.engine import SyncEngine
from attio_bridge.sync.store import RecordStore
from attio_bridge.testing import SyncASGITransport
from attio_bridge.webhooks import Event

ATTIO_READS, ATTIO_WRITES, HUBSPOT = 100.0, 25.0, 10.0
KEY = "bench-sync-key"
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
                    {"external": "description", "attio": "description"},
                ],
            },
        ]
    }
)


class Counting(SyncASGITransport):
    """The in-process transport, counting reads and writes."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.counts: Counter[str] = Counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        read = request.method == "GET" or request.url.path.endswith("/query")
        self.counts["read" if read else "write"] += 1
        return super().handle_request(request)


def seed(client: AttioClient, side: FakeSide, contacts: int, companies: int) -> None:
    for i in range(contacts // 2):
        side.put("contacts", {"email": f"x{i}@ext.io", "firstname": f"X{i}", "lastname": "Ext"})
        client.records.create(
            "people",
            {
                "email_addresses": [f"a{i}@attio.io"],
                "name": [{"first_name": f"A{i}", "last_name": "Attio", "full_name": f"A{i} Attio"}],
            },
        )
    for i in range(companies // 2):
        side.put("companies", {"domain": f"x{i}-bench.com", "name": f"X{i}"})
        client.records.create(
            "companies", {"domains": [{"domain": f"a{i}-bench.com"}], "name": [{"value": f"A{i}"}]}
        )


def incremental_lags(client: AttioClient, side: FakeSide, store: RecordStore) -> list[float]:
    """Seconds from a change on the other side to its write in Attio, through its webhook event
    and an incremental run (with its pull), for 40 changes."""
    engine = SyncEngine(MAPPINGS[0], side, client, store)
    ids = sorted(side.records["contacts"], key=int)[:40]
    lags = []
    for n, ident in enumerate(ids):
        changed = time.perf_counter()
        side.edit("contacts", ident, {"jobtitle": f"Title {n}"})
        event = Event(
            "hubspot",
            "w",
            "contact.propertyChange",
            {"objectId": int(ident), "subscriptionType": "contact.propertyChange"},
            f"d{n}",
        )
        report = engine.incremental([event])
        assert report.written["attio"] >= 1
        lags.append(time.perf_counter() - changed)
    return lags


def run(contacts: int, companies: int) -> None:
    app = create_app(EmulatorConfig(api_keys=[KEY], read_rate=0, write_rate=0))
    transport = Counting(app)
    side = FakeSide(
        {
            "contacts": {"email": "s", "firstname": "s", "lastname": "s", "jobtitle": "s"},
            "companies": {"domain": "s", "name": "s", "description": "s"},
        }
    )
    with (
        AttioClient(api_key=KEY, base_url="http://emulator", transport=transport) as client,
        tempfile.TemporaryDirectory() as tmp,
        open_store(f"sqlite:///{Path(tmp) / 'state.sqlite3'}") as state,
    ):
        seed(client, side, contacts, companies)
        store = RecordStore(state)
        transport.counts.clear()
        side.calls.clear()
        started = time.perf_counter()
        written = 0
        for m in MAPPINGS:
            written += SyncEngine(m, side, client, store).full().writes
        elapsed = time.perf_counter() - started
        reads, writes, hub = transport.counts["read"], transport.counts["write"], len(side.calls)
        bound = max(reads / ATTIO_READS + writes / ATTIO_WRITES, hub / HUBSPOT)
        engine = reads / ATTIO_READS + writes / ATTIO_WRITES + hub / HUBSPOT
        transport.counts.clear()
        side.calls.clear()
        again = sum(SyncEngine(m, side, client, store).full().writes for m in MAPPINGS)
        lags = incremental_lags(client, side, store)
        app.state.deliveries.close()
    print(f"full sync: {contacts} contacts, {companies} companies (half from each side)")
    print(f"  records written: {written}; wall time unthrottled: {elapsed:.1f} s")
    print(f"  Attio requests: {reads} reads, {writes} writes; HubSpot calls: {hub}")
    print(f"  paced at the published limits: engine {engine:.0f} s, bound {bound:.0f} s")
    ratio = engine / bound
    print(f"  engine / bound: {ratio:.2f}x (goal <= 1.2x: {'met' if ratio <= 1.2 else 'missed'})")
    print(
        f"re-run with nothing changed: {again} writes (goal 0: {'met' if again == 0 else 'missed'})"
    )
    cuts = statistics.quantiles(lags, n=20)
    p50, p95 = cuts[9], cuts[18]
    print(
        f"incremental lag, webhook to write, {len(lags)} changes, unthrottled: "
        f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (goal p95 < 5 s: "
        f"{'met' if p95 < 5 else 'missed'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--companies", type=int, default=200)
    args = parser.parse_args()
    run(args.contacts, args.companies)


if __name__ == "__main__":
    main()
