"""The sales workflows (meeting note, deal pipeline, lead qualification, stage automation)
against the in-process emulator: their effects read back through a sync client (``reader``),
re-runs that write nothing twice, and clear errors before any write. Written once for the
async workflows; ``../_sync`` runs the same against the sync ones."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.errors import InvalidInputError, MissingError
from attio_bridge.services import AsyncServices, ServiceError
from attio_bridge.values import ValuesError, decode_record, load_schema
from attio_bridge.workflows.aio import (
    advance_deal,
    advance_stale_deals,
    move_between_lists,
    qualify_lead,
    record_meeting_note,
    run_deal_pipeline,
)
from attio_bridge.workflows.pipeline import DealPipelineResult
from attio_bridge.workflows.qualify import Rule, ScoringRules
from tests.services.conftest import add_deal_attributes, attribute_body, build_workspace

from .._clients import sync_client

pytestmark = pytest.mark.anyio
LEAD_STATUSES = ["Hot", "Warm", "Cold"]


@pytest.fixture
def reader(app: EmulatorApp) -> Iterator[AttioClient]:
    """A sync client on ``app`` for setting up and reading back, after it gave the workspace
    the services suite's lists, deal close date and probability, and a ``lead_status`` select
    on companies; the journal starts empty."""
    with sync_client(app) as attio:
        build_workspace(attio)
        add_deal_attributes(attio)
        attio.attributes.create("objects", "companies", attribute_body("lead_status", "select"))
        for title in LEAD_STATUSES:
            attio.attributes.create_option("objects", "companies", "lead_status", title=title)
        app.state.journal.entries.clear()
        yield attio


@pytest.fixture
def services(reader: AttioClient, services: AsyncServices) -> AsyncServices:
    """The services, once ``reader`` has built the workspace."""
    return services


@pytest.fixture
def member_email(reader: AttioClient) -> str:
    """The email address of the workspace's member."""
    return reader.workspace_members.list()[0].email_address or ""


def writes(app: EmulatorApp) -> list[tuple[str, str]]:
    """The write requests the emulator received (method, path), oldest first."""
    return [
        (e["method"], e["path"])
        for e in app.state.journal.render()
        if e["method"] in ("POST", "PUT", "PATCH", "DELETE") and not e["path"].endswith("/query")
    ]


def read_row(reader: AttioClient, object: str, record_id: str) -> dict[str, object]:
    """The record as it is now, decoded."""
    return decode_record(load_schema(reader), reader.records.get(object, record_id))


# -- meeting note --------------------------------------------------------------------------------
async def test_meeting_note_holds_title_date_attendees_and_markdown(
    services: AsyncServices, reader: AttioClient
) -> None:
    acme = await services.companies.upsert("acme.com", "Acme")
    when = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)
    note = await record_meeting_note(
        services,
        "companies",
        acme.record_id,
        "Quarterly review",
        when,
        ["ada@acme.com", "Grace Hopper"],
        "## Outcomes\n\n- renew **early**",
    )
    assert note.created and not note.updated
    stored = reader.notes.get(note.note.id["note_id"])
    assert stored.title == "Quarterly review"
    assert stored.parent_record_id == acme.record_id
    assert "2026-03-04 15:30 UTC" in stored.content_plaintext
    assert "- ada@acme.com" in stored.content_markdown
    assert "- Grace Hopper" in stored.content_markdown
    assert "renew **early**" in stored.content_markdown
    assert (stored.created_at or "").startswith("2026-03-04T15:30")


async def test_meeting_note_rerun_returns_the_same_note(
    services: AsyncServices, reader: AttioClient, app: EmulatorApp
) -> None:
    ada = await services.people.upsert(email="ada@acme.com", name="Ada Lovelace")
    args = ("people", ada.record_id, "Intro call", date(2026, 1, 5), ["Ada"], "Went well.")
    first = await record_meeting_note(services, *args)
    before = len(writes(app))
    again = await record_meeting_note(services, *args)
    assert again.note.id == first.note.id
    assert (again.created, again.updated) == (False, False)
    assert len(writes(app)) == before
    other_day = await record_meeting_note(
        services, "people", ada.record_id, "Intro call", date(2026, 1, 6), ["Ada"], "Again."
    )
    assert other_day.created and other_day.note.id != first.note.id
    notes = list(reader.notes.iter(parent_object="people", parent_record_id=ada.record_id))
    assert len(notes) == 2


async def test_meeting_note_in_the_future_is_refused(
    services: AsyncServices, app: EmulatorApp
) -> None:
    acme = await services.companies.upsert("acme.com", "Acme")
    before = len(writes(app))
    with pytest.raises(ServiceError, match="in the future"):
        await record_meeting_note(
            services, "companies", acme.record_id, "Later", date(2999, 1, 1), [], "x"
        )
    assert len(writes(app)) == before


async def test_meeting_note_rerun_with_other_notes_or_attendees_edits_it_in_place(
    services: AsyncServices, reader: AttioClient, app: EmulatorApp
) -> None:
    """The same meeting again with other notes, or other attendees, edits the note found in
    place (docs.attio.com/rest-api/endpoint-reference/notes/update-a-note): one PATCH each,
    same note id and date, the new notes stored; re-spacing alone is not a difference and
    writes nothing."""
    acme = await services.companies.upsert("acme.com", "Acme")
    args = ("companies", acme.record_id, "Security review", date(2026, 11, 20))
    first = await record_meeting_note(services, *args, ["Priya"], "## Outcomes\n\n- SSO is a must")
    note_path = f"/v2/notes/{first.note.id['note_id']}"
    before = len(writes(app))
    other_notes = await record_meeting_note(services, *args, ["Priya"], "Totally different notes")
    assert writes(app)[before:] == [("PATCH", note_path)]
    assert (other_notes.created, other_notes.updated) == (False, True)
    assert other_notes.note.id == first.note.id
    stored = reader.notes.get(first.note.id["note_id"])
    assert "Totally different notes" in stored.content_plaintext
    assert "SSO" not in stored.content_plaintext
    assert stored.created_at == first.note.created_at
    other_people = await record_meeting_note(
        services, *args, ["Priya", "Grace"], "Totally different notes"
    )
    assert (other_people.created, other_people.updated) == (False, True)
    assert "Grace" in reader.notes.get(first.note.id["note_id"]).content_plaintext
    before = len(writes(app))
    respaced = await record_meeting_note(
        services, *args, ["Priya", "Grace"], "Totally different notes\n\n"
    )
    assert (respaced.created, respaced.updated) == (False, False)
    assert len(writes(app)) == before
    notes = list(reader.notes.iter(parent_object="companies", parent_record_id=acme.record_id))
    assert [n.id for n in notes] == [first.note.id]


async def test_meeting_note_without_content_is_refused(
    services: AsyncServices, app: EmulatorApp
) -> None:
    acme = await services.companies.upsert("acme.com", "Acme")
    before = len(writes(app))
    with pytest.raises(ServiceError, match="no notes"):
        await record_meeting_note(
            services, "companies", acme.record_id, "Empty", date(2026, 1, 5), ["Ada"], " \n"
        )
    assert len(writes(app)) == before


# -- deal pipeline -------------------------------------------------------------------------------
async def run_pipeline(
    services: AsyncServices, member_email: str, *, stage: str = "Lead", assignee: str | None = None
) -> DealPipelineResult:
    """The deal pipeline for "Acme renewal" on acme.com, into ``big_deals``."""
    return await run_deal_pipeline(
        services,
        name="Acme renewal",
        value=12000,
        stage=stage,
        close_date=date(2026, 12, 31),
        company_domain="acme.com",
        list_slug="big_deals",
        task_assignee_email=assignee or member_email,
        context_markdown="Budget **approved**.",
    )


async def test_deal_pipeline_creates_deal_entry_task_and_note(
    services: AsyncServices, reader: AttioClient, member_email: str
) -> None:
    result = await run_pipeline(services, member_email)
    assert result.created == ("deal", "entry", "task", "note")
    deal = read_row(reader, "deals", result.deal.record_id)
    assert deal["name"] == "Acme renewal"
    assert deal["stage"] == "Lead"
    assert deal["value"] == 12000
    assert deal["close_date"] == date(2026, 12, 31)
    acme = await services.companies.find_by_domain("acme.com")
    assert acme is not None
    assert deal["associated_company"] == acme.record_id
    entries = list(reader.records.iter_entries("deals", result.deal.record_id))
    assert [e.list_api_slug for e in entries] == ["big_deals"]
    tasks = list(reader.tasks.iter(linked_object="deals", linked_record_id=result.deal.record_id))
    assert [t.content_plaintext for t in tasks] == ["Follow up on Acme renewal"]
    assert tasks[0].deadline_at is not None
    notes = list(reader.notes.iter(parent_object="deals", parent_record_id=result.deal.record_id))
    assert [n.title for n in notes] == ["Deal context: Acme renewal"]
    assert "Budget **approved**." in notes[0].content_markdown


async def test_deal_pipeline_rerun_creates_nothing(
    services: AsyncServices, reader: AttioClient, app: EmulatorApp, member_email: str
) -> None:
    first = await run_pipeline(services, member_email)
    before = len(writes(app))
    again = await run_pipeline(services, member_email)
    assert again.created == ()
    assert again.deal.record_id == first.deal.record_id
    # The only write of the re-run is the entry's assert, which changes nothing.
    assert writes(app)[before:] == [("PUT", "/v2/lists/big_deals/entries")]
    assert len(list(reader.records.iter("deals"))) == 1
    assert len(list(reader.entries.iter("big_deals"))) == 1
    assert len(list(reader.tasks.iter())) == 1
    assert len(list(reader.notes.iter(parent_object="deals"))) == 1


async def test_deal_pipeline_rerun_leaves_a_moved_deal_where_it_went(
    services: AsyncServices, reader: AttioClient, member_email: str
) -> None:
    reader.lists.create(name="Won deals", api_slug="won_deals", parent_object="deals")
    services.schema.invalidate()
    first = await run_pipeline(services, member_email)
    await move_between_lists(services, first.deal, "big_deals", "won_deals")
    again = await run_pipeline(services, member_email)
    assert again.created == ()
    assert again.entry is None
    entries = reader.records.iter_entries("deals", first.deal.record_id)
    assert [e.list_api_slug for e in entries] == ["won_deals"]


async def test_deal_pipeline_unknown_assignee_writes_nothing(
    services: AsyncServices, app: EmulatorApp, member_email: str
) -> None:
    with pytest.raises(ServiceError, match=r"nobody@example\.com"):
        await run_pipeline(services, member_email, assignee="nobody@example.com")
    assert writes(app) == []


async def test_deal_pipeline_unknown_stage_writes_nothing(
    services: AsyncServices, app: EmulatorApp, member_email: str
) -> None:
    with pytest.raises(ValuesError, match="Nope"):
        await run_pipeline(services, member_email, stage="Nope")
    assert [w for w in writes(app) if "/deals/" in w[1]] == []


async def test_advance_deal_sets_stage_and_probability(
    services: AsyncServices, reader: AttioClient, member_email: str
) -> None:
    result = await run_pipeline(services, member_email)
    await advance_deal(services, result.deal.record_id, "In Progress", probability=0.6)
    await advance_deal(services, result.deal.record_id, "In Progress", probability=0.6)
    deal = read_row(reader, "deals", result.deal.record_id)
    assert deal["stage"] == "In Progress"
    assert deal["probability"] == 0.6
    with pytest.raises(ValuesError, match="Lead"):
        await advance_deal(services, result.deal.record_id, "Nowhere")


async def test_deal_pipeline_checks_inputs_when_the_deal_exists(
    services: AsyncServices, reader: AttioClient, app: EmulatorApp, member_email: str
) -> None:
    """A re-run with a bad stage, value or owner fails as a first run does, before any write."""
    first = await run_pipeline(services, member_email)
    before = len(writes(app))
    bad: list[dict[str, object]] = [{"stage": "Nonsense"}, {"value": "lots"}]
    bad.append({"owner": "ghost@example.com"})
    for change in bad:
        args = {
            "name": "Acme renewal",
            "value": 12000,
            "stage": "Lead",
            "close_date": date(2026, 12, 31),
            "company_domain": "acme.com",
            "list_slug": "big_deals",
            "task_assignee_email": member_email,
            "context_markdown": "Budget **approved**.",
        } | change
        with pytest.raises(ValuesError):
            await run_deal_pipeline(services, **args)  # type: ignore[arg-type]
    assert len(writes(app)) == before
    row = read_row(reader, "deals", first.deal.record_id)
    assert row["stage"] == "Lead"


async def test_deal_pipeline_rerun_reports_values_it_does_not_apply(
    services: AsyncServices, reader: AttioClient, member_email: str
) -> None:
    """The deal found keeps its stage, value and close date; the run lists each given value
    that differs, and none when they match."""
    first = await run_pipeline(services, member_email)
    again = await run_deal_pipeline(
        services,
        "Acme renewal",
        "15000",
        "in progress",
        "2027-01-31",
        "acme.com",
        "big_deals",
        member_email,
        "Budget **approved**.",
    )
    assert again.deal.record_id == first.deal.record_id
    assert [(n.attribute, n.current, n.given) for n in again.not_applied] == [
        ("stage", "Lead", "in progress"),
        ("value", 12000, "15000"),
        ("close_date", date(2026, 12, 31), "2027-01-31"),
    ]
    row = read_row(reader, "deals", first.deal.record_id)
    assert (row["stage"], row["value"], row["close_date"]) == ("Lead", 12000, date(2026, 12, 31))
    same = await run_deal_pipeline(
        services,
        "Acme renewal",
        "12000.00",
        "lead",
        "2026-12-31",
        "acme.com",
        "big_deals",
        member_email,
        "Budget **approved**.",
    )
    assert same.not_applied == ()


async def test_advance_deal_refuses_a_probability_outside_0_to_1(
    services: AsyncServices, reader: AttioClient, app: EmulatorApp, member_email: str
) -> None:
    result = await run_pipeline(services, member_email)
    before = len(writes(app))
    for wrong in (60, -0.1, 1.01, float("nan")):
        with pytest.raises(ServiceError, match=r"0\.6 for 60%"):
            await advance_deal(services, result.deal.record_id, "In Progress", probability=wrong)
    assert len(writes(app)) == before
    await advance_deal(services, result.deal.record_id, "In Progress", probability=1)
    row = read_row(reader, "deals", result.deal.record_id)
    assert (row["stage"], row["probability"]) == ("In Progress", 1)


async def test_move_between_lists_is_safe_to_rerun(
    services: AsyncServices, reader: AttioClient
) -> None:
    acme = await services.companies.upsert("acme.com", "Acme")
    await services.lists.assert_entry("prospects", acme, {"stage": "Lead"})
    await move_between_lists(services, acme, "prospects", "pipeline", {"stage": "Qualified"})
    await move_between_lists(services, acme, "prospects", "pipeline", {"stage": "Qualified"})
    slugs = [e.list_api_slug for e in reader.records.iter_entries("companies", acme.record_id)]
    assert slugs == ["pipeline"]


# -- lead qualification --------------------------------------------------------------------------
RULES = ScoringRules(
    rules=(
        Rule("employees", "at_least", 50, points=30),
        Rule("industry", "in", ("SaaS", "Fintech"), points=20),
        Rule("email", "present", points=5),
        Rule("country", "equals", "FR", points=10, label="based in France"),
    ),
    tiers=((40, "Hot"), (20, "Warm"), (0, "Cold")),
)
FORM = {
    "company": "Globex",
    "website": "https://www.globex.io/contact",
    "employees": "1,200",
    "industry": "saas",
    "email": "hank@globex.io",
}


async def test_qualify_lead_scores_sets_status_lists_tasks_and_notes(
    services: AsyncServices, reader: AttioClient, member_email: str
) -> None:
    monday = date(2026, 11, 20)  # a Friday: the task is due on Monday
    result = await qualify_lead(services, FORM, RULES, "prospects", member_email, today=monday)
    assert result.score == 55
    assert result.status == "Hot"
    assert [r.points for r in result.reasons] == [30, 20, 5, 0]
    assert result.created == ("company", "entry", "task", "note")
    company = decode_record(
        load_schema(reader), reader.records.get("companies", result.company.record_id)
    )
    assert company["name"] == "Globex"
    assert company["domains"] == ["globex.io"]
    assert company["lead_status"] == "Hot"
    slugs = [
        e.list_api_slug for e in reader.records.iter_entries("companies", company["record_id"])
    ]
    assert slugs == ["prospects"]
    (task,) = reader.tasks.iter(linked_object="companies", linked_record_id=company["record_id"])
    assert task.content_plaintext == "Qualify lead Globex"
    assert (task.deadline_at or "").startswith("2026-11-23")
    assert len(task.assignees) == 1
    (note,) = reader.notes.iter(parent_object="companies", parent_record_id=company["record_id"])
    assert "employees at least 50: +30" in note.content_plaintext
    assert "based in France: 0" in note.content_plaintext
    assert "Score: 55" in note.content_plaintext


async def test_qualify_lead_finds_the_company_and_reruns_without_duplicates(
    services: AsyncServices, reader: AttioClient, member_email: str
) -> None:
    await services.companies.upsert("globex.io", "Globex Corporation")
    first = await qualify_lead(services, FORM, RULES, "prospects", member_email)
    assert first.created == ("entry", "task", "note")
    again = await qualify_lead(services, FORM, RULES, "prospects", member_email)
    assert again.created == ()
    assert len(list(reader.records.iter("companies"))) == 1
    company = decode_record(load_schema(reader), again.company)
    assert company["name"] == "Globex Corporation"  # an existing name is kept
    assert len(list(reader.entries.iter("prospects"))) == 1
    assert len(list(reader.tasks.iter())) == 1
    assert len(list(reader.notes.iter(parent_object="companies"))) == 1


async def test_qualify_lead_domain_from_email_and_lower_tier(
    services: AsyncServices, reader: AttioClient, member_email: str
) -> None:
    form = {"company": "Tiny", "email": "jo@tiny.dev", "employees": 3}
    result = await qualify_lead(services, form, RULES, "prospects", member_email)
    assert result.score == 5
    assert result.status == "Cold"
    assert decode_record(load_schema(reader), result.company)["domains"] == ["tiny.dev"]


async def test_qualify_lead_without_status_attribute_is_a_clear_error(
    services: AsyncServices, app: EmulatorApp, member_email: str
) -> None:
    rules = ScoringRules(RULES.rules, RULES.tiers, status_attribute="qualification")
    with pytest.raises(MissingError, match="no status or select attribute qualification"):
        await qualify_lead(services, FORM, rules, "prospects", member_email)
    assert writes(app) == []


async def test_qualify_lead_status_not_an_option_writes_nothing(
    services: AsyncServices, app: EmulatorApp, member_email: str
) -> None:
    rules = ScoringRules(RULES.rules, ((0, "Lukewarm"),))
    with pytest.raises(ServiceError, match="Lukewarm"):
        await qualify_lead(services, FORM, rules, "prospects", member_email)
    assert writes(app) == []


async def test_qualify_lead_checks_every_tier_not_only_the_one_reached(
    services: AsyncServices, app: EmulatorApp, member_email: str
) -> None:
    """A tier no lead has reached yet is checked too: this Cold lead is refused because of the
    Scorching tier, with the options named, before any write."""
    rules = ScoringRules(RULES.rules, ((90, "Scorching"), *RULES.tiers))
    form = {"company": "Tiny", "email": "jo@tiny.dev"}
    with pytest.raises(ServiceError) as caught:
        await qualify_lead(services, form, rules, "prospects", member_email)
    message = str(caught.value)
    assert "'Scorching'" in message and "lead_status (Hot, Warm, Cold)" in message
    assert writes(app) == []
    assert (await qualify_lead(services, form, RULES, "prospects", member_email)).status == "Cold"


async def test_qualify_lead_without_domain_is_a_clear_error(
    services: AsyncServices, member_email: str
) -> None:
    with pytest.raises(ServiceError, match="no website or domain"):
        await qualify_lead(services, {"company": "Nameless"}, RULES, "prospects", member_email)


async def test_rule_with_unknown_op_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="unknown rule op"):
        Rule("employees", "more_than", 5, points=1)


# -- deal stage automation -----------------------------------------------------------------------
async def make_deal(
    services: AsyncServices, member_email: str, name: str, close_date: date | None = None
) -> str:
    deal = await services.deals.create(name, 1000, "Lead", close_date, owner=member_email)
    return deal.record_id


def stage_of(reader: AttioClient, deal_id: str) -> object:
    return read_row(reader, "deals", deal_id)["stage"]


async def test_advance_stale_deals_dry_run_lists_changes_and_writes_nothing(
    services: AsyncServices, reader: AttioClient, app: EmulatorApp, member_email: str
) -> None:
    ready = await make_deal(services, member_email, "Ready", close_date=date(2026, 12, 1))
    await make_deal(services, member_email, "No close date")
    app.state.journal.entries.clear()
    changes = await advance_stale_deals(
        services, "Lead", "In Progress", 7, ["close_date"], 3, dry_run=True
    )
    assert [(c.deal_id, c.name, c.to_stage) for c in changes] == [(ready, "Ready", "In Progress")]
    assert writes(app) == []
    assert stage_of(reader, ready) == "Lead"


async def test_advance_stale_deals_advances_tasks_notes_and_moves_entries(
    services: AsyncServices, reader: AttioClient, member_email: str
) -> None:
    reader.lists.create(name="Active deals", api_slug="active_deals", parent_object="deals")
    ready = await make_deal(services, member_email, "Ready", close_date=date(2026, 12, 1))
    bare = await make_deal(services, member_email, "No close date")
    await services.lists.add("big_deals", ready)
    now = datetime.now(UTC)
    changes = await advance_stale_deals(
        services,
        "Lead",
        "In Progress",
        7,
        ["close_date"],
        3,
        assignees=[member_email],
        move_from_list="big_deals",
        move_to_list="active_deals",
        now=now,
    )
    assert [c.deal_id for c in changes] == [ready]
    assert changes[0].follow_up_due.date() == (now + timedelta(days=3)).date()
    assert stage_of(reader, ready) == "In Progress"
    assert stage_of(reader, bare) == "Lead"
    slugs = [e.list_api_slug for e in reader.records.iter_entries("deals", ready)]
    assert slugs == ["active_deals"]
    (task,) = reader.tasks.iter(linked_object="deals", linked_record_id=ready)
    assert task.content_plaintext == "Follow up: Ready moved to In Progress"
    assert (task.deadline_at or "").startswith((now + timedelta(days=3)).date().isoformat())
    (note,) = reader.notes.iter(parent_object="deals", parent_record_id=ready)
    assert note.title == "Stage automation: Lead to In Progress"
    assert "close_date" in note.content_plaintext
    again = await advance_stale_deals(
        services, "Lead", "In Progress", 7, ["close_date"], 3, now=now
    )
    assert again == []
    assert len(list(reader.tasks.iter())) == 1
    assert len(list(reader.notes.iter(parent_object="deals"))) == 1


async def test_advance_stale_deals_skips_deals_without_recent_activity(
    services: AsyncServices, reader: AttioClient, member_email: str
) -> None:
    deal = await make_deal(services, member_email, "Old", close_date=date(2026, 12, 1))
    later = datetime.now(UTC) + timedelta(days=30)
    assert await advance_stale_deals(services, "Lead", "In Progress", 7, [], 3, now=later) == []
    assert stage_of(reader, deal) == "Lead"
    found = await advance_stale_deals(services, "Lead", "In Progress", 60, [], 3, now=later)
    assert [c.deal_id for c in found] == [deal]


async def test_advance_stale_deals_rejects_unknown_stage_and_field(
    services: AsyncServices, app: EmulatorApp
) -> None:
    with pytest.raises(ValuesError, match="Nowhere"):
        await advance_stale_deals(services, "Lead", "Nowhere", 7, [], 3)
    with pytest.raises(MissingError, match="'budget'"):
        await advance_stale_deals(services, "Lead", "In Progress", 7, ["budget"], 3)
    with pytest.raises(ServiceError, match=r"ghost@example\.com"):
        await advance_stale_deals(
            services, "Lead", "In Progress", 7, [], 3, assignees=["ghost@example.com"]
        )
    with pytest.raises(ServiceError, match="would stay in 'lead'"):
        await advance_stale_deals(services, "Lead", "lead", 7, [], 3)
    with pytest.raises(ServiceError, match="would stay in 'big_deals'"):
        await advance_stale_deals(
            services,
            "Lead",
            "In Progress",
            7,
            [],
            3,
            move_from_list="big_deals",
            move_to_list="big_deals",
        )
    assert writes(app) == []
