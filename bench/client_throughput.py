"""How much of Attio's write budget the client uses, and what faults do to a bulk import.

Starts the emulator as a separate process with Attio's limits (100 reads and 25 writes per
second, API-NOTES §8) and 100 ms of latency per request, then prints three runs:

1. ``--n`` people (1,000 by default) asserted with ``assert_records`` on an ``AsyncAttioClient``
   at its default budget: writes/s achieved over the write budget (goal >= 0.95), 429s seen by
   the caller (``RateLimitError`` results) and by the emulator (its journal), both goal 0, and
   records created against expected (queried afterwards; goal: exact).
2. The reference, the pattern integration guides recommend: a sequential loop with a 100 ms pause
   (``time.sleep(0.1)``) between writes, on a plain client without budget, on ``--n / 10``
   people; its writes/s and our speed-up over it.
3. ``--n`` people again with faults on the assert route: 10% answered 5xx, 5% of connections
   dropped (half before the emulator processes the request, half after). Assert is idempotent, so
   the client retries both and every person must exist exactly once; prints created against
   expected, errors left to the caller and the retries the client logged.

The emulator is warmed up first and reset between runs. Exits 1 if a goal is missed. Figures
taken on a machine busy with other work show its stalls as lost rate and the odd 429.

Run: ``python bench/client_throughput.py [--n 1000] [--latency-ms 100]``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from _emulator import READ_RATE, WRITE_RATE, Emulator, verdict
from attio_bridge.client import (
    AsyncAttioClient,
    AttioClient,
    RateLimitError,
    assert_records,
)

KEY = "bench-client-throughput"
ASSERT = "PUT /v2/objects/{object}/records"


class RetryCounter(logging.Handler):
    """Counts the client's retry warnings by reason instead of printing them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.reasons: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        """Count one retry by its reason (``HTTP 500``, ``HTTP 429``, ``APIConnectionError``)."""
        message = record.getMessage()
        if message.startswith("retrying"):
            reason = message.split(" after ", 1)[1].split(" (retry", 1)[0]
            self.reasons[" ".join(reason.split()[:2])] += 1


@dataclass
class Outcome:
    """What one run did."""

    seconds: float
    results: list[Any]
    created: int
    expected: int
    exact: bool


def emails(prefix: str, n: int) -> list[str]:
    """The ``n`` addresses of one run."""
    return [f"{prefix}{i}@example.com" for i in range(n)]


async def stored_emails(attio: AsyncAttioClient) -> list[str]:
    """Every person's email, as the API lists them afterwards."""
    return [
        value["email_address"]
        async for record in attio.records.iter("people")
        for value in record.values.get("email_addresses", [])
    ]


async def bulk_run(base_url: str, prefix: str, n: int) -> Outcome:
    """Assert ``n`` people side by side through the client's budget."""
    expected = emails(prefix, n)
    rows = [{"email_addresses": [email]} for email in expected]
    async with AsyncAttioClient(api_key=KEY, base_url=base_url) as attio:
        started = time.perf_counter()
        results = await assert_records(attio, "people", "email_addresses", rows)
        seconds = time.perf_counter() - started
        stored = await stored_emails(attio)
    return Outcome(seconds, results, len(stored), n, sorted(stored) == sorted(expected))


def sequential_run(base_url: str, prefix: str, n: int) -> Outcome:
    """The guides' pattern: one write at a time, 100 ms apart, no budget."""
    with AttioClient(api_key=KEY, base_url=base_url, read_rate=0, write_rate=0) as attio:
        started = time.perf_counter()
        for email in emails(prefix, n):
            attio.records.assert_record("people", "email_addresses", {"email_addresses": [email]})
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        created = len(list(attio.records.iter("people")))
    return Outcome(seconds, [], created, n, created == n)


def report_errors(results: list[Any]) -> tuple[int, int]:
    """Errors left to the caller, and how many of those were 429s."""
    errors = [r.error for r in results if not r.ok]
    return len(errors), sum(isinstance(e, RateLimitError) for e in errors)


def main() -> int:
    """Run the three measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="people per bulk run")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()
    n, reference_n = args.n, max(10, args.n // 10)

    retries = RetryCounter()
    client_log = logging.getLogger("attio_bridge.client")
    client_log.addHandler(retries)
    client_log.propagate = False
    goals: list[bool] = []

    print(f"Emulator: {READ_RATE} reads/s, {WRITE_RATE} writes/s, {args.latency_ms:.0f} ms latency")
    with Emulator(args.latency_ms, KEY) as emu:
        base_url = emu.proc.base_url
        # The emulator's first requests are slow (lazy imports, first code paths); Attio's are
        # not. Warm it up so that its start does not bunch the first second's writes.
        asyncio.run(bulk_run(base_url, "warm-up", 2 * WRITE_RATE))

        emu.reset()
        retries.reasons.clear()
        ours = asyncio.run(bulk_run(base_url, "bulk", n))
        rate = n / ours.seconds
        errors, limited = report_errors(ours.results)
        server_429 = emu.statuses()[429]
        goals += [rate / WRITE_RATE >= 0.95, limited == 0, server_429 == 0, ours.exact]
        goals.append(errors == 0)
        print(f"\n1. {n} asserts, AsyncAttioClient + assert_records, default budget")
        print(f"  time                         {ours.seconds:8.1f} s")
        print(
            f"  writes/s                     {rate:8.2f}    {rate / WRITE_RATE:.3f} of the "
            f"{WRITE_RATE}/s budget (goal >= 0.95: {verdict(rate / WRITE_RATE >= 0.95)})"
        )
        print(
            f"  429s to the caller           {limited:8d}    in the emulator's journal: "
            f"{server_429} (goal 0: {verdict(limited == 0 and server_429 == 0)})"
        )
        print(f"  errors to the caller         {errors:8d}")
        print(
            f"  records created / expected   {ours.created:8d} / {ours.expected} "
            f"(goal exact: {verdict(ours.exact)})"
        )

        emu.reset()
        reference = sequential_run(base_url, "seq", reference_n)
        reference_rate = reference_n / reference.seconds
        goals.append(reference.exact)
        print(f"\n2. Reference: sequential loop, time.sleep(0.1), no budget, {reference_n} asserts")
        print(f"  time                         {reference.seconds:8.1f} s")
        print(f"  writes/s                     {reference_rate:8.2f}")
        print(f"  records created / expected   {reference.created:8d} / {reference.expected}")
        print(f"  our speed-up                 {rate / reference_rate:8.1f} x")

        emu.reset()
        emu.fault(match=ASSERT, kind="drop", rate=0.025)
        emu.fault(match=ASSERT, kind="drop_after", rate=0.025 / 0.975)
        emu.fault(match=ASSERT, kind="error", status=500, rate=0.10 / 0.95)
        retries.reasons.clear()
        faulty = asyncio.run(bulk_run(base_url, "faulty", n))
        errors, limited = report_errors(faulty.results)
        statuses = emu.statuses()
        goals += [faulty.exact, errors == 0]
        print(f"\n3. {n} asserts with 10% 5xx and 5% dropped connections on the assert route")
        print(f"  time                         {faulty.seconds:8.1f} s")
        # Every attempt spends the write budget: the first tries and the retries logged.
        attempts = (n + sum(retries.reasons.values())) / faulty.seconds
        print(f"  people/s                     {n / faulty.seconds:8.2f}")
        print(
            f"  attempts/s with retries      {attempts:8.2f}    {attempts / WRITE_RATE:.3f} of "
            "the budget"
        )
        print(
            f"  5xx answered by the emulator {sum(v for s, v in statuses.items() if s >= 500):8d}"
        )
        print(
            f"  retries logged               {sum(retries.reasons.values()):8d}    "
            + ", ".join(f"{reason}: {k}" for reason, k in sorted(retries.reasons.items()))
        )
        print(
            f"  errors to the caller         {errors:8d}    (429s: {limited}; in the emulator's "
            f"journal: {statuses[429]})"
        )
        print(
            f"  records created / expected   {faulty.created:8d} / {faulty.expected} "
            f"(goal exact, each once: {verdict(faulty.exact)})"
        )
    return 0 if all(goals) else 1


if __name__ == "__main__":
    sys.exit(main())
