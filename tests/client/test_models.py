"""The response models keep everything Attio sends, fields they do not declare included.

STYLE rule 6: the real API returns more than its spec says, so models use ``extra="allow"``.
Each test reads a raw response with ``client.request`` and checks that the model built from it
gives back exactly that JSON: no field dropped, renamed or reshaped, declared or not.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from attio_bridge.client import AsyncAttioClient
from attio_bridge.client import models as m

from ._factories import attribute_body, meeting_body, member_id, people_list, person
from ._target import unique

pytestmark = pytest.mark.anyio


def assert_round_trip(model: type[BaseModel], raw: Any) -> BaseModel:
    """``model`` built from ``raw`` dumps back to ``raw``."""
    built = model.model_validate(raw)
    assert built.model_dump(mode="json", exclude_unset=True) == raw
    return built


@pytest.mark.operation(
    "GET /v2/self",
    "GET /v2/objects/{object}",
    "GET /v2/{target}/{identifier}/attributes/{attribute}",
    "GET /v2/{target}/{identifier}/attributes/{attribute}/options",
    "GET /v2/{target}/{identifier}/attributes/{attribute}/statuses",
    "GET /v2/objects/{object}/records/{record_id}",
    "GET /v2/lists/{list}",
    "GET /v2/lists/{list}/entries/{entry_id}",
    "GET /v2/objects/{object}/records/{record_id}/entries",
    "POST /v2/objects/records/search",
    "GET /v2/workspace_members/{workspace_member_id}",
)
async def test_schema_records_and_lists_round_trip(aclient: AsyncAttioClient) -> None:
    get = aclient.request
    assert_round_trip(m.Self, await get("GET", "/v2/self"))
    assert_round_trip(m.AttioObject, (await get("GET", "/v2/objects/people"))["data"])
    attr = (await get("GET", "/v2/objects/people/attributes/email_addresses"))["data"]
    assert_round_trip(m.Attribute, attr)
    await aclient.attributes.create("objects", "people", attribute_body("tier", "select"))
    await aclient.attributes.create_option("objects", "people", "tier", title="Gold")
    options = await get("GET", "/v2/objects/people/attributes/tier/options")
    assert_round_trip(m.SelectOption, options["data"][0])
    statuses = await get("GET", "/v2/objects/deals/attributes/stage/statuses")
    assert_round_trip(m.Status, statuses["data"][0])

    record = await person(aclient, job_title="Engineer")
    raw = await get("GET", f"/v2/objects/people/records/{record.record_id}")
    assert_round_trip(m.Record, raw["data"])
    slug = await people_list(aclient)
    assert_round_trip(m.AttioList, (await get("GET", f"/v2/lists/{slug}"))["data"])
    entry = await aclient.entries.create(
        slug, parent_record_id=record.record_id, parent_object="people"
    )
    raw = await get("GET", f"/v2/lists/{slug}/entries/{entry.entry_id}")
    assert_round_trip(m.Entry, raw["data"])
    raw = await get("GET", f"/v2/objects/people/records/{record.record_id}/entries")
    assert_round_trip(m.RecordEntry, raw["data"][0])
    email = record.values["email_addresses"][0]["email_address"]
    body = {"query": email, "objects": ["people"], "request_as": {"type": "workspace"}}
    hits = await get("POST", "/v2/objects/records/search", json=body)
    assert_round_trip(m.SearchResult, hits["data"][0])
    member = await member_id(aclient)
    assert_round_trip(
        m.WorkspaceMember, (await get("GET", f"/v2/workspace_members/{member}"))["data"]
    )


@pytest.mark.operation(
    "GET /v2/notes/{note_id}",
    "GET /v2/tasks/{task_id}",
    "GET /v2/threads/{thread_id}",
    "GET /v2/comments/{comment_id}",
    "GET /v2/meetings/{meeting_id}",
    "GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}",
    "GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}/transcript",
    "GET /v2/webhooks/{webhook_id}",
    "POST /v2/objects/{object}/records/merge",
)
async def test_activity_meetings_and_webhooks_round_trip(aclient: AsyncAttioClient) -> None:
    get = aclient.request
    record = await person(aclient)
    note = await aclient.notes.create(
        parent_object="people", parent_record_id=record.record_id, title="t", content="c"
    )
    assert_round_trip(m.Note, (await get("GET", f"/v2/notes/{note.id['note_id']}"))["data"])
    task = await aclient.tasks.create(content="x")
    assert_round_trip(m.Task, (await get("GET", f"/v2/tasks/{task.id['task_id']}"))["data"])
    author = {"type": "workspace-member", "id": await member_id(aclient)}
    comment = await aclient.comments.create(
        {
            "content": "hi",
            "author": author,
            "record": {"object": "people", "record_id": record.record_id},
        }
    )
    raw = await get("GET", f"/v2/comments/{comment.id['comment_id']}")
    assert_round_trip(m.Comment, raw["data"])
    assert_round_trip(m.Thread, (await get("GET", f"/v2/threads/{comment.thread_id}"))["data"])

    meeting = await aclient.meetings.create_or_find(meeting_body(unique("event")))
    meeting_path = f"/v2/meetings/{meeting.id['meeting_id']}"
    assert_round_trip(m.Meeting, (await get("GET", meeting_path))["data"])
    rec = await aclient.call_recordings.create(
        meeting.id["meeting_id"], video_url="https://example.com/a.mp4"
    )
    rec_path = f"{meeting_path}/call_recordings/{rec.id['call_recording_id']}"
    assert_round_trip(m.CallRecording, (await get("GET", rec_path))["data"])
    assert_round_trip(m.TranscriptPage, (await get("GET", f"{rec_path}/transcript"))["data"])

    hook = await aclient.webhooks.create(
        target_url="https://example.com/hook",
        subscriptions=[{"event_type": "workspace-member.created", "filter": None}],
    )
    raw = await get("GET", f"/v2/webhooks/{hook.id['webhook_id']}")
    assert_round_trip(m.Webhook, raw["data"])

    other = await person(aclient)
    body = {"data": {"primary_record_id": record.record_id, "secondary_record_id": other.record_id}}
    merged = await get("POST", "/v2/objects/people/records/merge", json=body)
    assert_round_trip(m.MergeResult, merged["data"])


def test_fields_a_model_does_not_declare_are_kept_and_readable() -> None:
    raw = {
        "id": {"workspace_id": "w", "object_id": "o", "record_id": "r", "shard": 7},
        "values": {},
        "brand_new_field": {"nested": [1, 2]},
    }
    record = assert_round_trip(m.Record, raw)
    assert isinstance(record, m.Record)
    assert record.model_extra == {"brand_new_field": {"nested": [1, 2]}}
    assert record.id.model_extra == {"shard": 7}
    assert record.record_id == "r"
