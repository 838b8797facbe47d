"""Two workers on PostgreSQL and Redis sharing one sync (issue 13).

Real processes: one intake (``attio-bridge serve --no-worker --sync FILE``) taking Attio's
webhook deliveries, and two ``attio-bridge worker --sync FILE`` processes, all on one
PostgreSQL database (the jobs and the state store: links, cursors, checkpoints, the locks
``sync:<mapping>``) and one Redis (the workspace's shared rate budget, low here so that the
full runs take a while), against the emulator process: Attio, and HubSpot's stand-in over HTTP.
Two mappings (the sandbox's: contacts <-> people by email, companies <-> companies by domain)
start with records on both sides, some on both.

The first full runs are jobs; while they run, changes are made on both sides (Attio's reach the
service as webhook deliveries, HubSpot's are left to the periodic pulls: their webhooks are
"lost"); the worker running a full run is killed with SIGKILL in the middle of it, and more
changes follow. The survivor finishes the run. In the end both workers have run sync jobs, no
job is dead, every record has exactly one twin on the other side, both sides hold what the
seeds and the changes define, and a full run made afterwards in one process (this test's)
finds nothing to write. While this test holds the lock ``sync:<mapping>`` on PostgreSQL, the
workers' runs of that mapping wait, and a change is only synced once it lets go.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest

from attio_bridge.client import AttioClient
from attio_bridge.connectors.hubspot import HubSpotConnector
from attio_bridge.jobs import JobQueue
from attio_bridge.state import open_store
from attio_bridge.sync import SyncEngine, load_mappings
from attio_bridge.sync.store import RecordStore
from attio_bridge.testing import EmulatorProcess
from attio_bridge.testing.process import free_port
from attio_bridge.values import decode_record, load_schema
from tests.web import test_scale
from tests.web.test_scale import REDIS_URL, Processes, _wait

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
HUBSPOT_TOKEN = "pat-sandbox"  # a token the stand-in accepts
PERIOD = "3"
CONTACTS, COMPANIES = "sandbox-hubspot-contacts", "sandbox-hubspot-companies"
WRITE_RATE = 6  # Attio writes per second, shared by both workers through Redis

# The scale test's fixtures: a PostgreSQL database, a workspace name (its Redis keys deleted
# afterwards) and the service's processes (killed afterwards).
database = test_scale.database
workspace = test_scale.workspace
processes = test_scale.processes


@pytest.fixture
def emulator() -> Iterator[EmulatorProcess]:
    key = f"key-sync-{uuid.uuid4().hex[:12]}"
    with EmulatorProcess(api_key=key, read_rate=0, write_rate=0) as emu:
        yield emu


# -- the two sides, as plain data ----------------------------------------------------------------
def attio_people(client: AttioClient) -> list[tuple[str, tuple[Any, ...]]]:
    """Every Attio person as (email, (first name, last name, job title)), duplicates kept."""
    schema = load_schema(client)
    out = []
    for record in client.records.iter("people"):
        row = decode_record(schema, record)
        for email in row.get("email_addresses") or []:
            out.append(
                (
                    email,
                    (
                        row.get("first_name") or "",
                        row.get("last_name") or "",
                        row.get("job_title") or None,
                    ),
                )
            )
    return sorted(out)


def attio_companies(client: AttioClient) -> list[tuple[str, str]]:
    schema = load_schema(client)
    out = []
    for record in client.records.iter("companies"):
        row = decode_record(schema, record)
        for domain in row.get("domains") or []:
            out.append((domain, row.get("name") or ""))
    return sorted(out)


def hubspot_all(hubspot: HubSpotConnector, object: str) -> list[Any]:
    found, cursor = [], None
    while True:
        page = hubspot.list_page(object, cursor)
        found += page.records
        cursor = page.next_cursor
        if cursor is None:
            return found


def hubspot_contacts(hubspot: HubSpotConnector) -> list[tuple[str, tuple[Any, ...]]]:
    return sorted(
        (
            r.properties["email"].lower(),
            (
                r.properties.get("firstname") or "",
                r.properties.get("lastname") or "",
                r.properties.get("jobtitle") or None,
            ),
        )
        for r in hubspot_all(hubspot, "contacts")
    )


def hubspot_companies(hubspot: HubSpotConnector) -> list[tuple[str, str]]:
    return sorted(
        (r.properties["domain"].lower(), r.properties.get("name") or "")
        for r in hubspot_all(hubspot, "companies")
    )


def person(client: AttioClient, email: str, first: str, last: str) -> str:
    name = [{"first_name": first, "last_name": last, "full_name": f"{first} {last}"}]
    return client.records.create("people", {"email_addresses": [email], "name": name}).record_id


class World:
    """What both sides should hold: the seeds and every change made, by key."""

    def __init__(self) -> None:
        self.people: dict[str, tuple[Any, ...]] = {}
        self.companies: dict[str, str] = {}

    def want_people(self) -> list[tuple[str, tuple[Any, ...]]]:
        return sorted(self.people.items())

    def want_companies(self) -> list[tuple[str, str]]:
        return sorted(self.companies.items())


def seed(client: AttioClient, hubspot: HubSpotConnector, world: World) -> dict[str, str]:
    """Records on both sides, some on both with the same values; the Attio ids by email."""
    for r in hubspot_all(hubspot, "contacts"):  # the stand-in's own seeds
        p = r.properties
        world.people[p["email"].lower()] = (p.get("firstname") or "", p.get("lastname") or "", None)
    for r in hubspot_all(hubspot, "companies"):
        world.companies[r.properties["domain"].lower()] = r.properties.get("name") or ""
    for i in range(40):
        email = f"hs{i}@two.example"
        hubspot.create("contacts", {"email": email, "firstname": f"Hs{i}", "lastname": "Spot"})
        world.people[email] = (f"Hs{i}", "Spot", None)
    ids = {}
    for i in range(15):
        email = f"hs{i}@two.example" if i < 5 else f"at{i}@two.example"
        first, last = (f"Hs{i}", "Spot") if i < 5 else (f"At{i}", "Tio")
        ids[email] = person(client, email, first, last)
        world.people[email] = (first, last, None)
    for i in range(8):
        domain = f"co{i}.twoworkers.com"
        hubspot.create("companies", {"domain": domain, "name": f"Co {i}"})
        world.companies[domain] = f"Co {i}"
    for i in (0, 20, 21, 22):
        domain = f"co{i}.twoworkers.com"
        client.records.create("companies", {"domains": [domain], "name": f"Co {i}"})
        world.companies[domain] = f"Co {i}"
    return ids


def log_events(running: Processes, name: str) -> list[dict[str, Any]]:
    """The JSON log lines of ``name`` about sync runs."""
    found = []
    for line in running.log(name).splitlines():
        if line.startswith("{") and '"sync run' in line:
            found.append(json.loads(line))
    return found


def running_full(running: Processes, name: str) -> set[str]:
    """The mappings whose full run ``name`` started and has not finished."""
    started: dict[str, int] = {}
    for e in log_events(running, name):
        if e.get("kind") == "sync-full":
            step = 1 if e["event"] == "sync run started" else -1
            started[e["mapping"]] = started.get(e["mapping"], 0) + step
    return {m for m, n in started.items() if n > 0}


def test_two_workers_share_one_sync_and_a_killed_one_is_taken_over(
    tmp_path: Path,
    database: str,
    workspace: str,
    emulator: EmulatorProcess,
    processes: Processes,
) -> None:
    mapping_file = tmp_path / "sync.toml"
    mapping_file.write_text(
        resources.files("attio_bridge.sync").joinpath("sandbox_mapping.toml").read_text()
    )
    with AttioClient(api_key=emulator.api_key, base_url=emulator.base_url) as client:
        run(tmp_path, database, workspace, emulator, processes, mapping_file, client)


def run(
    tmp_path: Path,
    database: str,
    workspace: str,
    emulator: EmulatorProcess,
    processes: Processes,
    mapping_file: Path,
    client: AttioClient,
) -> None:
    hubspot = HubSpotConnector(HUBSPOT_TOKEN, base_url=emulator.base_url)
    world = World()
    ids = seed(client, hubspot, world)

    port = free_port()
    hook = client.webhooks.create(
        target_url=f"http://127.0.0.1:{port}/webhooks/attio/{workspace}",
        subscriptions=[
            {"event_type": kind, "filter": None}
            for kind in ("record.created", "record.updated", "record.deleted")
        ],
    )
    (tmp_path / "workspaces.toml").write_text(
        f'[workspaces.{workspace}]\napi_key_env = "ATTIO_API_KEY"\n'
        f'base_url = "{emulator.base_url}"\n'
        'webhook_secret_envs = ["ATTIO_WEBHOOK_SECRET"]\n'
        f"write_rate = {WRITE_RATE}\n"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT / "src"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "ATTIO_API_KEY": emulator.api_key,
        "ATTIO_WEBHOOK_SECRET": str(hook.secret),
        "ATTIO_BRIDGE_WORKSPACES": str(tmp_path / "workspaces.toml"),
        "ATTIO_BRIDGE_DATABASE_URL": database,
        "REDIS_URL": REDIS_URL,
        "HUBSPOT_ACCESS_TOKEN": HUBSPOT_TOKEN,
        "HUBSPOT_API_URL": emulator.base_url,
    }
    sync_args = ("--sync", str(mapping_file), "--sync-period", PERIOD)
    processes.start("intake", env, "serve", "--no-worker", "--port", str(port), *sync_args)
    workers = {name: processes.start(name, env, "worker", *sync_args) for name in ("wa", "wb")}
    for name in processes.running:
        processes.wait_started(name)
    assert httpx.get(f"http://127.0.0.1:{port}/sync/conflicts", timeout=30).status_code == 200

    # Changes while the first full runs go: Attio's arrive as webhooks, HubSpot's by the pulls.
    for i in range(5, 9):
        email = f"at{i}@two.example"
        client.records.overwrite("people", ids[email], {"job_title": f"Attio title {i}"})
        world.people[email] = (*world.people[email][:2], f"Attio title {i}")
    by_email = {r.properties["email"]: r.id for r in hubspot_all(hubspot, "contacts")}
    for i in range(30, 34):
        email = f"hs{i}@two.example"
        hubspot.update("contacts", by_email[email], {"jobtitle": f"HubSpot title {i}"})
        world.people[email] = (*world.people[email][:2], f"HubSpot title {i}")

    # The worker in the middle of the contacts' full run is killed, part of it written.
    def mid_run() -> bool:
        created = len(attio_people(client)) - 15
        return created >= 5 and any(CONTACTS in running_full(processes, n) for n in workers)

    _wait(
        mid_run,
        "a worker in the middle of the contacts' full run",
        detail=lambda: processes.log("wa")[-2000:] + processes.log("wb")[-2000:],
    )
    victim = next(n for n in workers if CONTACTS in running_full(processes, n))
    workers[victim].kill()
    workers[victim].wait(timeout=30)
    assert len(attio_people(client)) < len(world.people)  # killed before the run was done
    (survivor,) = set(workers) - {victim}

    # More changes after the kill: a new record on each side, edits on both.
    hubspot.create(
        "contacts", {"email": "late-hs@two.example", "firstname": "Late", "lastname": "Hs"}
    )
    world.people["late-hs@two.example"] = ("Late", "Hs", None)
    person(client, "late-at@two.example", "Late", "At")
    world.people["late-at@two.example"] = ("Late", "At", None)
    client.records.overwrite("people", ids["at9@two.example"], {"job_title": "After the kill"})
    world.people["at9@two.example"] = (*world.people["at9@two.example"][:2], "After the kill")
    hubspot.update("contacts", by_email["hs35@two.example"], {"jobtitle": "After the kill too"})
    world.people["hs35@two.example"] = (*world.people["hs35@two.example"][:2], "After the kill too")

    def converged() -> bool:
        return attio_people(client) == world.want_people() == hubspot_contacts(
            hubspot
        ) and attio_companies(client) == world.want_companies() == hubspot_companies(hubspot)

    def state() -> str:
        want = dict(world.want_people())
        return (
            f"attio people off: {[p for p in attio_people(client) if want.get(p[0]) != p[1]][:5]}\n"
            f"hubspot off: {[p for p in hubspot_contacts(hubspot) if want.get(p[0]) != p[1]][:5]}\n"
            f"counts: {len(attio_people(client))} {len(hubspot_contacts(hubspot))} {len(want)}\n"
            + processes.log(survivor)[-3000:]
        )

    _wait(converged, "both sides in step", detail=state)

    queue = JobQueue(database)
    queue.start(work=False)  # inspects only
    try:
        for name in (CONTACTS, COMPANIES):
            job_id = f"sync:{name}:first"
            _wait(lambda job_id=job_id: queue.get(job_id).status == "succeeded", f"{job_id} done")
        dead = queue.list(status="dead", limit=None)
        assert not dead, [(j.id, j.error) for j in dead]
        assert queue.list(kind="webhook-event", limit=None), "no Attio delivery reached us"
        # Both workers ran sync jobs; the survivor finished the run the victim had begun.
        for name in workers:
            assert log_events(processes, name), f"{name} ran no sync job"
        assert any(
            e["event"] == "sync run finished"
            and e.get("kind") == "sync-full"
            and e["mapping"] == CONTACTS
            for e in log_events(processes, survivor)
        )
        # One run per pull period, whichever of the three processes submitted it: a period
        # run twice is only one the victim had started when it was killed.
        pulls: dict[tuple[str, int], list[str]] = {}
        for name in workers:
            for e in log_events(processes, name):
                if e["event"] == "sync run started" and e["kind"] == "sync-pull":
                    pulls.setdefault((e["mapping"], e["run"]), []).append(name)
        assert {m for m, _ in pulls} == {CONTACTS, COMPANIES}
        unfinished = {
            (e["mapping"], e["run"])
            for e in log_events(processes, victim)
            if e["kind"] == "sync-pull" and e["event"] == "sync run started"
        } - {
            (e["mapping"], e["run"])
            for e in log_events(processes, victim)
            if e["kind"] == "sync-pull" and e["event"] == "sync run finished"
        }
        for run, ran_on in pulls.items():
            if len(ran_on) > 1:  # taken over: the victim never finished it
                assert sorted(ran_on) == sorted(workers) and run in unfinished, (run, ran_on)
        # Exactly one twin each: no key twice on either side (the lists keep duplicates).
        emails = [e for e, _ in attio_people(client)]
        assert len(emails) == len(set(emails)) == len(hubspot_contacts(hubspot))
        domains = [d for d, _ in attio_companies(client)]
        assert len(domains) == len(set(domains)) == len(hubspot_companies(hubspot))

        with open_store(database) as shared:
            # A full run of each mapping in this one process, on the same state: nothing to do.
            for m in load_mappings(mapping_file):
                report = SyncEngine(m, hubspot, client, RecordStore(shared)).full()
                assert (report.writes, report.errors) == (0, []), report.to_dict()

            # The lock sync:<mapping>, held here on PostgreSQL, holds the workers' runs back.
            email = "hs36@two.example"

            def pull_waiting() -> bool:
                return any(
                    job.payload.get("mapping") == CONTACTS
                    for job in queue.list(status="running", kind="sync-pull", limit=None)
                )

            with shared.lock(f"sync:{CONTACTS}", timeout=60):
                hubspot.update("contacts", by_email[email], {"jobtitle": "Behind the lock"})
                _wait(pull_waiting, "a pull of the contacts waiting for the lock")
                assert dict(attio_people(client))[email][2] is None
            _wait(
                lambda: dict(attio_people(client))[email][2] == "Behind the lock",
                "the change synced once the lock is free",
            )
    finally:
        queue.shutdown()
