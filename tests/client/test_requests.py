"""What the client puts on the wire: arguments not given are not sent (STYLE rule 5).

Query strings are read from the emulator's journal; bodies, which the journal does not keep,
from ``RecordingTransport``, which passes each request on to the emulator and keeps a copy.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import httpx
import orjson
import pytest

from attio_bridge.client import NOT_GIVEN, AsyncAttioClient

from ._factories import attribute_body, meeting_body, person
from ._target import Target, unique

pytestmark = pytest.mark.anyio


def body(request: httpx.Request) -> Any:
    """The JSON body of a recorded request."""
    return orjson.loads(request.content) if request.content else None


def last_query(target: Target) -> dict[str, list[str]]:
    """The query parameters of the last request the emulator received."""
    return parse_qs(target.journal()[-1]["query"], keep_blank_values=True)


@pytest.mark.operation("GET /v2/notes", "GET /v2/tasks", "GET /v2/{target}/{identifier}/attributes")
async def test_list_arguments_not_given_leave_the_query_string_empty(
    aclient: AsyncAttioClient, target: Target
) -> None:
    await aclient.notes.list()
    assert target.journal()[-1]["query"] == ""
    await aclient.tasks.list()
    assert target.journal()[-1]["query"] == ""
    await aclient.attributes.list("objects", "people")
    assert target.journal()[-1]["query"] == ""
    # Passing NOT_GIVEN explicitly is the same as leaving the argument out.
    await aclient.notes.list(limit=NOT_GIVEN, offset=3)
    assert last_query(target) == {"offset": ["3"]}


@pytest.mark.operation("GET /v2/tasks", "GET /v2/{target}/{identifier}/attributes")
async def test_given_query_arguments_are_sent_in_attios_spelling(
    aclient: AsyncAttioClient, target: Target
) -> None:
    await aclient.tasks.list(is_completed=False, sort="created_at:desc", limit=5)
    assert last_query(target) == {
        "is_completed": ["false"],
        "sort": ["created_at:desc"],
        "limit": ["5"],
    }
    # API-NOTES §1: assignee "null" asks for unassigned tasks; None is how the client says it.
    await aclient.tasks.list(assignee=None)
    assert last_query(target) == {"assignee": ["null"]}
    await aclient.attributes.list("objects", "people", show_archived=True)
    assert last_query(target) == {"show_archived": ["true"]}


@pytest.mark.operation("GET /v2/meetings")
async def test_meeting_participants_go_as_one_comma_separated_parameter(
    aclient: AsyncAttioClient, target: Target
) -> None:
    emails = ["a@example.com", "b@example.com", "c@example.com"]
    for i, email in enumerate(emails):
        participant = {"email_address": email, "is_organizer": True, "status": "accepted"}
        await aclient.meetings.create_or_find(meeting_body(f"ref-{i}", participants=[participant]))
    # API-NOTES §1: participants is a CSV of emails. Repeated parameters would be read as one.
    found = [m async for m in aclient.meetings.iter(participants=emails[:2])]
    assert sorted(m.participants[0].email_address or "" for m in found) == emails[:2]
    assert last_query(target)["participants"] == ["a@example.com,b@example.com"]


@pytest.mark.operation(
    "POST /v2/objects/{object}/records/query",
    "PATCH /v2/objects/{object}",
    "PATCH /v2/tasks/{task_id}",
    "PATCH /v2/webhooks/{webhook_id}",
    "PATCH /v2/{target}/{identifier}/attributes/{attribute}/options/{option}",
    "POST /v2/{target}/{identifier}/attributes/{attribute}/statuses",
    "POST /v2/notes",
)
async def test_body_fields_not_given_are_left_out_and_none_is_sent(target: Target) -> None:
    attio, sent = target.recording_async_client()
    async with attio:
        await attio.records.query("people")
        assert body(sent[-1]) == {}
        await attio.records.query("people", limit=2)
        assert body(sent[-1]) == {"limit": 2}

        slug = unique("widgets")
        await attio.objects.create(api_slug=slug, singular_noun="Widget", plural_noun="Widgets")
        await attio.objects.update(slug, plural_noun="Gizmos")
        assert body(sent[-1]) == {"data": {"plural_noun": "Gizmos"}}

        task = await attio.tasks.create(content="x", deadline_at="2030-01-01T00:00:00Z")
        await attio.tasks.update(task.id["task_id"], is_completed=True)
        assert body(sent[-1]) == {"data": {"is_completed": True}}
        # None is a value: it clears the deadline, so it is sent as null.
        cleared = await attio.tasks.update(task.id["task_id"], deadline_at=None)
        assert body(sent[-1]) == {"data": {"deadline_at": None}}
        assert cleared.deadline_at is None

        hook = await attio.webhooks.create(
            target_url="https://example.com/hook",
            subscriptions=[{"event_type": "workspace-member.created", "filter": None}],
        )
        await attio.webhooks.update(hook.id["webhook_id"], target_url="https://example.com/new")
        assert body(sent[-1]) == {"data": {"target_url": "https://example.com/new"}}

        await attio.attributes.create("objects", "people", attribute_body("tier", "select"))
        await attio.attributes.create_option("objects", "people", "tier", title="Gold")
        await attio.attributes.update_option("objects", "people", "tier", "Gold", is_archived=True)
        assert body(sent[-1]) == {"data": {"is_archived": True}}

        lst = unique("list")
        await attio.lists.create(name="L", api_slug=lst, parent_object="people")
        await attio.attributes.create("lists", lst, attribute_body("stage", "status"))
        await attio.attributes.create_status("lists", lst, "stage", title="Open")
        assert body(sent[-1]) == {"data": {"title": "Open"}}

        record = await person(attio)
        await attio.notes.create(
            parent_object="people", parent_record_id=record.record_id, title="t", content="c"
        )
        assert set(body(sent[-1])["data"]) == {
            "parent_object",
            "parent_record_id",
            "title",
            "format",
            "content",
        }


@pytest.mark.operation("PATCH /v2/{target}/{identifier}/attributes/{attribute}/statuses/{status}")
async def test_titles_in_paths_are_escaped(aclient: AsyncAttioClient, target: Target) -> None:
    lst = unique("list")
    await aclient.lists.create(name="L", api_slug=lst, parent_object="people")
    await aclient.attributes.create("lists", lst, attribute_body("stage", "status"))
    await aclient.attributes.create_status("lists", lst, "stage", title="In review?")
    # A title with a space and a "?" must reach Attio as one path segment, not a query.
    renamed = await aclient.attributes.update_status(
        "lists", lst, "stage", "In review?", {"title": "Reviewed"}
    )
    assert renamed.title == "Reviewed"
    assert target.journal()[-1]["query"] == ""
