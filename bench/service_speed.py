"""How fast the service takes, stores and acts on webhooks (issue 11's "Speed"), each against a
reference measured in the same run.

The service runs as a real process, ``attio-bridge serve`` with a key, its jobs in a SQLite file
of the bench's own (embedded) or in a PostgreSQL database the bench creates and drops.

- Intake: signed Attio deliveries (one event each, a unique ``Idempotency-Key`` each) accepted
  (200) per second, closed loop over a bounded pool of connections, then p50/p99 time to
  acknowledge at a fixed offered load (open loop: each delivery leaves on its schedule, timed
  from that schedule, without waiting for earlier replies), ``--no-worker``. The reference is a
  bare Starlette app that only answers 200, under the same uvicorn settings and the same load
  generator: the ratio is the cost of verifying and durably storing. Afterwards the jobs stored
  are counted through ``JobQueue.depth()`` and compared with the deliveries acknowledged.
  Goals: at least 1,000 deliveries/s embedded; p99 under 50 ms at 500/s.
- Freshness: the emulator as a process, its webhook delivering to the service with its worker;
  a person's name changed through the emulator's API, to the moment a handler registered after
  the default one (``record.updated``: drop the cached record, read it again) sees the new name
  in the cache. p50 and p95; goal: p95 under 1 s embedded. Reference: the PATCH's own time.
- Two workers against one on PostgreSQL: ``bench/jobs_throughput.py``'s measurement, called.
- Cold start: from process start to the first accepted delivery (a signed POST repeated until
  200), median of ``--runs``; next to ``python -c pass`` and ``attio-bridge --version``.
  Goal: under 2 s.

Nothing is asserted: the figures depend on the machine (and on what else runs on it).

Run: ``python bench/service_speed.py [--deliveries 3000] [--rate 500] [--changes 50]``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from _emulator import verdict
from attio_bridge.testing import EmulatorProcess, free_port

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
EXE = str(Path(sys.executable).with_name("attio-bridge"))
SECRET = "bench-webhook-secret"
KEY = "bench-key"
FRESHNESS_FILE = "ATTIO_BRIDGE_BENCH_FRESHNESS_FILE"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"

# --- the handler the freshness run loads into the service with ``--handlers service_speed`` ---

if os.environ.get(FRESHNESS_FILE):
    from attio_bridge.cache import CacheKind
    from attio_bridge.services import record_key
    from attio_bridge.webhooks import Event, HandlerContext, on

    @on("record.updated")
    async def record_seen(event: Event, ctx: HandlerContext) -> dict[str, Any]:
        """Runs after the default handler: write when it ran and what the cache holds now."""
        record_id = str(event.payload.get("id", {}).get("record_id", ""))
        cached = await ctx.cache.aget(record_key("people", record_id), CacheKind.RECORDS)
        line = json.dumps({"at": time.time(), "cached": json.dumps(cached)})
        with open(os.environ[FRESHNESS_FILE], "a", encoding="utf-8") as out:
            out.write(line + "\n")
        return {"bench": "seen"}


# --- the processes ---


def base_env(tmp: Path, jobs_url: str, emulator_url: str = "http://127.0.0.1:9") -> dict[str, str]:
    """The service's environment: a key, the emulator, the webhook secret, the job store; the
    state store in the bench's folder, never the user's."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(HERE)]),
        "ATTIO_API_KEY": KEY,
        "ATTIO_BASE_URL": emulator_url,
        "ATTIO_WEBHOOK_SECRET": SECRET,
        "ATTIO_BRIDGE_DATABASE_URL": jobs_url,
        "XDG_STATE_HOME": str(tmp / "state"),
        "XDG_CACHE_HOME": str(tmp / "cache"),
    }


@contextmanager
def process(cmd: list[str], env: dict[str, str], port: int, tmp: Path) -> Iterator[str]:
    """A server process answering ``/healthz`` on ``port``; its base URL. Stopped with SIGTERM."""
    log = open(tmp / f"server-{port}.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(cmd, env=env, cwd=HERE, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{cmd} exited with {proc.returncode}: see {log.name}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{cmd} did not answer within 120 s")
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def serve_cmd(port: int, *extra: str) -> list[str]:
    """``attio-bridge serve`` on ``port``."""
    return [EXE, "serve", "--port", str(port), *extra]


def bare_app() -> Any:
    """The reference: a Starlette app whose only route answers 200."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def ok(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse({"accepted": 1})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/webhooks/attio", ok, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ]
    )


def run_bare(port: int) -> None:
    """Serve the reference with the settings ``attio-bridge serve`` gives uvicorn."""
    import uvicorn

    uvicorn.run(bare_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)


# --- signed deliveries and the load generator ---


def delivery(tag: str, n: int) -> tuple[bytes, dict[str, str]]:
    """One signed Attio delivery (a ``record.updated``) and its headers."""
    event = {
        "event_type": "record.updated",
        "id": {
            "workspace_id": "bench",
            "object_id": f"object-{n % 4}",
            "record_id": f"{tag}-{n}",
            "attribute_id": "name",
        },
        "actor": {"type": "workspace-member", "id": "someone"},
    }
    body = json.dumps({"webhook_id": "bench", "events": [event]}).encode()
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "Attio-Signature": signature,
        "Idempotency-Key": f"{tag}-{n}",
    }
    return body, headers


class Connections:
    """A bounded pool of keep-alive HTTP/1.1 connections to one server, sending prepared
    requests. Raw asyncio streams rather than httpx: httpx's async client spent about 3.7 ms of
    CPU per request here, so on two cores it, not the server, set the pace."""

    def __init__(self, url: str, size: int) -> None:
        parts = httpx.URL(url)
        self.host, self.port = parts.host, parts.port or 80
        self.size = size
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue()
        )
        self.opened = 0

    def request(self, path: str, body: bytes, headers: dict[str, str]) -> bytes:
        """The bytes of a POST of ``body`` to ``path``."""
        lines = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    async def send(self, raw: bytes) -> int:
        """Send one prepared request on a free connection; the reply's status."""
        if self.idle.empty() and self.opened < self.size:
            self.opened += 1
            conn = await asyncio.open_connection(self.host, self.port)
        else:
            conn = await self.idle.get()
        reader, writer = conn
        writer.write(raw)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await reader.readexactly(length)
        self.idle.put_nowait(conn)
        return status

    async def close(self) -> None:
        """Close every idle connection."""
        while not self.idle.empty():
            _, writer = self.idle.get_nowait()
            writer.close()


async def load(url: str, tag: str, count: int, rate: float, connections: int) -> dict[str, Any]:
    """Send ``count`` deliveries: closed loop (``rate`` 0: ``connections`` senders, each the
    next delivery when its last is answered) or open loop (one every ``1/rate`` s, each timed
    from its schedule, waiting for a free connection if none is). Acknowledged count, failures,
    latencies (ms), elapsed s, the worst lag behind the schedule (s)."""
    pool = Connections(url, connections)
    prepared = [pool.request("/webhooks/attio", *delivery(tag, n)) for n in range(count)]
    times: list[float] = []
    failed = 0

    async def send(n: int, scheduled: float) -> None:
        nonlocal failed
        try:
            ok = await pool.send(prepared[n]) == 200
        except (OSError, asyncio.IncompleteReadError):
            ok = False
        if ok:
            times.append((time.perf_counter() - scheduled) * 1000)
        else:
            failed += 1

    started = time.perf_counter()
    lag = 0.0
    if rate <= 0:
        todo = iter(range(count))

        async def sender() -> None:
            for n in todo:
                await send(n, time.perf_counter())

        await asyncio.gather(*(sender() for _ in range(connections)))
    else:
        tasks = []
        for n in range(count):
            scheduled = started + n / rate
            wait = scheduled - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            lag = max(lag, time.perf_counter() - scheduled)
            tasks.append(asyncio.create_task(send(n, scheduled)))
        await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    await pool.close()
    return {"acked": len(times), "failed": failed, "ms": times, "elapsed": elapsed, "lag": lag}


def generate(
    url: str, tag: str, count: int, rate: float, args: argparse.Namespace
) -> dict[str, Any]:
    """Run the load in ``--clients`` processes (the count and rate split between them)."""
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--load",
                url,
                f"{tag}-c{i}",
                str(count // args.clients),
                str(rate / args.clients),
                str(args.connections // args.clients),
            ],
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        for i in range(args.clients)
    ]
    parts = [json.loads(proc.communicate()[0]) for proc in procs]
    return {
        "acked": sum(p["acked"] for p in parts),
        "failed": sum(p["failed"] for p in parts),
        "ms": sorted(ms for p in parts for ms in p["ms"]),
        "elapsed": max(p["elapsed"] for p in parts),
        "lag": max(p["lag"] for p in parts),
    }


def quantile(values: list[float], q: int) -> float:
    """The ``q``-th percentile (nan when nothing was measured)."""
    if len(values) < 2:
        return float("nan")
    return statistics.quantiles(values, n=100)[q - 1]


# --- the measurements ---


def stored(jobs_url: str) -> int:
    """Jobs waiting in the service's job store (no worker ran any)."""
    from attio_bridge.jobs import JobQueue

    queue = JobQueue(jobs_url)
    queue.start(work=False)
    try:
        return sum(queue.depth().values())
    finally:
        queue.shutdown(timeout=0)


def intake(
    url: str, tag: str, args: argparse.Namespace
) -> tuple[float, float, float, int, dict[str, Any]]:
    """Warm up, then deliveries/s closed loop and p50/p99 ms open loop at ``--rate``; with the
    acknowledged total and the open loop's raw figures."""
    warm = generate(url, f"{tag}-warm", 200, 0, args)
    closed = generate(url, f"{tag}-closed", args.deliveries, 0, args)
    count = int(args.rate * args.seconds)
    opened = generate(url, f"{tag}-open", count, args.rate, args)
    acked = warm["acked"] + closed["acked"] + opened["acked"]
    rate = closed["acked"] / closed["elapsed"]
    return rate, quantile(opened["ms"], 50), quantile(opened["ms"], 99), acked, opened


@contextmanager
def pg_database(url: str) -> Iterator[str]:
    """A PostgreSQL database of the bench's own on ``url``'s server, dropped after."""
    import psycopg
    from psycopg import sql

    name = f"bench_service_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def intake_table(tmp: Path, args: argparse.Namespace) -> None:
    """The intake rows: the bare reference, then the service embedded and on PostgreSQL."""
    rows: list[tuple[str, float, float, float, str]] = []
    port = free_port()
    with process(
        [sys.executable, __file__, "--bare", str(port)], os.environ.copy(), port, tmp
    ) as url:
        bare_rate, bare50, bare99, _, bare_open = intake(url, "bare", args)
    rows.append(("bare 200 endpoint (reference)", bare_rate, bare50, bare99, "-"))
    offered = int(args.rate * args.seconds) / (
        int(args.rate * args.seconds) / args.rate + bare_open["lag"]
    )
    with pg_database(args.postgres) as pg_url:
        for name, jobs_url in (
            ("service, embedded (SQLite)", f"sqlite:///{tmp / 'intake.sqlite3'}"),
            ("service, PostgreSQL", pg_url),
        ):
            port = free_port()
            with process(serve_cmd(port, "--no-worker"), base_env(tmp, jobs_url), port, tmp) as url:
                rate, p50, p99, acked, _ = intake(url, name.split()[-1].strip("()"), args)
            count = stored(jobs_url)
            rows.append(
                (name, rate, p50, p99, f"{count}/{acked}" + ("" if count == acked else " MISMATCH"))
            )
    print(
        f"Intake: closed loop {args.deliveries} deliveries over {args.connections} connections; "
        f"open loop {args.rate:.0f}/s for {args.seconds:.0f} s, timed from each delivery's schedule"
    )
    print(
        f"load generator: asyncio keep-alive HTTP/1.1 connections (not httpx: see "
        f"Connections), {args.clients} process(es); it kept the open-loop schedule to "
        f"within {bare_open['lag'] * 1000:.0f} ms on the reference (offered ~{offered:.0f}/s)"
    )
    print(
        f"{'target':<32} {'deliveries/s':>12} {'ratio':>6} {'p50 ms':>8} {'p99 ms':>8}  "
        "stored/acked"
    )
    for name, rate, p50, p99, check in rows:
        print(
            f"{name:<32} {rate:>12,.0f} {rate / bare_rate:>6.2f} {p50:>8.1f} {p99:>8.1f}  {check}"
        )
    embedded = rows[1]
    print(
        f"goals, embedded: >= 1,000 deliveries/s: {verdict(embedded[1] >= 1000)}; "
        f"p99 < 50 ms at {args.rate:.0f}/s: {verdict(embedded[3] < 50)}"
    )


def freshness(tmp: Path, args: argparse.Namespace) -> None:
    """Name changes through the emulator's API to the handler's sight of the new name."""
    seen = tmp / "seen.jsonl"
    seen.touch()
    port = free_port()
    with EmulatorProcess(api_key=KEY, read_rate=0, write_rate=0) as emu:
        api = httpx.Client(
            base_url=f"{emu.base_url}/v2", headers={"Authorization": f"Bearer {KEY}"}, timeout=30
        )
        hook = api.post(
            "/webhooks",
            json={
                "data": {
                    "target_url": f"http://127.0.0.1:{port}/webhooks/attio",
                    "subscriptions": [{"event_type": "record.updated", "filter": None}],
                }
            },
        )
        checked(hook)
        env = {
            **base_env(tmp, f"sqlite:///{tmp / 'fresh.sqlite3'}", emu.base_url),
            "ATTIO_WEBHOOK_SECRET": hook.json()["data"]["secret"],
            FRESHNESS_FILE: str(seen),
        }
        person = api.post(
            "/objects/people/records",
            json={"data": {"values": {"name": [name("Bench")]}}},
        )
        checked(person)
        record_id = person.json()["data"]["id"]["record_id"]
        took: list[float] = []
        patched: list[float] = []
        with process(serve_cmd(port, "--handlers", "service_speed"), env, port, tmp):
            for n in range(args.changes + 1):  # the first warms the schema and the cache
                marker = f"Fresh{n}x{uuid.uuid4().hex[:6]}"
                with seen.open(encoding="utf-8") as lines:
                    lines.seek(0, os.SEEK_END)
                    started = time.time()
                    checked(
                        api.patch(
                            f"/objects/people/records/{record_id}",
                            json={"data": {"values": {"name": [name(marker)]}}},
                        )
                    )
                    answered = time.time()
                    at = wait_seen(lines, marker, started + 30)
                if n and at is not None:
                    took.append((at - started) * 1000)
                    patched.append((answered - started) * 1000)
        api.close()
    print(
        f"Freshness, embedded, {len(took)} of {args.changes} changes seen (worker in the service): "
        f"p50 {quantile(took, 50):.0f} ms, p95 {quantile(took, 95):.0f} ms "
        f"(the PATCH alone: p50 {quantile(patched, 50):.0f} ms); "
        f"goal p95 < 1,000 ms: {verdict(quantile(took, 95) < 1000)}"
    )


def checked(reply: httpx.Response) -> httpx.Response:
    """``reply`` if it is a success; else stop, saying what the emulator answered."""
    if reply.is_error:
        raise SystemExit(f"{reply.request.method} {reply.request.url}: {reply.text}")
    return reply


def name(first: str) -> dict[str, str]:
    """A person's name value."""
    return {"first_name": first, "last_name": "Person", "full_name": f"{first} Person"}


def wait_seen(lines: Any, marker: str, deadline: float) -> float | None:
    """When the handler wrote a line whose cached record holds ``marker`` (None: not by then)."""
    while time.time() < deadline:
        for line in lines:
            entry = json.loads(line)
            if marker in entry["cached"]:
                return float(entry["at"])
        time.sleep(0.005)
    return None


def workers(args: argparse.Namespace) -> None:
    """Two workers against one on PostgreSQL: jobs_throughput.py's measurement."""
    from jobs_throughput import processing

    one = processing(args.postgres, 1, args.jobs)
    two = processing(args.postgres, 2, args.jobs)
    print(
        f"Workers, PostgreSQL, {args.jobs} jobs of 10 ms (bench/jobs_throughput.py's measurement): "
        f"1 worker {one:,.0f} jobs/s, 2 workers {two:,.0f} jobs/s, ratio {two / one:.2f} (goal > 1)"
    )


def cold_start(tmp: Path, args: argparse.Namespace) -> None:
    """Process start to first accepted delivery, next to the bare interpreter and --version."""
    env = base_env(tmp, f"sqlite:///{tmp / 'cold.sqlite3'}")
    body, headers = delivery("cold", 0)
    results: dict[str, list[float]] = {"python -c pass": [], "attio-bridge --version": []}
    serve_name = "serve to first accepted delivery"
    results[serve_name] = []
    for run in range(args.runs):
        for name, cmd in (
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("attio-bridge --version", [EXE, "--version"]),
        ):
            began = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
            results[name].append(time.perf_counter() - began)
        port = free_port()
        headers = {**headers, "Idempotency-Key": f"cold-{run}"}
        began = time.perf_counter()
        proc = subprocess.Popen(
            serve_cmd(port, "--no-worker"),
            env=env,
            cwd=HERE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
                while True:
                    if proc.poll() is not None:
                        raise SystemExit(f"attio-bridge serve exited with {proc.returncode}")
                    try:
                        reply = client.post("/webhooks/attio", content=body, headers=headers)
                        if reply.status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    time.sleep(0.01)
            results[serve_name].append(time.perf_counter() - began)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    floor = statistics.median(results["python -c pass"])
    print(f"Cold start, {args.runs} runs each, wall-clock s (ratio: median over python -c pass)")
    for name, took in results.items():
        median = statistics.median(took)
        print(
            f"  {name:<34} median {median:6.3f}  best {min(took):6.3f}  ratio {median / floor:5.1f}"
        )
    print(f"goal < 2 s: {verdict(statistics.median(results[serve_name]) < 2)}")


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=3000, help="closed-loop deliveries")
    parser.add_argument("--rate", type=float, default=500, help="open-loop offered load /s")
    parser.add_argument("--seconds", type=float, default=6, help="open-loop duration")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--clients", type=int, default=1, help="load generator processes")
    parser.add_argument("--changes", type=int, default=50, help="freshness: name changes")
    parser.add_argument("--jobs", type=int, default=2000, help="workers: jobs in the queue")
    parser.add_argument("--runs", type=int, default=7, help="cold start runs")
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument(
        "--only", choices=["intake", "freshness", "workers", "cold"], action="append"
    )
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--load", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        run_bare(args.bare)
        return
    if args.load:
        url, tag, count, rate, connections = args.load
        result = asyncio.run(load(url, tag, int(count), float(rate), int(connections)))
        print(json.dumps(result))
        return
    print(
        f"note: a shared {os.cpu_count()}-core machine (load average {os.getloadavg()[0]:.1f} "
        "at the start); the load generator, the service and the emulator share its cores, and "
        "other work may run beside them"
    )
    parts = args.only or ["intake", "freshness", "workers", "cold"]
    with tempfile.TemporaryDirectory(prefix="service-speed-") as folder:
        tmp = Path(folder)
        if "intake" in parts:
            intake_table(tmp, args)
        if "freshness" in parts:
            freshness(tmp, args)
        if "workers" in parts:
            workers(args)
        if "cold" in parts:
            cold_start(tmp, args)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
