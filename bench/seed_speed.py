"""How fast the ``generated`` seed fills an emulator, and what the emulator then weighs.

Builds a whole emulator (``create_app``) seeded with N generated people (100,000 by default, plus
N/10 companies and N/20 deals) and prints:

- the seeding time, wall clock and CPU                      (goal: well under a minute)
- the emulator process's resident memory afterwards         (goal: < 1 GB)
- the bulk path's time per record next to the API's write path (``Workspace.create_record``,
  events included) on the first few thousand of the same people: the reference, and the ratio.

Run: ``python bench/seed_speed.py [--people 100000] [--reference 3000]``.
"""

from __future__ import annotations

import argparse
import gc
import time

import psutil

from attio_bridge.emulator import EmulatorConfig, create_app, seed_data
from attio_bridge.emulator.seed import SEED_ACTOR
from attio_bridge.emulator.workspace import Workspace


def reference_per_record(people: int) -> float:
    """Seconds per person through ``Workspace.create_record``, the API's write path."""
    ws = Workspace()
    ws.add_member("Ada", "Admin", "ada@example.com")
    companies = ws.schema.get_object("companies")
    categories = companies.find_attribute("categories")
    assert categories is not None
    for title in seed_data.COMPANY_CATEGORIES:
        if categories.find_option(title) is None:
            ws.schema.add_option(categories, title)
    domains = []
    for values in seed_data.generate_companies(max(1, people // 10), 0):
        ws.create_record(companies, values, SEED_ACTOR)
        domains.append(values["domains"][0])
    rows = list(seed_data.generate_people(people, 0, domains))
    obj = ws.schema.get_object("people")
    started = time.process_time()
    for values in rows:
        ws.create_record(obj, values, SEED_ACTOR)
    return (time.process_time() - started) / people


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--reference", type=int, default=3_000)
    args = parser.parse_args()

    process = psutil.Process()
    base_rss = process.memory_info().rss
    wall, cpu = time.perf_counter(), time.process_time()
    app = create_app(
        EmulatorConfig(seed="generated", seed_size=args.people, read_rate=0, write_rate=0)
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    gc.collect()
    rss = process.memory_info().rss
    ws = app.state.workspace
    counts = {o.api_slug: len(ws.store.records.get(o.id, {})) for o in ws.schema.objects.values()}
    records = sum(counts.values())
    print(f"seeded {counts} in {wall:.1f} s wall, {cpu:.1f} s CPU")
    print(f"resident memory: {rss / 2**20:.0f} MiB (+{(rss - base_rss) / 2**20:.0f} MiB seeding)")
    bulk = cpu / records
    reference = reference_per_record(args.reference)
    print(f"bulk path:  {bulk * 1e6:.0f} us CPU per record (all objects)")
    print(
        f"API path:   {reference * 1e6:.0f} us CPU per person (reference, {args.reference} people)"
    )
    print(f"ratio:      {reference / bulk:.1f}x faster than the API path")
    app.state.deliveries.close()


if __name__ == "__main__":
    main()
