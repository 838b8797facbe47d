"""The sales workflows (meeting note, deal pipeline, lead qualification) against the
in-process emulator through the sync ``Services``: their effects read back through the client,
re-runs that write nothing twice, and clear errors before any write."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.services import ServiceError, Services
from attio_bridge.testing import SyncASGITransport
from attio_bridge.values import ValuesError, decode_record
from attio_bridge.workflows.automation import advance_stale_deals
from attio_bridge.workflows.meeting import record_meeting_note
from attio_bridge.workflows.pipeline import (
    DealPipelineResult,
    advance_deal,
    move_between_lists,
    run_deal_pipeline,
)
from attio_bridge.workflows.qualify import Rule, ScoringRules, qualify_lead
from tests.services.conftest import add_deal_attributes, attribute_body, build_workspace

from .conftest import API_KEY, URL

LEAD_STATUSES = ["Hot", "Warm", "Cold"]


@pytest.fixture
def client(app: EmulatorApp) -> Iterator[AttioClient]:
    """A sync client on ``app`` whose workspace has the services suite's lists, deal close
    date and probability, and a ``lead_status`` select on companies; the journal starts empty."""
    transport = SyncASGITransport(app)
    with AttioClient(
        api_key=API_KEY,
        base_url=URL,
        transport=transport,
        rate_limit_backend="memory",
        read_rate=0,
        write_rate=0,
    ) as attio:
        build_workspace(attio)
        add_deal_attributes(attio)
        attio.attributes.create("objects", "companies", attribute_body("lead_status", "select"))
        for title in LEAD_STATUSES:
            attio.attributes.create_option("objects", "companies", "lead_status", title=title)
        app.state.journal.entries.clear()
        yield attio
    transport.close()


@pytest.fixture
def services(client: AttioClient) -> Services:
    """The sync services."""
    return Services(client)


@pytest.fixture
def member_email(client: AttioClient) -> str:
    """The email address of the workspace's member."""
    return client.workspace_members.list()[0].email_address or ""


def writes(app: EmulatorApp) -> list[tuple[str, str]]:
    """The write requests the emulator received (method, path), oldest first."""
    return [
        (e["method"], e["path"])
        for e in app.state.journal.render()
        if e["method"] in ("POST", "PUT", "PATCH", "DELETE") and not e["path"].endswith("/query")
    ]


# -- meeting note --------------------------------------------------------------------------------
def test_meeting_note_holds_title_date_attendees_and_markdown(
    services: Services, client: AttioClient
) -> None:
    acme = services.companies.upsert("acme.com", "Acme")
    when = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)
    note = record_meeting_note(
        services,
        "companies",
        acme.record_id,
        "Quarterly review",
        when,
        ["ada@acme.com", "Grace Hopper"],
        "## Outcomes\n\n- renew **early**",
    )
    assert note.created and not note.differs
    stored = client.notes.get(note.note.id["note_id"])
    assert stored.title == "Quarterly review"
    assert stored.parent_record_id == acme.record_id
    assert "2026-03-04 15:30 UTC" in stored.content_plaintext
    assert "- ada@acme.com" in stored.content_markdown
    assert "- Grace Hopper" in stored.content_markdown
    assert "renew **early**" in stored.content_markdown
    assert (stored.created_at or "").startswith("2026-03-04T15:30")


def test_meeting_note_rerun_returns_the_same_note(
    services: Services, client: AttioClient, app: EmulatorApp
) -> None:
    ada = services.people.upsert(email="ada@acme.com", name="Ada Lovelace")
    args = ("people", ada.record_id, "Intro call", date(2026, 1, 5), ["Ada"], "Went well.")
    first = record_meeting_note(services, *args)
    before = len(writes(app))
    again = record_meeting_note(services, *args)
    assert again.note.id == first.note.id
    assert (again.created, again.differs) == (False, False)
    assert len(writes(app)) == before
    other_day = record_meeting_note(
        services, "people", ada.record_id, "Intro call", date(2026, 1, 6), ["Ada"], "Again."
    )
    assert other_day.created and other_day.note.id != first.note.id
    notes = list(client.notes.iter(parent_object="people", parent_record_id=ada.record_id))
    assert len(notes) == 2


def test_meeting_note_in_the_future_is_refused(services: Services, app: EmulatorApp) -> None:
    acme = services.companies.upsert("acme.com", "Acme")
    before = len(writes(app))
    with pytest.raises(ServiceError, match="in the future"):
        record_meeting_note(
            services, "companies", acme.record_id, "Later", date(2999, 1, 1), [], "x"
        )
    assert len(writes(app)) == before


def test_meeting_note_rerun_with_other_notes_or_attendees_says_it_differs(
    services: Services, client: AttioClient, app: EmulatorApp
) -> None:
    """The same meeting again with other notes, or other attendees, writes nothing (a note
    cannot be edited) and says the note found differs; re-spacing alone is not a difference."""
    acme = services.companies.upsert("acme.com", "Acme")
    args = ("companies", acme.record_id, "Security review", date(2026, 11, 20))
    first = record_meeting_note(services, *args, ["Priya"], "## Outcomes\n\n- SSO is a must")
    before = len(writes(app))
    other_notes = record_meeting_note(services, *args, ["Priya"], "Totally different notes")
    other_people = record_meeting_note(
        services, *args, ["Priya", "Grace"], "## Outcomes\n\n- SSO is a must"
    )
    respaced = record_meeting_note(services, *args, ["Priya"], "## Outcomes\n- SSO is a must\n\n")
    assert len(writes(app)) == before
    for found in (other_notes, other_people):
        assert found.note.id == first.note.id
        assert (found.created, found.differs) == (False, True)
    assert (respaced.created, respaced.differs) == (False, False)


def test_meeting_note_without_content_is_refused(services: Services, app: EmulatorApp) -> None:
    acme = services.companies.upsert("acme.com", "Acme")
    before = len(writes(app))
    with pytest.raises(ServiceError, match="no notes"):
        record_meeting_note(
            services, "companies", acme.record_id, "Empty", date(2026, 1, 5), ["Ada"], " \n"
        )
    assert len(writes(app)) == before


# -- deal pipeline -------------------------------------------------------------------------------
def run_pipeline(
    services: Services, member_email: str, *, stage: str = "Lead", assignee: str | None = None
) -> DealPipelineResult:
    """The deal pipeline for "Acme renewal" on acme.com, into ``big_deals``."""
    return run_deal_pipeline(
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


def test_deal_pipeline_creates_deal_entry_task_and_note(
    services: Services, client: AttioClient, member_email: str
) -> None:
    result = run_pipeline(services, member_email)
    assert result.created == ("deal", "entry", "task", "note")
    deal = decode_record(services.schema, client.records.get("deals", result.deal.record_id))
    assert deal["name"] == "Acme renewal"
    assert deal["stage"] == "Lead"
    assert deal["value"] == 12000
    assert deal["close_date"] == date(2026, 12, 31)
    acme = services.companies.find_by_domain("acme.com")
    assert acme is not None
    assert deal["associated_company"] == acme.record_id
    entries = list(client.records.iter_entries("deals", result.deal.record_id))
    assert [e.list_api_slug for e in entries] == ["big_deals"]
    tasks = list(client.tasks.iter(linked_object="deals", linked_record_id=result.deal.record_id))
    assert [t.content_plaintext for t in tasks] == ["Follow up on Acme renewal"]
    assert tasks[0].deadline_at is not None
    notes = list(client.notes.iter(parent_object="deals", parent_record_id=result.deal.record_id))
    assert [n.title for n in notes] == ["Deal context: Acme renewal"]
    assert "Budget **approved**." in notes[0].content_markdown


def test_deal_pipeline_rerun_creates_nothing(
    services: Services, client: AttioClient, app: EmulatorApp, member_email: str
) -> None:
    first = run_pipeline(services, member_email)
    before = len(writes(app))
    again = run_pipeline(services, member_email)
    assert again.created == ()
    assert again.deal.record_id == first.deal.record_id
    # The only write of the re-run is the entry's assert, which changes nothing.
    assert writes(app)[before:] == [("PUT", "/v2/lists/big_deals/entries")]
    assert len(list(client.records.iter("deals"))) == 1
    assert len(list(client.entries.iter("big_deals"))) == 1
    assert len(list(client.tasks.iter())) == 1
    assert len(list(client.notes.iter(parent_object="deals"))) == 1


def test_deal_pipeline_unknown_assignee_writes_nothing(
    services: Services, app: EmulatorApp, member_email: str
) -> None:
    with pytest.raises(ServiceError, match=r"nobody@example\.com"):
        run_pipeline(services, member_email, assignee="nobody@example.com")
    assert writes(app) == []


def test_deal_pipeline_unknown_stage_writes_nothing(
    services: Services, app: EmulatorApp, member_email: str
) -> None:
    with pytest.raises(ValuesError, match="Nope"):
        run_pipeline(services, member_email, stage="Nope")
    assert [w for w in writes(app) if "/deals/" in w[1]] == []


def test_advance_deal_sets_stage_and_probability(
    services: Services, client: AttioClient, member_email: str
) -> None:
    result = run_pipeline(services, member_email)
    advance_deal(services, result.deal.record_id, "In Progress", probability=0.6)
    advance_deal(services, result.deal.record_id, "In Progress", probability=0.6)
    deal = decode_record(services.schema, client.records.get("deals", result.deal.record_id))
    assert deal["stage"] == "In Progress"
    assert deal["probability"] == 0.6
    with pytest.raises(ValuesError, match="Lead"):
        advance_deal(services, result.deal.record_id, "Nowhere")


def test_deal_pipeline_checks_inputs_when_the_deal_exists(
    services: Services, client: AttioClient, app: EmulatorApp, member_email: str
) -> None:
    """A re-run with a bad stage, value or owner fails as a first run does, before any write."""
    first = run_pipeline(services, member_email)
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
            run_deal_pipeline(services, **args)  # type: ignore[arg-type]
    assert len(writes(app)) == before
    row = decode_record(services.schema, client.records.get("deals", first.deal.record_id))
    assert row["stage"] == "Lead"


def test_deal_pipeline_rerun_reports_values_it_does_not_apply(
    services: Services, client: AttioClient, member_email: str
) -> None:
    """The deal found keeps its stage, value and close date; the run lists each given value
    that differs, and none when they match."""
    first = run_pipeline(services, member_email)
    again = run_deal_pipeline(
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
    row = decode_record(services.schema, client.records.get("deals", first.deal.record_id))
    assert (row["stage"], row["value"], row["close_date"]) == ("Lead", 12000, date(2026, 12, 31))
    same = run_deal_pipeline(
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


def test_advance_deal_refuses_a_probability_outside_0_to_1(
    services: Services, client: AttioClient, app: EmulatorApp, member_email: str
) -> None:
    result = run_pipeline(services, member_email)
    before = len(writes(app))
    for wrong in (60, -0.1, 1.01, float("nan")):
        with pytest.raises(ServiceError, match=r"0\.6 for 60%"):
            advance_deal(services, result.deal.record_id, "In Progress", probability=wrong)
    assert len(writes(app)) == before
    advance_deal(services, result.deal.record_id, "In Progress", probability=1)
    row = decode_record(services.schema, client.records.get("deals", result.deal.record_id))
    assert (row["stage"], row["probability"]) == ("In Progress", 1)


def test_move_between_lists_is_safe_to_rerun(services: Services, client: AttioClient) -> None:
    acme = services.companies.upsert("acme.com", "Acme")
    services.lists.assert_entry("prospects", acme, {"stage": "Lead"})
    move_between_lists(services, acme, "prospects", "pipeline", {"stage": "Qualified"})
    move_between_lists(services, acme, "prospects", "pipeline", {"stage": "Qualified"})
    slugs = [e.list_api_slug for e in client.records.iter_entries("companies", acme.record_id)]
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


def test_qualify_lead_scores_sets_status_lists_tasks_and_notes(
    services: Services, client: AttioClient, member_email: str
) -> None:
    monday = date(2026, 11, 20)  # a Friday: the task is due on Monday
    result = qualify_lead(services, FORM, RULES, "prospects", member_email, today=monday)
    assert result.score == 55
    assert result.status == "Hot"
    assert [r.points for r in result.reasons] == [30, 20, 5, 0]
    assert result.created == ("company", "entry", "task", "note")
    company = decode_record(
        services.schema, client.records.get("companies", result.company.record_id)
    )
    assert company["name"] == "Globex"
    assert company["domains"] == ["globex.io"]
    assert company["lead_status"] == "Hot"
    slugs = [
        e.list_api_slug for e in client.records.iter_entries("companies", company["record_id"])
    ]
    assert slugs == ["prospects"]
    (task,) = client.tasks.iter(linked_object="companies", linked_record_id=company["record_id"])
    assert task.content_plaintext == "Qualify lead Globex"
    assert (task.deadline_at or "").startswith("2026-11-23")
    assert len(task.assignees) == 1
    (note,) = client.notes.iter(parent_object="companies", parent_record_id=company["record_id"])
    assert "employees at least 50: +30" in note.content_plaintext
    assert "based in France: 0" in note.content_plaintext
    assert "Score: 55" in note.content_plaintext


def test_qualify_lead_finds_the_company_and_reruns_without_duplicates(
    services: Services, client: AttioClient, member_email: str
) -> None:
    services.companies.upsert("globex.io", "Globex Corporation")
    first = qualify_lead(services, FORM, RULES, "prospects", member_email)
    assert first.created == ("entry", "task", "note")
    again = qualify_lead(services, FORM, RULES, "prospects", member_email)
    assert again.created == ()
    assert len(list(client.records.iter("companies"))) == 1
    company = decode_record(services.schema, again.company)
    assert company["name"] == "Globex Corporation"  # an existing name is kept
    assert len(list(client.entries.iter("prospects"))) == 1
    assert len(list(client.tasks.iter())) == 1
    assert len(list(client.notes.iter(parent_object="companies"))) == 1


def test_qualify_lead_domain_from_email_and_lower_tier(
    services: Services, member_email: str
) -> None:
    form = {"company": "Tiny", "email": "jo@tiny.dev", "employees": 3}
    result = qualify_lead(services, form, RULES, "prospects", member_email)
    assert result.score == 5
    assert result.status == "Cold"
    assert decode_record(services.schema, result.company)["domains"] == ["tiny.dev"]


def test_qualify_lead_without_status_attribute_is_a_clear_error(
    services: Services, app: EmulatorApp, member_email: str
) -> None:
    rules = ScoringRules(RULES.rules, RULES.tiers, status_attribute="qualification")
    with pytest.raises(ServiceError, match="no status or select attribute qualification"):
        qualify_lead(services, FORM, rules, "prospects", member_email)
    assert writes(app) == []


def test_qualify_lead_status_not_an_option_writes_nothing(
    services: Services, app: EmulatorApp, member_email: str
) -> None:
    rules = ScoringRules(RULES.rules, ((0, "Lukewarm"),))
    with pytest.raises(ServiceError, match="Lukewarm"):
        qualify_lead(services, FORM, rules, "prospects", member_email)
    assert writes(app) == []


def test_qualify_lead_checks_every_tier_not_only_the_one_reached(
    services: Services, app: EmulatorApp, member_email: str
) -> None:
    """A tier no lead has reached yet is checked too: this Cold lead is refused because of the
    Scorching tier, with the options named, before any write."""
    rules = ScoringRules(RULES.rules, ((90, "Scorching"), *RULES.tiers))
    form = {"company": "Tiny", "email": "jo@tiny.dev"}
    with pytest.raises(ServiceError) as caught:
        qualify_lead(services, form, rules, "prospects", member_email)
    message = str(caught.value)
    assert "'Scorching'" in message and "lead_status (Hot, Warm, Cold)" in message
    assert writes(app) == []
    assert qualify_lead(services, form, RULES, "prospects", member_email).status == "Cold"


def test_qualify_lead_without_domain_is_a_clear_error(
    services: Services, member_email: str
) -> None:
    with pytest.raises(ServiceError, match="no website or domain"):
        qualify_lead(services, {"company": "Nameless"}, RULES, "prospects", member_email)


def test_rule_with_unknown_op_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown rule op"):
        Rule("employees", "more_than", 5, points=1)


# -- deal stage automation -----------------------------------------------------------------------
def make_deal(
    services: Services, member_email: str, name: str, close_date: date | None = None
) -> str:
    deal = services.deals.create(name, 1000, "Lead", close_date, owner=member_email)
    return deal.record_id


def stage_of(services: Services, client: AttioClient, deal_id: str) -> object:
    return decode_record(services.schema, client.records.get("deals", deal_id))["stage"]


def test_advance_stale_deals_dry_run_lists_changes_and_writes_nothing(
    services: Services, client: AttioClient, app: EmulatorApp, member_email: str
) -> None:
    ready = make_deal(services, member_email, "Ready", close_date=date(2026, 12, 1))
    make_deal(services, member_email, "No close date")
    app.state.journal.entries.clear()
    changes = advance_stale_deals(
        services, "Lead", "In Progress", 7, ["close_date"], 3, dry_run=True
    )
    assert [(c.deal_id, c.name, c.to_stage) for c in changes] == [(ready, "Ready", "In Progress")]
    assert writes(app) == []
    assert stage_of(services, client, ready) == "Lead"


def test_advance_stale_deals_advances_tasks_notes_and_moves_entries(
    services: Services, client: AttioClient, member_email: str
) -> None:
    client.lists.create(name="Active deals", api_slug="active_deals", parent_object="deals")
    ready = make_deal(services, member_email, "Ready", close_date=date(2026, 12, 1))
    bare = make_deal(services, member_email, "No close date")
    services.lists.add("big_deals", ready)
    now = datetime.now(UTC)
    changes = advance_stale_deals(
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
    assert stage_of(services, client, ready) == "In Progress"
    assert stage_of(services, client, bare) == "Lead"
    slugs = [e.list_api_slug for e in client.records.iter_entries("deals", ready)]
    assert slugs == ["active_deals"]
    (task,) = client.tasks.iter(linked_object="deals", linked_record_id=ready)
    assert task.content_plaintext == "Follow up: Ready moved to In Progress"
    assert (task.deadline_at or "").startswith((now + timedelta(days=3)).date().isoformat())
    (note,) = client.notes.iter(parent_object="deals", parent_record_id=ready)
    assert note.title == "Stage automation: Lead to In Progress"
    assert "close_date" in note.content_plaintext
    again = advance_stale_deals(services, "Lead", "In Progress", 7, ["close_date"], 3, now=now)
    assert again == []
    assert len(list(client.tasks.iter())) == 1
    assert len(list(client.notes.iter(parent_object="deals"))) == 1


def test_advance_stale_deals_skips_deals_without_recent_activity(
    services: Services, client: AttioClient, member_email: str
) -> None:
    deal = make_deal(services, member_email, "Old", close_date=date(2026, 12, 1))
    later = datetime.now(UTC) + timedelta(days=30)
    assert advance_stale_deals(services, "Lead", "In Progress", 7, [], 3, now=later) == []
    assert stage_of(services, client, deal) == "Lead"
    found = advance_stale_deals(services, "Lead", "In Progress", 60, [], 3, now=later)
    assert [c.deal_id for c in found] == [deal]


def test_advance_stale_deals_rejects_unknown_stage_and_field(
    services: Services, app: EmulatorApp
) -> None:
    with pytest.raises(ValuesError, match="Nowhere"):
        advance_stale_deals(services, "Lead", "Nowhere", 7, [], 3)
    with pytest.raises(ServiceError, match="'budget'"):
        advance_stale_deals(services, "Lead", "In Progress", 7, ["budget"], 3)
    with pytest.raises(ServiceError, match=r"ghost@example\.com"):
        advance_stale_deals(
            services, "Lead", "In Progress", 7, [], 3, assignees=["ghost@example.com"]
        )
    with pytest.raises(ServiceError, match="would stay in 'lead'"):
        advance_stale_deals(services, "Lead", "lead", 7, [], 3)
    with pytest.raises(ServiceError, match="would stay in 'big_deals'"):
        advance_stale_deals(
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
