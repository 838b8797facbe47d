"""``--dry-run`` shows every write a command would send, in order: for each command that writes
more than once (and a few that write once), the dry run changes nothing in the emulator, and its
list of requests equals the writes the same command then sends for real, once each placeholder
(``dry-run:record-1``) is replaced by the id the real request that made it got back.

The real writes are recorded by a small ASGI proxy in front of the emulator, in this process
(the CLI is pointed at it through ``ATTIO_BASE_URL``): the method, path with query and JSON body
of every request, and the JSON of every answer. The workspace is the one ``test_workflows_cli``
builds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from attio_bridge.cli._dryrun import DryRunClient, DryRunStop
from attio_bridge.cli._run import Run, planned
from attio_bridge.client import AttioClient
from attio_bridge.services import Services
from attio_bridge.testing import SyncASGITransport
from attio_bridge.testing.transport import ASGIApp, Receive, Send
from tests.services.conftest import add_deal_attributes, attribute_body, build_workspace

from ._support import READS, InProcessEmulator, forget, invoke, one_error_line, serve, writes

KEY = "dry-run-cli-s3cret-key-5150"
MEMBER = "ada@example.com"  # the emulator's workspace member
PLACEHOLDER = re.compile(r"dry-run:(record|entry|note|task)-\d+")

RULES_TOML = """\
[[rules]]
field = "employees"
op = "at_least"
value = 50
points = 30

[tiers]
Hot = 30
Cold = 0
"""


# -- a recording proxy ---------------------------------------------------------------------------
@dataclass
class Exchange:
    """One request that went through the proxy, and Attio's (the emulator's) answer."""

    method: str
    path: str
    body: Any
    answer: Any


@dataclass
class Proxy:
    """The ASGI app in front of the emulator, its base URL, and every exchange it passed on,
    oldest first."""

    upstream: ASGIApp
    base_url: str = ""
    exchanges: list[Exchange] = field(default_factory=list)

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        """Pass the request on, keeping its body and the answer's."""
        if scope["type"] != "http":
            await self.upstream(scope, receive, send)
            return
        sent: list[bytes] = []
        answered: list[bytes] = []

        async def receiving() -> MutableMapping[str, Any]:
            message = await receive()
            sent.append(message.get("body", b""))
            return message

        async def sending(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.body":
                answered.append(message.get("body", b""))
            await send(message)

        await self.upstream(scope, receiving, sending)
        query = scope["query_string"].decode()
        raw, content = b"".join(sent), b"".join(answered)
        self.exchanges.append(
            Exchange(
                scope["method"],
                scope["path"] + (f"?{query}" if query else ""),
                json.loads(raw) if raw else None,
                json.loads(content) if content else None,
            )
        )

    def writes(self) -> list[Exchange]:
        """The exchanges that were writes (not GETs, queries or searches)."""
        return [
            e
            for e in self.exchanges
            if e.method != "GET" and not e.path.split("?")[0].endswith(READS)
        ]


@pytest.fixture(scope="module")
def emu() -> Iterator[InProcessEmulator]:
    """The emulator in this process, with the workspace of ``test_workflows_cli``."""
    with InProcessEmulator(KEY) as process:
        with process.client() as c:
            build_workspace(c)
            add_deal_attributes(c)
            c.lists.create(name="Active deals", api_slug="active_deals", parent_object="deals")
            c.attributes.create("objects", "companies", attribute_body("lead_status", "select"))
            for title in ("Hot", "Cold"):
                c.attributes.create_option("objects", "companies", "lead_status", title=title)
        yield process


@pytest.fixture
def proxy(emu: InProcessEmulator) -> Iterator[Proxy]:
    """A recording proxy in front of the emulator, at a base URL of its own."""
    recorded = Proxy(emu.app)
    recorded.base_url = serve(recorded, "proxy")
    try:
        yield recorded
    finally:
        forget(recorded.base_url)


@pytest.fixture
def services(client: AttioClient) -> Services:
    """Services on ``client``, to set up."""
    return Services(client)


def run(
    args: list[str], env: dict[str, str], config_home: Path, input: str | None = None
) -> Result:
    """``invoke`` with this module's key."""
    return invoke(args, env, config_home, KEY, input)


def _made_id(placeholder: str, answer: Any) -> str:
    """The real id, in the answer to the request that made it, of what ``placeholder`` stood
    for."""
    kind = placeholder.split(":", 1)[1].rsplit("-", 1)[0]
    return str(answer["data"]["id"][f"{kind}_id"])


def dry_run_then_real(
    args: list[str],
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    proxy: Proxy,
) -> list[dict[str, Any]]:
    """Run ``args`` with ``--dry-run --json`` (checking nothing was written), then for real
    through the proxy; assert the dry run's requests, placeholders mapped to the real ids, are
    the writes sent. The dry run's requests."""
    before = writes(emu)
    dry = run([*args, "--dry-run", "--json"], env, config_home)
    assert dry.exit_code == 0, dry.stderr
    plan = json.loads(dry.stdout)
    assert plan["dry_run"] is True
    assert writes(emu) == before
    planned: list[dict[str, Any]] = plan["requests"]

    proxy.exchanges.clear()
    real = run(args, {**env, "ATTIO_BASE_URL": proxy.base_url}, config_home)
    assert real.exit_code == 0, real.stderr
    sent = proxy.writes()
    ids: dict[str, str] = {}
    for request, exchange in zip(planned, sent, strict=False):
        if request["creates"] is not None:
            ids[request["creates"]] = _made_id(request["creates"], exchange.answer)

    def real_ids(text: str) -> str:
        return PLACEHOLDER.sub(lambda m: ids[m.group(0)], text)

    expected = [
        json.loads(real_ids(json.dumps({k: r[k] for k in ("method", "path", "body")})))
        for r in planned
    ]
    assert expected == [{"method": e.method, "path": e.path, "body": e.body} for e in sent]
    return planned


# -- workflows -----------------------------------------------------------------------------------
def deal_args(name: str, domain: str) -> list[str]:
    """``deals create NAME`` on the company of ``domain``, into ``big_deals``."""
    return [
        *("deals", "create", name, "--value", "12000", "--stage", "Lead"),
        *("--close-date", "2026-12-31", "--company", domain, "--list", "big_deals"),
        *("--task", "Send the proposal", "--assignee", MEMBER, "--due", "2026-12-30"),
        *("--note", "Budget **approved**."),
    ]


def test_deals_create_with_a_new_company_plans_every_write(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    client: AttioClient,
    proxy: Proxy,
) -> None:
    """Company, deal, entry, task and note, in order; the deal carries the company's
    placeholder and the entry, task and note the deal's; a re-run plans the entry's assert as
    an update of the entry the first run made, as the real re-run sends."""
    args = deal_args("Initech rollout", "dry-initech.com")
    planned = dry_run_then_real(args, emu, env, config_home, proxy)
    assert [(r["method"], r["path"].split("?")[0]) for r in planned] == [
        ("PUT", "/v2/objects/companies/records"),
        ("POST", "/v2/objects/deals/records"),
        ("PUT", "/v2/lists/big_deals/entries"),
        ("POST", "/v2/tasks"),
        ("POST", "/v2/notes"),
    ]
    company, deal = planned[0]["creates"], planned[1]["creates"]
    assert company == "dry-run:record-1" and deal == "dry-run:record-2"
    values = planned[1]["body"]["data"]["values"]
    assert values["associated_company"]["target_record_id"] == company
    assert planned[2]["body"]["data"]["parent_record_id"] == deal
    assert planned[3]["body"]["data"]["linked_records"][0]["target_record_id"] == deal
    assert planned[4]["body"]["data"]["parent_record_id"] == deal
    assert "creates a companies record" in planned[0]["effect"]

    again = dry_run_then_real(args, emu, env, config_home, proxy)
    assert len(again) == 1 and again[0]["creates"] is None
    assert again[0]["effect"].startswith("updates entry ")


def test_deals_create_with_an_existing_company_links_it_by_id(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    client: AttioClient,
    proxy: Proxy,
) -> None:
    cid = client.records.assert_record(
        "companies", "domains", {"domains": [{"domain": "dry-hooli.com"}], "name": "Hooli"}
    ).record_id
    planned = dry_run_then_real(
        deal_args("Hooli pilot", "dry-hooli.com"), emu, env, config_home, proxy
    )
    assert [r["method"] for r in planned] == ["POST", "PUT", "POST", "POST"]
    assert planned[0]["body"]["data"]["values"]["associated_company"]["target_record_id"] == cid


def test_meeting_plans_its_note_and_nothing_on_a_rerun(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    client: AttioClient,
    proxy: Proxy,
) -> None:
    client.records.assert_record(
        "companies", "domains", {"domains": [{"domain": "dry-meet.com"}], "name": "Meet"}
    )
    args = [
        *("meeting", "dry-meet.com", "--title", "Review", "--date", "2026-03-04T15:30:00+00:00"),
        *("--attendee", "Grace Hopper", "--content", "- renew **early**"),
    ]
    planned = dry_run_then_real(args, emu, env, config_home, proxy)
    assert [(r["method"], r["path"]) for r in planned] == [("POST", "/v2/notes")]
    assert dry_run_then_real(args, emu, env, config_home, proxy) == []
    table = run([*args, "--dry-run"], env, config_home)
    assert table.exit_code == 0, table.stderr
    assert "dry run: nothing to send" in table.stdout


def test_deals_advance_and_move_plan_what_they_send(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    services: Services,
    proxy: Proxy,
) -> None:
    """advance: one PATCH of the deal; move: the entry in --to asserted (created), then the one
    in --from deleted, by its real id."""
    deal = services.deals.create("Dry mover", 500, "Lead", owner=MEMBER)
    entry = services.lists.add("big_deals", deal)
    advance = ["deals", "advance", deal.record_id, "--stage", "In Progress", "--probability", "0.4"]
    planned = dry_run_then_real(advance, emu, env, config_home, proxy)
    assert [(r["method"], r["effect"]) for r in planned] == [
        ("PATCH", f"updates deals record {deal.record_id}")
    ]
    move = ["deals", "move", deal.record_id, "--from", "big_deals", "--to", "active_deals"]
    planned = dry_run_then_real(move, emu, env, config_home, proxy)
    assert [(r["method"], r["path"]) for r in planned] == [
        ("PUT", "/v2/lists/active_deals/entries"),
        ("DELETE", f"/v2/lists/big_deals/entries/{entry.entry_id}"),
    ]
    assert planned[0]["creates"] == "dry-run:entry-1"
    assert planned[1]["effect"] == f"deletes entry {entry.entry_id} of big_deals"


def test_qualify_plans_company_entry_task_and_note(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    tmp_path: Path,
    proxy: Proxy,
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES_TOML, encoding="utf-8")
    form = tmp_path / "form.json"
    form.write_text(
        json.dumps({"company": "Dry Lead", "website": "https://dry-lead.io", "employees": 80}),
        encoding="utf-8",
    )
    args = ["qualify", str(form), "--rules", str(rules), "--list", "prospects"]
    planned = dry_run_then_real([*args, "--assignee", MEMBER], emu, env, config_home, proxy)
    assert [r["method"] for r in planned] == ["PUT", "PUT", "POST", "POST"]
    assert planned[0]["creates"] == "dry-run:record-1"
    assert planned[1]["body"]["data"]["parent_record_id"] == "dry-run:record-1"


# -- everyday commands ---------------------------------------------------------------------------
def test_people_create_with_a_new_company_plans_both_asserts(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    proxy: Proxy,
) -> None:
    args = ["people", "create", "zed@dry-newco.com", "--first-name", "Zed"]
    planned = dry_run_then_real([*args, "--company", "dry-newco.com"], emu, env, config_home, proxy)
    assert [r["path"] for r in planned] == [
        "/v2/objects/companies/records?matching_attribute=domains",
        "/v2/objects/people/records?matching_attribute=email_addresses",
    ]
    company = planned[1]["body"]["data"]["values"]["company"]
    assert company["target_record_id"] == planned[0]["creates"] == "dry-run:record-1"
    # Run again, both exist: the person's assert is an update of the real person.
    again = dry_run_then_real(args, emu, env, config_home, proxy)
    assert len(again) == 1 and again[0]["effect"].startswith("updates people record ")


def test_a_single_write_prints_exactly_one_request(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path
) -> None:
    before = writes(emu)
    result = run(
        ["companies", "create", "dry-single.com", "--name", "S", "--dry-run"], env, config_home
    )
    assert result.exit_code == 0, result.stderr
    numbered = [line for line in result.stdout.splitlines() if re.match(r"\d+\. ", line)]
    assert numbered == ["1. PUT /v2/objects/companies/records?matching_attribute=domains"]
    assert "creates a companies record, dry-run:record-1" in result.stdout
    assert '"domain": "dry-single.com"' in result.stdout
    assert "nothing was sent" in result.stderr
    assert writes(emu) == before


def test_a_dry_run_delete_of_a_missing_record_fails_as_the_real_one_would(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path
) -> None:
    before = writes(emu)
    missing = "00000000-0000-4000-8000-000000000000"
    result = run(["records", "delete", "companies", missing, "--dry-run"], env, config_home)
    assert result.exit_code == 4
    assert "not found" in one_error_line(result)
    assert writes(emu) == before


def test_a_write_the_dry_run_cannot_answer_ends_the_plan_before_it(
    emu: InProcessEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """A webhook's create has no made-up answer: the plan so far, then where it stopped."""
    before = writes(emu)
    client = DryRunClient(
        api_key=KEY,
        base_url=emu.base_url,
        transport=SyncASGITransport(emu.app),
        read_rate=0,
        write_rate=0,
    )
    with client:
        Services(client).tasks.create("Before the webhook")
        with pytest.raises(DryRunStop) as stopped:
            client.webhooks.create(target_url="https://example.com/hook", subscriptions=[])
        assert [w.method for w in client.planned] == ["POST"]
        assert planned(client, Run(json=True), {"why": "test"}, stop=stopped.value)
    printed = json.loads(capsys.readouterr().out)
    assert printed["why"] == "test"
    assert [r["path"] for r in printed["requests"]] == ["/v2/tasks"]
    assert printed["stopped_before"]["path"] == "/v2/webhooks"
    assert writes(emu) == before
