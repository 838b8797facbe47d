"""How many API calls a typical run of upserts with company links makes, with and without the
schema and record cache.

A run upserts ``--people`` people (100 by default) spread over ``--companies`` companies (10),
each person linked to their company by domain (``services.people.upsert(email=...,
company="acme3.com")``), through the sync ``Services`` on a fresh in-process emulator. Calls are
counted from the emulator's journal by operation. Four runs:

1. cached: ``Services(client, cache=...)``, the default memory cache (or ``--cache-url``, e.g.
   the real Redis): the schema is loaded once and each company asserted once, its id then read
   from the cache;
2. schema only: records, lists and notes at TTL 0, the schema cached for its 30 minutes (what
   the services did before reads went through the cache);
3. no cache (the reference): new services for every upsert, records at TTL 0, so each upsert
   loads the schema once and asserts the company again: what a program without a cache does;
4. every TTL 0, schema included: the services then load the schema at each of the several
   points of one upsert that read it, so this overstates the cost of "no cache"; shown, not
   used as the reference.

Prints each run's calls by operation, the totals and the ratio of the reference to the cached
run, schema calls after the first upsert (goal 0) and calls per record written after the first
schema load (goal <= 1 with the cache). Exits 1 if a goal of the cached run is missed.

Run: ``python bench/api_calls.py [--people 100] [--companies 10] [--cache-url redis://...]``.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from attio_bridge.cache import DEFAULT_TTLS, Cache, create_cache
from attio_bridge.client import AttioClient
from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.services import Services
from attio_bridge.testing import SyncASGITransport

API_KEY = "bench-key"


@dataclass(frozen=True)
class Run:
    """The calls of one run, by operation, and where the first upsert ended."""

    name: str
    by_operation: Counter[str]
    schema_after_first: int
    records_written: int

    @property
    def total(self) -> int:
        """Every call of the run."""
        return sum(self.by_operation.values())

    @property
    def schema_total(self) -> int:
        """The calls that loaded the schema."""
        return sum(n for op, n in self.by_operation.items() if is_schema(op))


def is_schema(operation: str) -> bool:
    """Whether an operation of the journal loads part of the schema."""
    return operation in ("GET /v2/objects", "GET /v2/lists") or "/attributes" in operation


def run(name: str, cache: Cache, people: int, companies: int, *, fresh: bool = False) -> Run:
    """Upsert ``people`` people over ``companies`` companies on a fresh emulator; ``fresh``
    makes new services (so a new schema cache) for every upsert."""
    app: EmulatorApp = create_app(EmulatorConfig(api_keys=[API_KEY], read_rate=0, write_rate=0))
    transport = SyncASGITransport(app)
    with AttioClient(
        api_key=API_KEY,
        base_url="http://emulator.bench",
        transport=transport,
        rate_limit_backend="memory",
        read_rate=0,
        write_rate=0,
    ) as client:
        services = Services(client, cache=cache)
        first_done = 0
        for i in range(people):
            if fresh:
                services = Services(client, cache=cache)
            services.people.upsert(
                email=f"person{i}@company{i % companies}.com",
                name=f"Person {i}",
                company=f"https://www.company{i % companies}.com/",
                job_title="Engineer",
            )
            if i == 0:
                first_done = len(app.state.journal.entries)
        ops = [e["operation"] for e in app.state.journal.render()]
        written = len(client.records.query("people")) + len(client.records.query("companies"))
    transport.close()
    after = sum(1 for op in ops[first_done:] if is_schema(op))
    return Run(name, Counter(ops), after, written)


def report(r: Run) -> None:
    """Print one run."""
    non_schema = r.total - r.schema_total
    print(f"\n{r.name}: {r.total} calls ({r.schema_total} loading the schema)")
    for op, n in sorted(r.by_operation.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:5d}  {op}")
    print(f"  schema calls after the first upsert: {r.schema_after_first}")
    print(
        f"  records written: {r.records_written}; calls per record written, "
        f"schema load aside: {non_schema / r.records_written:.2f}; "
        f"all calls: {r.total / r.records_written:.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the three runs, print them, exit 1 if a goal of the cached run is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--companies", type=int, default=10)
    parser.add_argument("--cache-url", default=None, help="redis://... (memory by default)")
    args = parser.parse_args(argv)

    prefix = f"attio-bridge-bench:{uuid.uuid4().hex}:"
    cache = create_cache(args.cache_url, prefix=prefix)
    off: Mapping[str, float] = dict.fromkeys(DEFAULT_TTLS, 0.0)
    try:
        cached = run(f"cached ({args.cache_url or 'memory'})", cache, args.people, args.companies)
    finally:
        cache.clear()
        cache.close()
    schema_only = run(
        "schema only (records, lists, notes at TTL 0)",
        Cache(ttls={**off, "schema": DEFAULT_TTLS["schema"]}),
        args.people,
        args.companies,
    )
    reference = run(
        "no cache (new services per upsert, records at TTL 0): the reference",
        Cache(ttls={**off, "schema": DEFAULT_TTLS["schema"]}),
        args.people,
        args.companies,
        fresh=True,
    )
    all_off = run("every TTL 0, schema included", Cache(ttls=off), args.people, args.companies)
    print(f"{args.people} people upserted over {args.companies} companies linked by domain")
    for r in (cached, schema_only, reference, all_off):
        report(r)
    per_record = (cached.total - cached.schema_total) / cached.records_written
    print(
        f"\ncalls: cached {cached.total}, schema only {schema_only.total}, "
        f"no cache {reference.total}; no cache / cached = {reference.total / cached.total:.1f}x, "
        f"schema only / cached = {schema_only.total / cached.total:.2f}x "
        f"(every TTL 0: {all_off.total}, {all_off.total / cached.total:.1f}x)"
    )
    ok = cached.schema_after_first == 0 and per_record <= 1.0
    print(
        f"goals (cached): schema calls after the first = {cached.schema_after_first} (goal 0), "
        f"calls per record written = {per_record:.2f} (goal <= 1): "
        f"{'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
