"""How fast the Browse page renders a page of 500 rows, against the emulator.

Serves the app with the snapshot pages in-process (the sandbox's way: the pages' client reaches
an emulator seeded with N generated people), then times, R times each:

- ``GET /snapshots/browse/people?limit=500``: the page at 500 rows     (goal: p95 < 500 ms)
- ``GET /snapshots/browse/people?limit=50``: the same page at 50 rows  (reference)
- ``POST /v2/objects/people/records/query`` with ``limit: 500``: the bare JSON of the records
  query the page makes                                                  (reference)
- the same query through the pages' client (``AsyncAttioClient``: the JSON parsed into
  models), what the page reads before it renders                       (reference)

and prints p50 and p95 of each and the ratios: what rendering 500 rows adds to reading them.

Run: ``python bench/pages_speed.py [--people 2000] [--runs 40]``.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig
from attio_bridge.emulator import create_app as emulator_app
from attio_bridge.state import open_store
from attio_bridge.web import build_service, create_app
from attio_bridge.web.imports import SnapshotsBackend
from attio_bridge.web.snapshots import Connection, Pages, PagesConfig
from attio_bridge.webhooks import Tenant, Tenants

KEY = "bench-pages-key"
GOAL_P95 = 0.5


def _times(call: Callable[[], object], runs: int) -> list[float]:
    call()  # warm up: templates compiled, schema cached
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        found.append(time.perf_counter() - started)
    return found


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args(argv)

    emulator = emulator_app(
        EmulatorConfig(
            api_keys=[KEY], seed="generated", seed_size=args.people, read_rate=0, write_rate=0
        )
    )
    folder = Path(tempfile.mkdtemp(prefix="pages-bench-"))
    store = open_store(f"sqlite:///{folder / 'state.sqlite3'}")

    class NoSnapshots:
        """Nothing imported: the page's badge lookup costs a set, as the real index's would."""

        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def imported_ids(self) -> set[str]:
            return set()

        def close(self) -> None:
            pass

    pages = Pages(
        PagesConfig(
            project_dir=folder,
            connection=Connection(KEY, "http://emulator.bench"),
            store=store,
            backend=SnapshotsBackend(open=NoSnapshots, init_project=lambda _: None),  # type: ignore[arg-type]
            transport=httpx.ASGITransport(app=emulator),
        )
    )
    service = build_service(
        Tenants([Tenant(api_key=KEY)]),
        work=False,
        jobs_url=f"sqlite:///{folder / 'jobs.sqlite3'}",
        environ={"XDG_CONFIG_HOME": str(folder), "XDG_STATE_HOME": str(folder)},
    )
    app = create_app(service, pages=pages)
    with (
        TestClient(app, base_url="http://127.0.0.1") as client,
        TestClient(emulator, headers={"Authorization": f"Bearer {KEY}"}) as api,
    ):

        def page(limit: int) -> Callable[[], object]:
            def get() -> object:
                response = client.get(f"/snapshots/browse/people?limit={limit}")
                assert response.status_code == 200 and response.text.count("<tr data-id=") == min(
                    limit, args.people
                )
                return response

            return get

        def bare() -> object:
            response = api.post("/v2/objects/people/records/query", json={"limit": 500})
            assert response.status_code == 200 and len(response.json()["data"]) == 500
            return response

        reader, _ = pages.services(Connection(KEY, "http://emulator.bench"))
        portal = client.portal
        assert portal is not None

        def read() -> object:
            return portal.call(functools.partial(reader.records.query, "people", limit=500))

        at_500 = _times(page(500), args.runs)
        at_50 = _times(page(50), args.runs)
        raw = _times(bare, args.runs)
        models = _times(read, args.runs)
    store.close()

    rows = [
        ("page, 500 rows", at_500),
        ("page, 50 rows", at_50),
        ("records query JSON, 500", raw),
        ("client's query, 500", models),
    ]
    print(f"Browse page render, {args.runs} runs each, {args.people} people in the emulator")
    for name, times in rows:
        print(
            f"  {name:<26} p50 {statistics.median(times) * 1000:7.1f} ms"
            f"   p95 {_p95(times) * 1000:7.1f} ms"
        )
    p95 = _p95(at_500)
    print(f"  ratio p95 500 rows / 50 rows:            {p95 / _p95(at_50):.2f}x")
    print(f"  ratio p95 500 rows / bare records query: {p95 / _p95(raw):.2f}x")
    print(f"  ratio p95 500 rows / client's query:     {p95 / _p95(models):.2f}x")
    ok = p95 < GOAL_P95
    print(f"  goal p95 < {GOAL_P95 * 1000:.0f} ms at 500 rows: {'ok' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
