"""``AttioClient``, the sync client generated from the async one: every resource, once.

The generator rewrites the async source (``scripts/gen_sync.py``), so one walk through
each resource, pagination included, shows that the generated code calls the same operations
and returns the same models. ``test_operations.py`` covers every operation in depth, async.
"""

from __future__ import annotations

from typing import Any

import pytest

from attio_bridge.client import AttioClient, NotFoundError
from attio_bridge.client.models import Record

from ._factories import attribute_body, meeting_body
from ._target import Target, unique


def person(client: AttioClient, **values: Any) -> Record:
    """A new person with a unique email address."""
    values.setdefault("email_addresses", [f"{unique('p')}@example.com"])
    return client.records.create("people", values)


@pytest.mark.real_attio
@pytest.mark.operation(
    "GET /v2/self",
    "GET /v2/workspace_members",
    "GET /v2/workspace_members/{workspace_member_id}",
    "GET /v2/objects",
    "GET /v2/objects/{object}",
)
def test_sync_workspace_reads(client: AttioClient) -> None:
    me = client.identify()
    members = client.workspace_members.list()
    assert me.active and members
    assert client.workspace_members.get(members[0].id["workspace_member_id"]).id == members[0].id
    assert "people" in {o.api_slug for o in client.objects.list()}
    assert client.objects.get("people").api_slug == "people"


@pytest.mark.operation("GET /scim/v2/Schemas", "POST /v2/objects", "PATCH /v2/objects/{object}")
def test_sync_scim_and_objects(client: AttioClient) -> None:
    assert client.scim.list_schemas()["totalResults"] >= 2
    slug = unique("widgets")
    client.objects.create(api_slug=slug, singular_noun="Widget", plural_noun="Widgets")
    assert client.objects.update(slug, plural_noun="Gizmos").plural_noun == "Gizmos"


@pytest.mark.operation(
    "POST /v2/{target}/{identifier}/attributes",
    "GET /v2/{target}/{identifier}/attributes",
    "GET /v2/{target}/{identifier}/attributes/{attribute}",
    "PATCH /v2/{target}/{identifier}/attributes/{attribute}",
    "POST /v2/{target}/{identifier}/attributes/{attribute}/options",
    "GET /v2/{target}/{identifier}/attributes/{attribute}/options",
    "PATCH /v2/{target}/{identifier}/attributes/{attribute}/options/{option}",
    "POST /v2/{target}/{identifier}/attributes/{attribute}/statuses",
    "GET /v2/{target}/{identifier}/attributes/{attribute}/statuses",
    "PATCH /v2/{target}/{identifier}/attributes/{attribute}/statuses/{status}",
    "POST /v2/lists",
)
def test_sync_attributes_options_statuses(client: AttioClient) -> None:
    client.attributes.create("objects", "people", attribute_body("tier", "select"))
    assert client.attributes.get("objects", "people", "tier").type == "select"
    client.attributes.update("objects", "people", "tier", {"title": "Level"})
    assert "tier" in {a.api_slug for a in client.attributes.list("objects", "people")}
    client.attributes.create_option("objects", "people", "tier", title="Gold")
    client.attributes.update_option("objects", "people", "tier", "Gold", title="Platinum")
    options = client.attributes.list_options("objects", "people", "tier")
    assert [o.title for o in options] == ["Platinum"]

    slug = unique("list")
    client.lists.create(name="Deals", api_slug=slug, parent_object="people")
    client.attributes.create("lists", slug, attribute_body("stage", "status"))
    client.attributes.create_status("lists", slug, "stage", title="Open")
    client.attributes.update_status("lists", slug, "stage", "Open", {"title": "Won"})
    assert [s.title for s in client.attributes.list_statuses("lists", slug, "stage")] == ["Won"]


@pytest.mark.real_attio
@pytest.mark.operation(
    "POST /v2/objects/{object}/records",
    "PUT /v2/objects/{object}/records",
    "GET /v2/objects/{object}/records/{record_id}",
    "PATCH /v2/objects/{object}/records/{record_id}",
    "PUT /v2/objects/{object}/records/{record_id}",
    "GET /v2/objects/{object}/records/{record_id}/attributes/{attribute}/values",
    "POST /v2/objects/{object}/records/query",
    "DELETE /v2/objects/{object}/records/{record_id}",
)
def test_sync_records(client: AttioClient, cleanup: list[Any]) -> None:
    email = f"{unique('ada')}@example.com"
    record = client.records.assert_record(
        "people", "email_addresses", {"email_addresses": [email], "job_title": "Engineer"}
    )
    cleanup.append(lambda: client.records.delete("people", record.record_id))
    again = person(client)
    cleanup.append(lambda: client.records.delete("people", again.record_id))
    client.records.update("people", record.record_id, {"job_title": "Lead"})
    client.records.overwrite("people", record.record_id, {"job_title": "Director"})
    got = client.records.get("people", record.record_id)
    assert got.values["job_title"][0]["value"] == "Director"
    history = client.records.get_attribute_values(
        "people", record.record_id, "job_title", show_historic=True
    )
    assert {v["value"] for v in history} >= {"Engineer", "Lead", "Director"}
    found = client.records.query("people", filter={"email_addresses": email})
    assert [r.record_id for r in found] == [record.record_id]
    client.records.delete("people", record.record_id)
    with pytest.raises(NotFoundError):
        client.records.get("people", record.record_id)


@pytest.mark.operation(
    "POST /v2/objects/{object}/records/query",
    "POST /v2/objects/records/search",
    "POST /v2/objects/{object}/records/merge",
)
def test_sync_record_iter_search_merge(client: AttioClient, target: Target) -> None:
    made = {person(client).record_id for _ in range(7)}
    assert {r.record_id for r in client.records.iter("people", page_size=3)} == made
    assert target.operations_called().count("POST /v2/objects/{object}/records/query") == 3
    a, b = (person(client, job_title="Searchable") for _ in range(2))
    email = a.values["email_addresses"][0]["email_address"]
    assert a.record_id in {h.id.record_id for h in client.records.search(email, ["people"])}
    merged = client.records.merge("people", a.record_id, b.record_id)
    assert client.records.get("people", merged.new_record_id).record_id == merged.new_record_id


@pytest.mark.operation(
    "GET /v2/lists",
    "GET /v2/lists/{list}",
    "PATCH /v2/lists/{list}",
    "POST /v2/lists/{list}/entries",
    "PUT /v2/lists/{list}/entries",
    "GET /v2/lists/{list}/entries/{entry_id}",
    "PATCH /v2/lists/{list}/entries/{entry_id}",
    "PUT /v2/lists/{list}/entries/{entry_id}",
    "GET /v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values",
    "POST /v2/lists/{list}/entries/query",
    "DELETE /v2/lists/{list}/entries/{entry_id}",
    "GET /v2/objects/{object}/records/{record_id}/entries",
)
def test_sync_lists_and_entries(client: AttioClient) -> None:
    slug = unique("list")
    created = client.lists.create(name="Pipeline", api_slug=slug, parent_object="people")
    assert client.lists.get(slug).id == created.id
    assert client.lists.update(slug, {"name": "Hiring"}).name == "Hiring"
    assert slug in {x.api_slug for x in client.lists.list()}
    client.attributes.create("lists", slug, attribute_body("score", "number"))
    records = [person(client) for _ in range(4)]
    entries = [
        client.entries.create(
            slug,
            parent_record_id=r.record_id,
            parent_object="people",
            entry_values={"score": i},
        )
        for i, r in enumerate(records)
    ]
    first = entries[0]
    asserted = client.entries.assert_entry(
        slug, parent_record_id=records[0].record_id, parent_object="people"
    )
    assert asserted.entry_id == first.entry_id
    client.entries.update(slug, first.entry_id, {"score": 10})
    client.entries.overwrite(slug, first.entry_id, {"score": 11})
    assert client.entries.get(slug, first.entry_id).entry_values["score"][0]["value"] == 11
    values = client.entries.list_attribute_values(slug, first.entry_id, "score")
    assert [v["value"] for v in values] == [11]
    high = client.entries.query(slug, filter={"score": {"$gte": 2}})
    assert {e.entry_id for e in high} == {e.entry_id for e in entries[:1] + entries[2:]}
    assert {e.entry_id for e in client.entries.iter(slug, page_size=3)} == {
        e.entry_id for e in entries
    }
    of_record = client.records.list_entries("people", records[0].record_id)
    assert [e.entry_id for e in of_record] == [first.entry_id]
    assert [e.entry_id for e in client.records.iter_entries("people", records[0].record_id)] == [
        first.entry_id
    ]
    client.entries.delete(slug, first.entry_id)
    with pytest.raises(NotFoundError):
        client.entries.get(slug, first.entry_id)


@pytest.mark.real_attio
@pytest.mark.operation(
    "POST /v2/notes",
    "GET /v2/notes",
    "GET /v2/notes/{note_id}",
    "DELETE /v2/notes/{note_id}",
    "POST /v2/tasks",
    "GET /v2/tasks",
    "GET /v2/tasks/{task_id}",
    "PATCH /v2/tasks/{task_id}",
    "DELETE /v2/tasks/{task_id}",
)
def test_sync_notes_and_tasks(client: AttioClient, cleanup: list[Any]) -> None:
    record = person(client)
    cleanup.append(lambda: client.records.delete("people", record.record_id))
    notes = []
    for i in range(3):
        note = client.notes.create(
            parent_object="people", parent_record_id=record.record_id, title=f"n{i}", content="."
        )
        cleanup.append(lambda n=note: client.notes.delete(n.id["note_id"]))
        notes.append(note.id)
    rid = record.record_id
    assert [n.id for n in client.notes.list(parent_object="people", parent_record_id=rid)] == notes
    assert [n.id for n in client.notes.iter(parent_object="people", parent_record_id=rid)] == notes
    assert client.notes.get(notes[0]["note_id"]).title == "n0"
    client.notes.delete(notes[0]["note_id"])

    link = [{"target_object": "people", "target_record_id": record.record_id}]
    task = client.tasks.create(content="Call back", linked_records=link)
    cleanup.append(lambda: client.tasks.delete(task.id["task_id"]))
    linked = client.tasks.list(linked_object="people", linked_record_id=rid)
    assert [t.id for t in linked] == [task.id]
    every = client.tasks.iter(linked_object="people", linked_record_id=rid)
    assert [t.id for t in every] == [task.id]
    assert client.tasks.update(task.id["task_id"], is_completed=True).is_completed
    assert client.tasks.get(task.id["task_id"]).is_completed
    client.tasks.delete(task.id["task_id"])
    with pytest.raises(NotFoundError):
        client.tasks.get(task.id["task_id"])


@pytest.mark.operation(
    "POST /v2/comments",
    "GET /v2/comments/{comment_id}",
    "GET /v2/threads",
    "GET /v2/threads/{thread_id}",
    "DELETE /v2/comments/{comment_id}",
)
def test_sync_threads_and_comments(client: AttioClient) -> None:
    record = person(client)
    author = {
        "type": "workspace-member",
        "id": client.workspace_members.list()[0].id["workspace_member_id"],
    }
    comment = client.comments.create(
        {
            "content": "Hi",
            "author": author,
            "record": {"object": "people", "record_id": record.record_id},
        }
    )
    assert client.comments.get(comment.id["comment_id"]).content_plaintext == "Hi"
    threads = client.threads.list(object="people", record_id=record.record_id)
    assert [t.id["thread_id"] for t in threads] == [comment.thread_id]
    assert len(client.threads.get(comment.thread_id).comments) == 1
    client.comments.delete(comment.id["comment_id"])
    assert client.threads.list(object="people", record_id=record.record_id) == []


@pytest.mark.operation(
    "POST /v2/meetings",
    "GET /v2/meetings/{meeting_id}",
    "GET /v2/meetings",
    "POST /v2/meetings/{meeting_id}/call_recordings",
    "GET /v2/meetings/{meeting_id}/call_recordings",
    "GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}",
    "GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}/transcript",
    "DELETE /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}",
)
def test_sync_meetings_and_recordings(client: AttioClient) -> None:
    made = [client.meetings.create_or_find(meeting_body(f"ref-{i}")) for i in range(3)]
    meeting_id = made[0].id["meeting_id"]
    assert client.meetings.get(meeting_id).id == made[0].id
    page, cursor = client.meetings.list_page(limit=2)
    assert len(page) == 2 and cursor is not None
    assert {m.id["meeting_id"] for m in client.meetings.iter()} == {
        m.id["meeting_id"] for m in made
    }
    rec = client.call_recordings.create(meeting_id, video_url="https://example.com/a.mp4")
    rec_id = rec.id["call_recording_id"]
    assert client.call_recordings.get(meeting_id, rec_id).id == rec.id
    assert [r.id for r in client.call_recordings.iter(meeting_id)] == [rec.id]
    assert [r.id for r in client.call_recordings.list_page(meeting_id)[0]] == [rec.id]
    segments = list(client.call_recordings.iter_transcript(meeting_id, rec_id))
    page_one, next_cursor = client.call_recordings.transcript_page(meeting_id, rec_id)
    assert next_cursor is not None and segments[: len(page_one.transcript)] == page_one.transcript
    client.call_recordings.delete(meeting_id, rec_id)
    with pytest.raises(NotFoundError):
        client.call_recordings.get(meeting_id, rec_id)


@pytest.mark.real_attio
@pytest.mark.operation(
    "POST /v2/webhooks",
    "GET /v2/webhooks",
    "GET /v2/webhooks/{webhook_id}",
    "PATCH /v2/webhooks/{webhook_id}",
    "DELETE /v2/webhooks/{webhook_id}",
)
def test_sync_webhooks(client: AttioClient, cleanup: list[Any]) -> None:
    subs = [{"event_type": "workspace-member.created", "filter": None}]
    hook = client.webhooks.create(
        target_url=f"https://example.com/{unique('hook')}", subscriptions=subs
    )
    hook_id = hook.id["webhook_id"]
    cleanup.append(lambda: client.webhooks.delete(hook_id))
    assert hook.secret and client.webhooks.get(hook_id).secret is None
    assert hook_id in {w.id["webhook_id"] for w in client.webhooks.list()}
    assert hook_id in {w.id["webhook_id"] for w in client.webhooks.iter()}
    assert client.webhooks.update(hook_id, subscriptions=subs).subscriptions == hook.subscriptions
    client.webhooks.delete(hook_id)
    with pytest.raises(NotFoundError):
        client.webhooks.get(hook_id)
