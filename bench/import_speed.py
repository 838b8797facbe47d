"""How fast ``attio-bridge import`` fills Attio's write budget, and whether faults and a
``kill -9`` ever lose or duplicate a row.

Generates a CSV of ``--rows`` people (2,000 by default: unique emails, names, a company domain
column with one domain per ten people, a phone number on every third row) and imports it with
the command a user runs, ``attio-bridge import people FILE --match email_addresses``, as a
subprocess, against the emulator started as a separate process with Attio's limits (100 reads
and 25 writes per second, API-NOTES §8) and ``--latency-ms`` (100) of latency per request. The
importer asserts each company first (by domain), then each person linked to it. Three runs, each
on a fresh emulator, warmed up and emptied first (its first requests are slow, Attio's are not):

1. clean: rows/s; write requests/s and accepted (2xx) writes/s over the write phase (first to
   last write the emulator answered), the latter as a fraction of the 25/s budget (the issue's
   goal: >= 0.9); rows/s against the most the budget allows (25/s times rows over the writes
   they need, companies included); the write requests by status (429s: goal 0); the time before
   the first write (start, schema, checking and looking up every row), the gap between the
   last company write and the first person write and the longest gap between two writes; the
   command's peak resident memory and CPU time (``ru_maxrss`` and ``ru_utime + ru_stime`` of
   the child);
   then the same command again over the same file: the write requests it sent (goal 0: every
   row is found unchanged by the plan's lookup);
2. faults on every API route: 10% answered 5xx, 5% answered 429 and 2% dropped connections
   (half before the emulator processes the request, half after): the same figures. Every
   attempt spends a permit of the client's budget, so accepted writes/s is at most the
   budget times the share of attempts that succeed;
3. ``kill -9`` of the command once the emulator holds half the people, then the same command
   again: what the checkpoint had recorded at the kill, the people the resumed run wrote (about
   the remainder) and the rows written twice (those in flight or not yet checkpointed).

Writes are counted from the emulator's journal: every POST, PUT, PATCH and DELETE on ``/v2``
except queries and searches, which Attio counts as reads. After each run the emulator is read
back through the API: every row exactly once (one person per email, as many people as rows,
each linked to the company of its domain, one company per domain), the command's exit status 0
and its failure file absent or empty. Ends with a table of the three runs.

Exits 1 if a correctness check fails; the rate goal is printed, not enforced, because it depends
on the machine: figures taken on a machine busy with other work show its stalls as lost rate.

Run: ``python bench/import_speed.py [--rows 2000] [--latency-ms 100]`` (``--rows 200`` for a
quick check).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _emulator import READ_RATE, WRITE_RATE, Emulator, verdict
from attio_bridge.client import AttioClient
from attio_bridge.state import DATABASE_URL_ENV, open_store

KEY = "bench-import-speed"
READS = ("/query", "/search")
PEOPLE_ASSERT = "/v2/objects/people/records"  # with PUT
FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Zoë")
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson")
# Overall shares of the faulted run, drawn in this order (the emulator's rules draw one after
# the other and the first that fires wins, so each rule's rate is its share of what is left).
FAULTS: tuple[tuple[str, dict[str, int], float], ...] = (
    ("drop", {}, 0.01),
    ("drop_after", {}, 0.01),
    ("rate_limit", {}, 0.05),
    ("error", {"status": 500}, 0.05),
    ("error", {"status": 503}, 0.05),
)
RATE_GOAL = 0.9
# A command still running after this many seconds per row (ten times the budget's pace) is
# killed and counted as failed, so that a hung import never hangs the benchmark.
SECONDS_PER_ROW = 0.4


@dataclass
class Launch:
    """One run of the import command."""

    exit_code: int
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float  # user and system time of the command
    stdout: str
    stderr: str
    started_at: float  # wall clock, comparable with the journal's times
    killed: bool = False


@dataclass
class Check:
    """What the emulator holds after a run, against the CSV."""

    people: int
    expected: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every row exactly once, linked to its company."""
        return not self.problems


@dataclass
class Outcome:
    """The figures of one run, as the final table shows them."""

    name: str
    rows: int
    seconds: float
    writes: int
    request_rate: float  # write requests/s
    accepted_rate: float  # writes answered 2xx /s
    peak_rss_mb: float
    exactly_once: bool
    failures_empty: bool

    @property
    def correct(self) -> bool:
        """Every row exactly once and no failed row."""
        return self.exactly_once and self.failures_empty


def write_csv(path: Path, rows: int) -> dict[str, str]:
    """The people file; returns ``{email: company domain}`` of its rows."""
    domains = [f"company{i:03d}.com" for i in range(max(1, rows // 10))]
    expected: dict[str, str] = {}
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["Email", "First name", "Last name", "Company", "Phone"])
        for i in range(rows):
            first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[i % len(LAST_NAMES)]
            domain = domains[i % len(domains)]
            email = f"{first.lower()}.{last.lower()}{i}@{domain}"
            # Ofcom's drama range: valid numbers that reach nobody.
            phone = f"+44 20 7946 {i % 1000:04d}" if i % 3 == 0 else ""
            out.writerow([email, first, last, domain, phone])
            expected[email] = domain
    return expected


def people_stored(emu: Emulator) -> int:
    """How many people the emulator holds now (its control plane, no API budget spent)."""
    state: dict[str, Any] = emu.control.get("/state").json()
    return int(state["records"].get("people", 0))


def journal_writes(emu: Emulator) -> list[dict[str, Any]]:
    """The write requests the emulator answered (or dropped: status 0), oldest first."""
    return [
        e
        for e in emu.control.get("/journal").json()
        if e["method"] != "GET" and e["path"].startswith("/v2") and not e["path"].endswith(READS)
    ]


def people_writes(writes: list[dict[str, Any]]) -> int:
    """The people asserts among ``writes`` that Attio answered with success."""
    return sum(1 for e in writes if is_person(e) and 200 <= e["status"] < 300)


def write_rate(writes: list[dict[str, Any]]) -> float:
    """Writes per second over the write phase: intervals between the first and the last."""
    if len(writes) < 2:
        return 0.0
    span = writes[-1]["at"] - writes[0]["at"]
    return (len(writes) - 1) / span if span > 0 else 0.0


def is_person(entry: dict[str, Any]) -> bool:
    """Whether a journal entry is a people assert."""
    return bool(entry["method"] == "PUT" and entry["path"] == PEOPLE_ASSERT)


def gaps(writes: list[dict[str, Any]]) -> tuple[float, float]:
    """Seconds between the last company write and the first person write (the importer
    asserts every company before any person), and the longest pause between two writes."""
    times = [e["at"] for e in writes]
    longest = max((b - a for a, b in itertools.pairwise(times)), default=0.0)
    companies = [e["at"] for e in writes if not is_person(e)]
    people = [e["at"] for e in writes if is_person(e)]
    barrier = people[0] - companies[-1] if companies and people else 0.0
    return barrier, longest


@dataclass(frozen=True)
class Bench:
    """What every run shares: the file, its rows and where the runs keep their files."""

    rows: int
    latency_ms: float
    work: Path
    csv_path: Path
    expected: dict[str, str]  # {email: company domain}

    def command(self, run: str) -> tuple[list[str], Path]:
        """The command of one run, with its own failure file (and state store:
        ``state_home``)."""
        failures = self.work / f"{run}.failed.csv"
        command = [sys.executable, "-m", "attio_bridge.cli", "import", "people"]
        command += [str(self.csv_path), "--match", "email_addresses"]
        command += ["--failures", str(failures)]
        return command, failures

    def state_home(self, run: str) -> Path:
        """The ``XDG_STATE_HOME`` of one run: its state store holds its checkpoint."""
        return self.work / f"{run}.state"

    def check(self, emu: Emulator) -> Check:
        """What the emulator holds against the file."""
        return check_records(emu, self.expected)


def launch(
    emu: Emulator,
    command: list[str],
    work: Path,
    rows: int,
    state_home: Path,
    *,
    kill_at: int | None = None,
) -> Launch:
    """Run ``command`` to its end, or ``kill -9`` it once the emulator holds ``kill_at``
    people. Peak memory is the child's own ``ru_maxrss`` (``wait4``), not a sampled figure."""
    env = {
        **os.environ,
        "ATTIO_API_KEY": emu.proc.api_key,
        "ATTIO_BASE_URL": emu.proc.base_url,
        # No config file or state store of the person running the benchmark.
        "XDG_CONFIG_HOME": str(work),
        "XDG_STATE_HOME": str(state_home),
        "COLUMNS": "120",
    }
    env.pop(DATABASE_URL_ENV, None)
    with (work / "out.txt").open("w+") as out, (work / "err.txt").open("w+") as err:
        started, started_at = time.perf_counter(), time.time()
        proc = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        killed = False
        deadline = started + 60 + rows * SECONDS_PER_ROW
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if kill_at is not None and not killed and people_stored(emu) >= kill_at:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
            elif time.perf_counter() > deadline:
                print(f"  the command ran past {deadline - started:.0f} s: killed")
                os.kill(proc.pid, signal.SIGKILL)
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        # wait4 reaped the child: tell Popen, so that it never waits for it again.
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    peak = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime
    return Launch(proc.returncode, seconds, peak, cpu, stdout, stderr, started_at, killed)


def warm_up(emu: Emulator) -> None:
    """Assert a few companies and people, then empty the workspace and the journal.

    The emulator's first requests on a code path are slow (lazy imports); Attio's are not. Cold,
    the import's first writes finish together and a few land in one of the emulator's
    one-second windows, which answers them 429.
    """
    with AttioClient(
        api_key=emu.proc.api_key, base_url=emu.proc.base_url, rate_limit_backend="memory"
    ) as attio:
        for i in range(5):
            domain = f"warm-up{i}.com"
            attio.records.assert_record("companies", "domains", {"domains": [domain]})
            company = {"target_object": "companies", "domains": [domain]}
            values = {"email_addresses": [f"p@{domain}"], "company": [company]}
            attio.records.assert_record("people", "email_addresses", values)
    emu.reset()


def check_records(emu: Emulator, expected: dict[str, str]) -> Check:
    """Read every person and company back through the API and compare with the CSV."""
    with AttioClient(
        api_key=emu.proc.api_key, base_url=emu.proc.base_url, rate_limit_backend="memory"
    ) as attio:
        people = list(attio.records.iter("people"))
        companies = list(attio.records.iter("companies"))
    check = Check(len(people), len(expected))
    by_domain: dict[str, list[str]] = {}
    for company in companies:
        for value in company.values.get("domains", []):
            by_domain.setdefault(value["domain"], []).append(company.record_id)
    twice = [d for d, ids in by_domain.items() if len(ids) > 1]
    if twice:
        check.problems.append(f"{len(twice)} domains on several companies, e.g. {twice[0]}")
    emails: Counter[str] = Counter()
    unlinked = 0
    for person in people:
        mine = [v["email_address"] for v in person.values.get("email_addresses", [])]
        emails.update(mine)
        links = {v["target_record_id"] for v in person.values.get("company", [])}
        domain = expected.get(mine[0]) if mine else None
        if domain is None or links != set(by_domain.get(domain, [])[:1]):
            unlinked += 1
    if len(people) != len(expected):
        check.problems.append(f"{len(people)} people for {len(expected)} rows")
    repeated = [e for e, n in emails.items() if n > 1]
    if repeated:
        check.problems.append(f"{len(repeated)} emails on several people, e.g. {repeated[0]}")
    missing = set(expected) - set(emails)
    if missing:
        check.problems.append(f"{len(missing)} rows missing, e.g. {min(missing)}")
    extra = set(emails) - set(expected)
    if extra:
        check.problems.append(f"{len(extra)} people not in the file, e.g. {min(extra)}")
    if unlinked:
        check.problems.append(f"{unlinked} people not linked to the company of their domain")
    return check


def failure_rows(path: Path) -> int:
    """Rows in the failure file (the importer removes it when nothing failed)."""
    if not path.exists():
        return 0
    with path.open(encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


def checkpointed(state_home: Path) -> int:
    """Rows the import checkpoints in the state store under ``state_home`` record as written."""
    with open_store(environ={"XDG_STATE_HOME": str(state_home)}) as store:
        saved = store.items("import")
    return sum(end - start + 1 for _, doc in saved for start, end in doc["done"])


def report_launch(
    run: Launch, rows: int, writes: list[dict[str, Any]], goal: bool
) -> tuple[float, float]:
    """Print the command's figures; returns its write requests/s and accepted writes/s."""
    rate = write_rate(writes)
    # What the budget is for: writes Attio carried out (a 429, an injected 5xx or a drop before
    # processing wrote nothing).
    accepted = write_rate([e for e in writes if 200 <= e["status"] < 300])
    statuses = Counter(e["status"] for e in writes)
    print(f"  command time                 {run.seconds:8.1f} s    (exit status {run.exit_code})")
    if writes:
        # Interpreter start, imports, schema load and the check of every row (pass 1).
        print(f"  before the first write       {writes[0]['at'] - run.started_at:8.1f} s")
    print(f"  rows/s                       {rows / run.seconds:8.2f}")
    share = accepted / WRITE_RATE
    shown = f" (goal >= {RATE_GOAL}: {verdict(share >= RATE_GOAL)})" if goal else ""
    print(f"  write requests/s             {rate:8.2f}    {rate / WRITE_RATE:.3f} of the budget")
    print(
        f"  accepted writes/s (2xx)      {accepted:8.2f}    {share:.3f} of the "
        f"{WRITE_RATE}/s budget{shown}"
    )
    print(
        f"  write requests               {len(writes):8d}    "
        + ", ".join(f"{status or 'dropped'}: {n}" for status, n in sorted(statuses.items()))
    )
    barrier, longest = gaps(writes)
    print(
        f"  companies -> people gap      {barrier:8.2f} s    longest between writes {longest:.2f} s"
    )
    print(f"  peak memory (RSS)            {run.peak_rss_mb:8.1f} MB")
    # Far below the command time: the importer waits on the budget, not on its own work.
    print(
        f"  CPU time of the command      {run.cpu_seconds:8.1f} s    "
        f"{run.cpu_seconds / run.seconds:.2f} of its time"
    )
    return rate, accepted


def report_check(check: Check, failures: int, launches: list[Launch]) -> tuple[bool, bool]:
    """Print the correctness checks; returns (every row exactly once, failure file empty)."""
    once = check.ok and all(run.exit_code == 0 for run in launches if not run.killed)
    print(
        f"  people / rows                {check.people:8d} / {check.expected} "
        f"(goal: each row exactly once, linked to its company: {verdict(check.ok)})"
    )
    for problem in check.problems:
        print(f"    {problem}")
    for run in launches:
        if run.exit_code != 0 and not run.killed:
            tail = (run.stderr.strip().splitlines() or ["(nothing on stderr)"])[-1]
            print(f"    the command exited with {run.exit_code}: {tail}")
    print(f"  rows in the failure file     {failures:8d}    (goal 0: {verdict(failures == 0)})")
    return once, failures == 0


def whole_run(bench: Bench, name: str, *, faults: bool) -> Outcome:
    """Run 1 (``faults=False``): the import on a fresh emulator; run 2: the same with 5xx, 429
    and dropped connections on every API route."""
    with Emulator(bench.latency_ms, KEY) as emu:
        warm_up(emu)
        left = 1.0
        for kind, extra, share in FAULTS if faults else ():
            emu.fault(match="*", kind=kind, rate=share / left, **extra)
            left -= share
        command, failures = bench.command(name)
        run = launch(emu, command, bench.work, bench.rows, bench.state_home(name))
        # The read-back below must not meet the faults.
        emu.control.delete("/faults").raise_for_status()
        writes = journal_writes(emu)
        rates = report_launch(run, bench.rows, writes, goal=not faults)
        if not faults:
            # Companies are written too: the budget allows this many rows/s at the most.
            needed = bench.rows + len(set(bench.expected.values()))
            most = WRITE_RATE * bench.rows / needed
            print(
                f"  rows/s / the budget's most   {bench.rows / run.seconds / most:8.3f}    "
                f"({WRITE_RATE}/s x {bench.rows} rows / {needed} writes = {most:.2f} rows/s)"
            )
        once, empty = report_check(bench.check(emu), failure_rows(failures), [run])
        if not faults:
            emu.control.delete("/journal").raise_for_status()
            rerun = launch(emu, command, bench.work, bench.rows, bench.state_home(name))
            again = journal_writes(emu)
            print(
                f"  re-run of the same file      {len(again):8d} writes in {rerun.seconds:.1f} s "
                f"(goal 0: {verdict(not again and rerun.exit_code == 0)})"
            )
    return Outcome(name, bench.rows, run.seconds, len(writes), *rates, run.peak_rss_mb, once, empty)


def killed_run(bench: Bench, name: str) -> Outcome:
    """Run 3: ``kill -9`` once the emulator holds half the people, then the same command."""
    with Emulator(bench.latency_ms, KEY) as emu:
        warm_up(emu)
        command, failures = bench.command(name)
        first = launch(
            emu, command, bench.work, bench.rows, bench.state_home(name), kill_at=bench.rows // 2
        )
        first_writes = journal_writes(emu)
        before = people_writes(first_writes)
        saved = checkpointed(bench.state_home(name))
        signal_seen = -first.exit_code if first.exit_code < 0 else "none: it ended first"
        print(f"  killed after                 {first.seconds:8.1f} s    (signal {signal_seen})")
        print(f"  people written at the kill   {people_stored(emu):8d}    checkpoint: {saved}")
        emu.control.delete("/journal").raise_for_status()
        second = launch(emu, command, bench.work, bench.rows, bench.state_home(name))
        second_writes = journal_writes(emu)
        after = people_writes(second_writes)
        print("  resumed run:")
        rates = report_launch(second, after, second_writes, goal=False)
        print(
            f"  people the resumed run wrote {after:8d}    remainder after the checkpoint: "
            f"{bench.rows - saved}; rows written twice: {before + after - bench.rows}"
        )
        for line in second.stdout.splitlines():
            if line.startswith(("Plan:", "Written:")):
                print(f"    the command: {line}")
        once, empty = report_check(bench.check(emu), failure_rows(failures), [first, second])
    return Outcome(
        f"{name} + resumed",
        bench.rows,
        first.seconds + second.seconds,
        len(first_writes) + len(second_writes),
        *rates,
        max(first.peak_rss_mb, second.peak_rss_mb),
        once and first.killed,
        empty,
    )


def main() -> int:
    """Generate the file, run the three imports, print them and the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000, help="people in the CSV")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()
    if args.rows < 10:
        parser.error("--rows must be 10 or more")

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Emulator: {READ_RATE} reads/s, {WRITE_RATE} writes/s, {args.latency_ms:.0f} ms latency")
    print(f"Machine: {os.cpu_count()} CPUs, load average {load}")
    with tempfile.TemporaryDirectory(prefix="import-speed-") as tmp:
        work = Path(tmp)
        csv_path = work / "people.csv"
        bench = Bench(args.rows, args.latency_ms, work, csv_path, write_csv(csv_path, args.rows))
        domains = len(set(bench.expected.values()))
        size = csv_path.stat().st_size
        print(f"File: {args.rows} people, {domains} company domains, {size} bytes")
        print(f"\n1. {args.rows} people with company links, no faults")
        runs = [whole_run(bench, "clean", faults=False)]
        print("\n2. Again with 10% 5xx, 5% 429 and 2% dropped connections on every API route")
        runs.append(whole_run(bench, "faults", faults=True))
        print(f"\n3. Again killed with kill -9 at {args.rows // 2} people, then resumed")
        runs.append(killed_run(bench, "killed"))

    print(
        f"\n{'run':20} {'rows':>6} {'time s':>7} {'rows/s':>7} {'writes':>7} "
        f"{'req/s':>6} {'2xx/s':>6} {'budget':>6} {'peak MB':>7}  exactly once  failures"
    )
    for r in runs:
        print(
            f"{r.name:20} {r.rows:6d} {r.seconds:7.1f} {r.rows / r.seconds:7.2f} {r.writes:7d} "
            f"{r.request_rate:6.2f} {r.accepted_rate:6.2f} {r.accepted_rate / WRITE_RATE:6.3f} "
            f"{r.peak_rss_mb:7.1f}  "
            f"{verdict(r.exactly_once):12}  {'none' if r.failures_empty else 'SOME'}"
        )
    print(
        "(writes: write requests, retries included; budget: 2xx writes/s over the 25/s budget; "
        "run 3: time and writes of both commands, rates of the resumed one)"
    )
    return 0 if all(r.correct for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
