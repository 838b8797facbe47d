"""Notes (Markdown or plain text, backdated) and tasks (linked records, assignees by email, due
dates), and the deadline helpers across weekends and time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.client.models import Record
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.services import (
    AsyncServices,
    ServiceError,
    Services,
    in_days,
    next_business_day,
)
from attio_bridge.values import ValuesError

from .conftest import writes

pytestmark = pytest.mark.anyio
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
FRIDAY = date(2026, 11, 20)


def _utc(text: str | None) -> datetime:
    assert text is not None
    return datetime.fromisoformat(text)


@pytest.fixture
async def ada(aservices: AsyncServices) -> Record:
    return await aservices.people.upsert(email="ada@acme.com", name="Ada Lovelace")


# -- notes ---------------------------------------------------------------------------------------
async def test_markdown_note_backdated(aservices: AsyncServices, ada: Record) -> None:
    when = datetime(2024, 5, 1, 9, 30, tzinfo=LONDON)
    note = await aservices.notes.create(
        "people", ada, "Kickoff", "# Agenda\n\n- **scope**\n- dates", markdown=True, created_at=when
    )
    assert note.parent_object == "people" and note.parent_record_id == ada.record_id
    assert note.title == "Kickoff"
    assert "# Agenda" in note.content_markdown
    assert "scope" in note.content_plaintext and "**" not in note.content_plaintext
    assert _utc(note.created_at) == when


async def test_plain_note(aservices: AsyncServices, ada: Record) -> None:
    note = await aservices.notes.create("people", ada.record_id, "Call", "**not bold**")
    assert note.content_plaintext == "**not bold**"


async def test_note_errors(aservices: AsyncServices, app: EmulatorApp, ada: Record) -> None:
    app.state.journal.entries.clear()
    future = datetime.now(UTC) + timedelta(days=2)
    with pytest.raises(ValuesError) as caught:
        await aservices.notes.create("people", ada, "Later", "x", created_at=future)
    assert [p.field for p in caught.value.problems] == ["created_at"]
    assert "between 1970-01-01 and now" in caught.value.problems[0].fix
    with pytest.raises(ValuesError, match="ISO 8601"):
        await aservices.notes.create("people", ada, "When?", "x", created_at="last tuesday")
    with pytest.raises(ServiceError, match=r"no object 'persons'.*people"):
        await aservices.notes.create("persons", ada, "Kickoff", "x")
    assert writes(app) == []


# -- tasks ---------------------------------------------------------------------------------------
async def test_task_with_links_assignees_and_deadline(
    aservices: AsyncServices, client: AttioClient, ada: Record, member_email: str
) -> None:
    acme = await aservices.companies.upsert("acme.com")
    due = next_business_day(datetime(2026, 11, 20, 16, 0, tzinfo=LONDON), LONDON)
    task = await aservices.tasks.create(
        "Send the proposal",
        linked_records=[ada, ("companies", acme.record_id)],
        assignees=[member_email.upper()],
        due=due,
    )
    member = client.workspace_members.list()[0]
    assert task.content_plaintext == "Send the proposal"
    assert _utc(task.deadline_at) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert {link["target_record_id"] for link in task.linked_records} == {
        ada.record_id,
        acme.record_id,
    }
    assert [a["referenced_actor_id"] for a in task.assignees] == [member.id["workspace_member_id"]]
    done = await aservices.tasks.complete(task.id["task_id"])
    assert done.is_completed


async def test_task_without_deadline_or_links(aservices: AsyncServices) -> None:
    task = await aservices.tasks.create("Think")
    assert (task.deadline_at, task.linked_records, task.assignees) == (None, [], [])


async def test_task_errors_are_reported_together(
    aservices: AsyncServices, app: EmulatorApp, member_email: str
) -> None:
    with pytest.raises(ValuesError) as caught:
        await aservices.tasks.create(
            "x" * 2001,
            linked_records=[("persons", "0b5c8f2e-3f1a-4c4e-9a57-000000000000"), 42],
            assignees=["nobody@acme.com"],
            due="soon",
        )
    fields = [p.field for p in caught.value.problems]
    assert fields == ["content", "linked_records", "linked_records", "assignees", "due"]
    by_field = {p.field: p for p in caught.value.problems}
    assert member_email in by_field["assignees"].fix
    assert "people" in by_field["linked_records"].fix
    assert writes(app) == []


# -- deadline helpers ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2026, 11, 16), date(2026, 11, 17)),  # Monday -> Tuesday
        (date(2026, 11, 19), date(2026, 11, 20)),  # Thursday -> Friday
        (FRIDAY, date(2026, 11, 23)),  # Friday -> Monday
        (date(2026, 11, 21), date(2026, 11, 23)),  # Saturday -> Monday
        (date(2026, 11, 22), date(2026, 11, 23)),  # Sunday -> Monday
    ],
)
def test_next_business_day_skips_weekends(start: date, expected: date) -> None:
    due = next_business_day(start, "Europe/London")
    assert due == datetime.combine(expected, time(9, 0), tzinfo=LONDON)


def test_next_business_day_converts_to_the_zone_first() -> None:
    # Thursday 20:00 in New York is already Friday 01:00 in London, so the next business day
    # is Friday in New York but Monday in London.
    thursday_evening = datetime(2026, 11, 19, 20, 0, tzinfo=NEW_YORK)
    assert next_business_day(thursday_evening, NEW_YORK).date() == FRIDAY
    assert next_business_day(thursday_evening, "Europe/London").date() == date(2026, 11, 23)
    assert next_business_day(FRIDAY, at=time(17, 30)) == datetime(2026, 11, 23, 17, 30, tzinfo=UTC)


def test_in_days_calendar_and_business() -> None:
    start = datetime(2026, 11, 20, 15, 45, tzinfo=timezone(timedelta(hours=1)))
    assert in_days(3, start, "UTC") == datetime(2026, 11, 23, 14, 45, tzinfo=UTC)
    assert in_days(1, FRIDAY, LONDON, business_days=True) == datetime(
        2026, 11, 23, 0, 0, tzinfo=LONDON
    )
    assert in_days(3, FRIDAY, business_days=True, at=time(9)).date() == date(2026, 11, 25)
    assert in_days(5, FRIDAY, business_days=True).date() == date(2026, 11, 27)
    assert in_days(-1, date(2026, 11, 23), business_days=True).date() == FRIDAY


def test_in_days_keeps_the_wall_time_across_a_clock_change() -> None:
    # London leaves summer time on 2026-10-25: the same 09:00, one hour more in UTC.
    before = datetime(2026, 10, 23, 9, 0, tzinfo=LONDON)
    after = in_days(3, before, LONDON)
    assert after.hour == 9
    assert after.astimezone(UTC).hour == 9 and before.astimezone(UTC).hour == 8


# -- sync ----------------------------------------------------------------------------------------
def test_sync_notes_and_tasks(services: Services, member_email: str) -> None:
    ada = services.people.upsert(email="ada@acme.com")
    note = services.notes.create(
        "people", ada, "Met", "Met *Ada*", markdown=True, created_at=date(2025, 1, 2)
    )
    assert _utc(note.created_at) == datetime(2025, 1, 2, tzinfo=UTC)
    task = services.tasks.create(
        "Follow up",
        linked_records=[ada],
        assignees=[member_email],
        due=in_days(2, FRIDAY, business_days=True, at=time(12)),
    )
    assert _utc(task.deadline_at) == datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    with pytest.raises(ValuesError, match="assignees"):
        services.tasks.create("x", assignees=["ghost@acme.com"])
