"""HubSpot deals and Salesforce Opportunities <-> Attio's deals, both ways, end to end: the
shipped example mappings (docs/examples/hubspot-deals.toml, salesforce-opportunities.toml),
the real ``attio-bridge sync check|run`` with the real connectors (hubspot-api-client,
simple-salesforce) and an emulator process serving Attio's API and both stand-ins over HTTP.

Each test tells the story on either system: deals on both sides; a full sync creates each
side's deals on the other (an Attio deal with the external id set and its stage mapped; a
HubSpot deal or Opportunity with the stage mapped back and the amount); a stage edit on either
side reaches the other, mapped; a stage edited on both sides goes to the later edit, and an
amount owned by one side stays that side's, each recorded as a conflict; a second run writes
nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.connectors.crm import CrmConnector
from attio_bridge.connectors.hubspot import HubSpotConnector
from attio_bridge.connectors.salesforce import SalesforceConnector
from attio_bridge.state import open_store
from attio_bridge.sync.conflicts import ConflictQueue
from attio_bridge.testing import EmulatorControl, EmulatorProcess
from attio_bridge.values import decode_record, load_schema
from tests.client._factories import attribute_body

from ._support import invoke

KEY = "sync-deals-cli-key"  # the emulator's API key, which its stand-ins take as a token too
EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"
OWNER = '"sales@example.com"'  # the examples' deal owner, replaced by the workspace's member


@dataclass(frozen=True)
class System:
    """One CRM's deals: its object, fields, the example mapping and the stage names."""

    name: str
    object: str
    example: str
    id_attribute: str  # the unique text attribute of Attio's deals holding its record id
    deal_name: str
    stage: str
    amount: str
    stages: dict[str, str]  # Attio status -> the stage the example's map writes back
    other_stage: str  # a stage that maps to "In Progress" but is not the one written back
    extra: Callable[[], dict[str, Any]]  # fields the system needs on a new deal

    def connector(self, base_url: str) -> CrmConnector:
        if self.name == "hubspot":
            return HubSpotConnector(KEY, base_url=base_url)
        return SalesforceConnector(base_url, KEY)

    def env(self, base_url: str) -> dict[str, str | None]:
        if self.name == "hubspot":
            return {"HUBSPOT_ACCESS_TOKEN": KEY, "HUBSPOT_API_URL": base_url}
        return {"SALESFORCE_INSTANCE_URL": base_url, "SALESFORCE_ACCESS_TOKEN": KEY}

    def row(self, name: str, stage: str, amount: float) -> dict[str, Any]:
        return {self.deal_name: name, self.stage: stage, self.amount: amount, **self.extra()}


HUBSPOT = System(
    "hubspot",
    "deals",
    "hubspot-deals.toml",
    "hubspot_deal_id",
    "dealname",
    "dealstage",
    "amount",
    {"Lead": "appointmentscheduled", "In Progress": "qualifiedtobuy", "Won 🎉": "closedwon"}
    | {"Lost": "closedlost"},
    "contractsent",
    dict,
)
SALESFORCE = System(
    "salesforce",
    "Opportunity",
    "salesforce-opportunities.toml",
    "salesforce_opportunity_id",
    "Name",
    "StageName",
    "Amount",
    {"Lead": "Prospecting", "In Progress": "Qualification", "Won 🎉": "Closed Won"}
    | {"Lost": "Closed Lost"},
    "Negotiation/Review",
    lambda: {"CloseDate": "2027-06-30"},
)
SYSTEMS = [pytest.param(HUBSPOT, id="hubspot"), pytest.param(SALESFORCE, id="salesforce")]


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:  # type: ignore[override]
    """An emulator process: the connectors reach its stand-ins over HTTP, as they would the
    real systems."""
    with EmulatorProcess(api_key=KEY, read_rate=0, write_rate=0) as process:
        yield process


@pytest.fixture
def client(emu: EmulatorProcess) -> Iterator[AttioClient]:  # type: ignore[override]
    with EmulatorControl(base_url=emu.base_url) as control:
        control.reset()  # a fresh workspace and stand-ins (their few seeded deals) per test
    budget: dict[str, Any] = {"rate_limit_backend": "memory", "read_rate": 0, "write_rate": 0}
    with AttioClient(api_key=KEY, base_url=emu.base_url, **budget) as c:
        yield c


class Story:
    """One test's two workspaces and its ``attio-bridge sync`` runs on a copy of the example."""

    def __init__(
        self, system: System, emu: EmulatorProcess, client: AttioClient, tmp_path: Path, home: Path
    ) -> None:
        self.system, self.client = system, client
        self.side = system.connector(emu.base_url)
        self.owner = client.workspace_members.list()[0].email_address
        self.file = tmp_path / system.example
        self.state = tmp_path / "state"
        text = (EXAMPLES / system.example).read_text()
        assert OWNER in text  # the example says whom to replace
        self.file.write_text(text.replace(OWNER, json.dumps(self.owner)))
        self.env: dict[str, str | None] = {
            "ATTIO_API_KEY": KEY,
            "ATTIO_BASE_URL": emu.base_url,
            "XDG_STATE_HOME": str(self.state),
            "ATTIO_BRIDGE_DATABASE_URL": None,
            **system.env(emu.base_url),
        }
        self.home = home
        self.make_attributes()

    def make_attributes(self) -> None:
        """The attributes the example's comment asks for."""
        slug = self.system.id_attribute
        self.client.attributes.create(
            "objects", "deals", attribute_body(slug, "text", is_unique=True)
        )
        if self.system.name == "salesforce":
            self.client.attributes.create("objects", "deals", attribute_body("close_date", "date"))

    def logged_conflicts(self) -> list[tuple[str, str, Any, Any]]:
        """The decided conflicts the runs logged in the state store: field, decision, values."""
        with open_store(f"sqlite:///{self.state / 'attio-bridge' / 'state.sqlite3'}") as state:
            log = ConflictQueue(state).log()
        return [(c.field, c.decision, c.attio_value, c.external_value) for c in log]

    def sync(self, *args: str) -> Any:
        return invoke(["sync", *args], self.env, self.home, KEY)

    def run(self, *args: str) -> dict[str, Any]:
        """``sync run FILE ARGS --json``: its one mapping's report, without errors."""
        done = self.sync("run", str(self.file), *args, "--json")
        assert done.exit_code == 0, done.stderr
        [report] = json.loads(done.stdout)["mappings"]
        assert report["errors"] == [], report["errors"]
        return dict(report)

    def attio_deal(self, name: str, stage: str, value: float) -> str:
        values = {"name": name, "stage": stage, "value": value, "owner": self.owner}
        if self.system.name == "salesforce":
            values["close_date"] = "2027-09-30"
        return self.client.records.create("deals", values).record_id

    def attio(self) -> dict[str, dict[str, Any]]:
        """Attio's deals by name: stage title, amount, external id, record id."""
        schema = load_schema(self.client)
        out: dict[str, dict[str, Any]] = {}
        for record in self.client.records.iter("deals"):
            row = decode_record(schema, record)
            assert row["name"] not in out, f"two Attio deals named {row['name']!r}"
            value = row.get("value")
            out[row["name"]] = {
                "stage": row.get("stage"),
                "value": None if value is None else float(value),
                "id": row.get(self.system.id_attribute),
                "record_id": record.record_id,
            }
        return out

    def external(self) -> dict[str, dict[str, Any]]:
        """The other side's live deals by name: stage, amount, record id."""
        s = self.system
        out: dict[str, dict[str, Any]] = {}
        cursor: str | None = None
        while True:
            page = self.side.list_page(s.object, cursor, 100)
            for rec in page.records:
                p = rec.properties
                assert p[s.deal_name] not in out, f"two {s.name} deals named {p[s.deal_name]!r}"
                amount = p.get(s.amount)
                out[p[s.deal_name]] = {
                    "stage": p.get(s.stage),
                    "value": None if amount in (None, "") else float(amount),
                    "id": rec.id,
                }
            cursor = page.next_cursor
            if cursor is None:
                return out

    def edit_external(self, name: str, **props: Any) -> None:
        s = self.system
        names = {"stage": s.stage, "value": s.amount}
        self.side.update(
            s.object, self.external()[name]["id"], {names[k]: v for k, v in props.items()}
        )

    def edit_attio(self, name: str, **values: Any) -> None:
        self.client.records.update("deals", self.attio()[name]["record_id"], values)


def first_sync(story: Story) -> tuple[dict[str, Any], dict[str, Any]]:
    """Deals on both sides, one full sync: its report and the deals the other side had."""
    s = story.system
    story.side.create(s.object, s.row("Ext new logo", story.system.other_stage, 4200.5))
    story.side.create(s.object, s.row("Ext lost", s.stages["Lost"], 900))
    story.attio_deal("Attio upsell", "In Progress", 15000)
    story.attio_deal("Attio won", "Won 🎉", 70000)
    before = story.external()
    return story.run("--full"), before


@pytest.mark.parametrize("system", SYSTEMS)
def test_the_shipped_example_checks_against_both_schemas(
    system: System, emu: EmulatorProcess, client: AttioClient, tmp_path: Path, config_home: Path
) -> None:
    story = Story(system, emu, client, tmp_path, config_home)
    checked = story.sync("check", str(story.file))
    assert checked.exit_code == 0, checked.stderr
    assert "1 mapping(s) OK" in checked.stdout
    # Without the owner Attio requires, check says so, and how to give it.
    unowned = tmp_path / "unowned.toml"
    unowned.write_text(
        "\n".join(
            line
            for line in story.file.read_text().splitlines()
            if not line.startswith("attio_defaults")
        )
    )
    refused = story.sync("check", str(unowned))
    assert refused.exit_code != 0
    [line] = refused.stdout.splitlines()
    header = story.file.read_text().splitlines().index("[[mapping]]") + 1
    assert line.startswith(f"{unowned}, line {header}: mapping '{system.name}-")
    assert "deals.owner is required in Attio and no field maps it" in line
    assert 'attio_defaults = { owner = "..." }' in line


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_full_sync_creates_each_sides_deals_on_the_other_with_stages_mapped(
    system: System, emu: EmulatorProcess, client: AttioClient, tmp_path: Path, config_home: Path
) -> None:
    story = Story(system, emu, client, tmp_path, config_home)
    report, before = first_sync(story)
    attio, external = story.attio(), story.external()
    assert set(attio) == set(external) == set(before) | {"Attio upsell", "Attio won"}
    assert report["written"] == {"attio": len(before), "external": 2}
    # Each external deal is in Attio, its id kept, its stage mapped, its amount a currency.
    mapped = {
        "Ext new logo": ("In Progress", 4200.5),
        "Ext lost": ("Lost", 900.0),
    }
    for name, (stage, value) in mapped.items():
        assert (attio[name]["stage"], attio[name]["value"]) == (stage, value)
        assert attio[name]["id"] == external[name]["id"]
    for name, deal in before.items():  # the stand-in's own seeded deals too
        assert attio[name]["id"] == deal["id"]
        assert external[name]["stage"] == deal["stage"]  # not written back
    # Each Attio deal is on the other side with the first stage listed for its status.
    assert (external["Attio upsell"]["stage"], external["Attio upsell"]["value"]) == (
        system.stages["In Progress"],
        15000.0,
    )
    assert external["Attio won"]["stage"] == system.stages["Won 🎉"]
    assert attio["Attio won"]["id"] == external["Attio won"]["id"]

    # A second run, full or not, writes nothing on either side.
    for args in (("--full",), ()):
        again = story.run(*args)
        assert again["written"] == {"attio": 0, "external": 0}, args
        assert again["conflicts"] == []


@pytest.mark.parametrize("system", SYSTEMS)
def test_stage_edits_cross_mapped_and_conflicts_follow_the_rules(
    system: System, emu: EmulatorProcess, client: AttioClient, tmp_path: Path, config_home: Path
) -> None:
    story = Story(system, emu, client, tmp_path, config_home)
    first_sync(story)
    # One stage edit on each side.
    story.edit_external("Ext new logo", stage=system.stages["Won 🎉"])
    story.edit_attio("Attio upsell", stage="Lost")
    # The same stage edited on both sides: Attio first, the other side last.
    story.edit_attio("Attio won", stage="In Progress")
    time.sleep(0.05)  # the two edits' modification times differ
    story.edit_external("Attio won", stage=system.stages["Lost"])
    # An amount edited on the other side reaches Attio's currency value.
    story.edit_external("Ext lost", value=950)
    report = story.run("--full")

    attio, external = story.attio(), story.external()
    assert attio["Ext new logo"]["stage"] == "Won 🎉"
    assert external["Attio upsell"]["stage"] == system.stages["Lost"]
    assert (attio["Attio won"]["stage"], external["Attio won"]["stage"]) == (
        "Lost",
        system.stages["Lost"],
    )
    assert attio["Ext lost"]["value"] == 950.0
    [conflict] = report["conflicts"]
    assert (conflict["field"], conflict["decision"]) == ("stage", "external")
    assert (conflict["attio_value"], conflict["external_value"]) == ("In Progress", "Lost")
    assert "changed last" in conflict["reason"]
    assert story.logged_conflicts() == [("stage", "external", "In Progress", "Lost")]
    assert report["written"] == {"attio": 3, "external": 1}

    # An external stage that maps to Attio's status is left as it is by Attio's writes; an
    # incremental run (what changed since the last pull) carries the edit too.
    story.edit_external("Ext new logo", stage=system.other_stage)
    assert story.run()["written"] == {"attio": 1, "external": 0}
    assert story.attio()["Ext new logo"]["stage"] == "In Progress"
    story.edit_attio("Ext new logo", value=5000)
    assert story.run("--full")["written"] == {"attio": 0, "external": 1}
    assert story.external()["Ext new logo"] == {
        **external["Ext new logo"],
        "stage": system.other_stage,
        "value": 5000.0,
    }
    assert story.run("--full")["written"] == {"attio": 0, "external": 0}


@pytest.mark.parametrize("system", SYSTEMS)
def test_an_amount_owned_by_attio_stays_attios_and_the_conflict_is_recorded(
    system: System, emu: EmulatorProcess, client: AttioClient, tmp_path: Path, config_home: Path
) -> None:
    story = Story(system, emu, client, tmp_path, config_home)
    text = story.file.read_text()
    field = f'external = "{system.amount}"\nattio = "value"\n'
    assert field in text
    story.file.write_text(text.replace(field, field + 'owner = "attio"\n'))
    first_sync(story)
    # Both sides change the amount, the other side last: Attio owns it, so Attio's stands.
    story.edit_attio("Attio upsell", value=16000)
    time.sleep(0.05)
    story.edit_external("Attio upsell", value=99)
    # An edit on the other side alone is put back too.
    story.edit_external("Ext lost", value=1)
    report = story.run("--full")
    attio, external = story.attio(), story.external()
    assert attio["Attio upsell"]["value"] == external["Attio upsell"]["value"] == 16000.0
    assert attio["Ext lost"]["value"] == external["Ext lost"]["value"] == 900.0
    decided = sorted((c["field"], c["decision"], c["external_value"]) for c in report["conflicts"])
    assert decided == [("value", "attio", 99)]
    assert story.logged_conflicts() == [("value", "attio", 16000, 99)]
    assert story.run("--full")["written"] == {"attio": 0, "external": 0}


def test_an_attio_deal_without_the_close_date_salesforce_requires_is_reported(
    emu: EmulatorProcess, client: AttioClient, tmp_path: Path, config_home: Path
) -> None:
    story = Story(SALESFORCE, emu, client, tmp_path, config_home)
    story.client.records.create(
        "deals", {"name": "Undated", "stage": "Lead", "value": 10, "owner": story.owner}
    )
    done = story.sync("run", str(story.file), "--full", "--json")
    [report] = json.loads(done.stdout)["mappings"]
    [error] = report["errors"]
    assert "REQUIRED_FIELD_MISSING" in error and "CloseDate" in error
    assert "Undated" not in story.external()
    # Given a close date in Attio, the next run creates it.
    story.edit_attio("Undated", close_date="2027-12-31")
    assert story.run("--full")["written"] == {"attio": 0, "external": 1}
    assert story.external()["Undated"]["stage"] == "Prospecting"
