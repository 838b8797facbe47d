"""The client's methods for operations newer than the vendored spec (issue 14), async and sync,
on the emulator (and, for the ``real_attio`` ones, on real Attio too).

Each test names the docs.attio.com page (under rest-api/endpoint-reference/) its behaviour
comes from.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from attio_bridge.client import (
    APIConnectionError,
    AsyncAttioClient,
    AttioClient,
    BadRequestError,
    NotFoundError,
)

from ._factories import Cleanup, meeting_body, people_list, person
from ._faults import NetworkASGITransport
from ._target import Target, unique

anyio = pytest.mark.anyio
OLD, RENAMED = "2020-01-01T00:00:00Z", "2021-06-15T09:30:00Z"


def _history(first: str, second: str) -> list[dict[str, Any]]:
    return [
        {"value": first, "active_from": OLD, "active_until": RENAMED},
        {"value": second, "active_from": RENAMED, "active_until": None},
    ]


# -- notes ---------------------------------------------------------------------------------------
@anyio
@pytest.mark.real_attio
@pytest.mark.operation("PATCH /v2/notes/{note_id}", "GET /v2/notes/{note_id}")
async def test_notes_update_edits_in_place(aclient: AsyncAttioClient, acleanup: Cleanup) -> None:
    """notes/update-a-note: only the fields given change; the note keeps its id and parent."""
    record = await person(aclient, acleanup)
    note = await aclient.notes.create(
        parent_object="people", parent_record_id=record.record_id, title="Call", content="Draft"
    )
    acleanup.append(lambda: aclient.notes.delete(note.id["note_id"]))
    renamed = await aclient.notes.update(note.id["note_id"], title="Call (final)")
    assert (renamed.title, renamed.content_plaintext) == ("Call (final)", "Draft")
    rewritten = await aclient.notes.update(
        note.id["note_id"], content="## Outcome\n\n**Signed**", format="markdown"
    )
    assert rewritten.title == "Call (final)"
    assert rewritten.content_markdown == "## Outcome\n\n**Signed**"
    assert rewritten.content_plaintext == "Outcome\nSigned"
    got = await aclient.notes.get(note.id["note_id"])
    assert (got.id, got.parent_record_id) == (note.id, record.record_id)
    assert got.content_plaintext == "Outcome\nSigned"


# -- history writes ------------------------------------------------------------------------------
@anyio
@pytest.mark.operation(
    "PUT /v2/objects/{object}/records/{record_id}/attributes/{attribute}/values",
    "GET /v2/objects/{object}/records/{record_id}/attributes/{attribute}/values",
)
async def test_records_write_attribute_values_replaces_history(aclient: AsyncAttioClient) -> None:
    """records/write-record-attribute-values: the whole history is replaced with the values
    given (``replace_history`` is sent for the caller); relationship attributes are refused."""
    record = await person(aclient, job_title="CTO")
    written = await aclient.records.write_attribute_values(
        "people", record.record_id, "job_title", _history("Engineer", "VP Engineering")
    )
    assert [v["value"] for v in written] == ["Engineer", "VP Engineering"]
    history = await aclient.records.get_attribute_values(
        "people", record.record_id, "job_title", show_historic=True
    )
    assert [(v["value"], v["active_until"] is None) for v in history] == [
        ("Engineer", False),
        ("VP Engineering", True),
    ]
    with pytest.raises(BadRequestError) as caught:
        await aclient.records.write_attribute_values(
            "people", record.record_id, "company", _history("a.example.com", "b.example.com")
        )
    assert caught.value.code == "system_edit_unauthorized"


@pytest.mark.operation(
    "PUT /v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values",
    "GET /v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values",
)
def test_sync_entries_write_attribute_values(client: AttioClient, target: Target) -> None:
    """entries/write-list-entry-attribute-values, through the sync client."""
    record = client.records.create("people", {"email_addresses": [f"{unique('e')}@example.com"]})
    slug = unique("hires")
    client.lists.create(name="Hires", api_slug=slug, parent_object="people")
    body = {
        "title": "Source",
        "description": "Where they came from",
        "api_slug": "source",
        "type": "text",
        "is_required": False,
        "is_unique": False,
        "is_multiselect": False,
        "config": {},
    }
    client.attributes.create("lists", slug, body)
    made = client.entries.create(slug, parent_record_id=record.record_id, parent_object="people")
    entry_id = made.id.entry_id
    client.entries.write_attribute_values(slug, entry_id, "source", _history("Referral", "Inbound"))
    values = client.entries.list_attribute_values(slug, entry_id, "source", show_historic=True)
    assert [v["value"] for v in values] == ["Referral", "Inbound"]


# -- merge ---------------------------------------------------------------------------------------
@anyio
@pytest.mark.operation(
    "POST /v2/objects/{object}/records/merge", "GET /v2/objects/{object}/records/{record_id}"
)
async def test_merge_answered_202_can_be_waited_for(
    aclient: AsyncAttioClient, target: Target
) -> None:
    """records/merge-two-records: a 202 means still being applied, and the merged record reads
    404 ``merge_in_progress`` until done; ``wait`` polls until it reads (bounded)."""
    target.require_emulator("a merge that takes time")
    target.control("POST", "/merges", {"delay_s": 0.2})
    a, b = await person(aclient, job_title="Keep"), await person(aclient)
    result = await aclient.records.merge(
        "people", a.record_id, b.record_id, wait=True, poll_interval=0.02, max_polls=500
    )
    assert result.in_progress is False
    merged = await aclient.records.get("people", result.new_record_id)
    assert merged.values["job_title"][0]["value"] == "Keep"


@anyio
@pytest.mark.operation(
    "POST /v2/objects/{object}/records/merge", "GET /v2/objects/{object}/records/{record_id}"
)
async def test_merge_in_progress_is_reported_and_waiting_is_bounded(
    aclient: AsyncAttioClient, target: Target
) -> None:
    """records/merge-two-records: without ``wait`` a 202 comes back as ``in_progress``; waiting
    gives up after ``max_polls`` with the ``merge_in_progress`` error; once the merge is done,
    ``wait_for_merge`` returns the record."""
    target.require_emulator("a merge that takes time")
    target.control("POST", "/merges", {"delay_s": 3600})
    a, b = await person(aclient), await person(aclient)
    result = await aclient.records.merge("people", a.record_id, b.record_id)
    assert result.in_progress is True
    with pytest.raises(NotFoundError) as caught:
        await aclient.records.wait_for_merge(
            "people", result.new_record_id, poll_interval=0, max_polls=3
        )
    assert caught.value.code == "merge_in_progress"
    target.control("POST", "/merges/finish")
    record = await aclient.records.wait_for_merge("people", result.new_record_id, max_polls=1)
    assert record.record_id == result.new_record_id


@anyio
@pytest.mark.operation("POST /v2/objects/{object}/records/merge")
async def test_merge_is_never_retried(aclient: AsyncAttioClient, target: Target) -> None:
    """records/merge-two-records: not idempotent, so a lost answer is not sent again (a repeat
    would find both originals gone and answer 404)."""
    target.require_emulator("fault injection")
    a, b = await person(aclient), await person(aclient)
    target.add_fault("POST /v2/objects/{object}/records/merge", "drop_after", count=1)
    # Over the network a cut-off answer is a dropped connection; in-process, the same.
    transport = NetworkASGITransport(target.app) if target.app is not None else None
    client = target.async_client(max_retries=3, transport=transport)
    async with client:
        with pytest.raises(APIConnectionError):
            await client.records.merge("people", a.record_id, b.record_id)
    merges = [e for e in target.journal() if e["operation"].endswith("/records/merge")]
    assert len(merges) == 1


# -- objects and views ---------------------------------------------------------------------------
@anyio
@pytest.mark.operation(
    "DELETE /v2/objects/{object}",
    "GET /v2/objects/{object}/views",
    "GET /v2/lists/{list}/views",
)
async def test_objects_delete_and_views(aclient: AsyncAttioClient) -> None:
    """objects/delete-an-object (custom only), views/list-views-for-object and -list."""
    slug = unique("gadgets")
    await aclient.objects.create(api_slug=slug, singular_noun="Gadget", plural_noun="Gadgets")
    views, cursor = await aclient.objects.list_views(slug)
    assert [v.title for v in views] == ["All Gadgets"] and cursor is None
    assert [v.id for v in [x async for x in aclient.objects.iter_views(slug)]] == [views[0].id]
    await aclient.objects.delete(slug)
    with pytest.raises(NotFoundError):
        await aclient.objects.get(slug)
    with pytest.raises(BadRequestError) as caught:
        await aclient.objects.delete("people")
    assert caught.value.code == "system_edit_unauthorized"
    lst = await people_list(aclient)
    list_views = [v async for v in aclient.lists.iter_views(lst)]
    assert len(list_views) == 1 and "list_id" in list_views[0].id


@pytest.mark.operation("GET /v2/objects/{object}/views", "GET /v2/lists/{list}/views")
def test_sync_views(client: AttioClient) -> None:
    """views/list-views-for-object and -list, through the sync client."""
    views, _ = client.objects.list_views("companies")
    assert views[0].title == "All Companies"
    slug = unique("deals_board")
    client.lists.create(name="Board", api_slug=slug, parent_object="companies")
    assert [v.title for v in client.lists.iter_views(slug)] == ["Board"]


# -- meetings ------------------------------------------------------------------------------------
@anyio
@pytest.mark.operation(
    "PATCH /v2/meetings/{meeting_id}",
    "PUT /v2/meetings/{meeting_id}",
    "DELETE /v2/meetings/{meeting_id}",
)
async def test_meetings_update_overwrite_and_delete(aclient: AsyncAttioClient) -> None:
    """meetings/update-a-meeting-append-linked-records (PATCH adds), -overwrite-linked-records
    (PUT replaces), meetings/delete-a-meeting; a participant's ``name`` is typed."""
    meeting = await aclient.meetings.create_or_find(meeting_body(unique("ref")))
    mid = meeting.id["meeting_id"]
    assert meeting.participants[0].email_address == "ada@example.com"
    assert meeting.participants[0].name is None
    a, b = await person(aclient), await person(aclient)
    link_a = {"object": "people", "record_id": a.record_id}
    link_b = {"object": "people", "record_id": b.record_id}
    added = await aclient.meetings.update(mid, [link_a])
    added = await aclient.meetings.update(mid, [link_b])
    assert {r["record_id"] for r in added.linked_records} >= {a.record_id, b.record_id}
    replaced = await aclient.meetings.overwrite(mid, [link_b])
    assert b.record_id in {r["record_id"] for r in replaced.linked_records}
    assert a.record_id not in {r["record_id"] for r in replaced.linked_records}
    await aclient.meetings.delete(mid)
    with pytest.raises(NotFoundError):
        await aclient.meetings.get(mid)


@pytest.mark.operation("DELETE /v2/meetings/{meeting_id}", "PUT /v2/meetings/{meeting_id}")
def test_sync_meetings_overwrite_and_delete(client: AttioClient) -> None:
    """meetings/update-a-meeting-overwrite-linked-records and delete-a-meeting, sync."""
    meeting = client.meetings.create_or_find(meeting_body(unique("ref")))
    mid = meeting.id["meeting_id"]
    assert client.meetings.overwrite(mid, []).linked_records == []
    client.meetings.delete(mid)
    with pytest.raises(NotFoundError):
        client.meetings.delete(mid)


# -- newer fields --------------------------------------------------------------------------------
@anyio
@pytest.mark.operation(
    "GET /v2/self",
    "PATCH /v2/tasks/{task_id}",
    "POST /v2/meetings/{meeting_id}/call_recordings",
    "GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}",
)
async def test_models_carry_the_newer_fields(aclient: AsyncAttioClient) -> None:
    """meta/identify ``token_level``; tasks ``completed_at``; call recordings ``video_url`` and
    ``transcript`` (null while processing)."""
    assert (await aclient.identify()).token_level == "workspace"
    task = await aclient.tasks.create(content="Ship it")
    assert task.completed_at is None
    done = await aclient.tasks.update(task.id["task_id"], is_completed=True)
    assert done.completed_at is not None
    meeting = await aclient.meetings.create_or_find(meeting_body(unique("ref")))
    url = "https://media.example.com/call.mp4"
    made = await aclient.call_recordings.create(meeting.id["meeting_id"], video_url=url)
    assert made.transcript is None and made.video_url == url
    got = await aclient.call_recordings.get(meeting.id["meeting_id"], made.id["call_recording_id"])
    assert got.transcript is not None and got.transcript.segments
    assert got.transcript.raw_transcript


@anyio
async def test_threads_get_follows_the_comment_pages() -> None:
    """threads/get-a-thread: the newer API pages a thread's comments with
    ``pagination.next_cursor``; ``threads.get`` returns them all, in order."""
    pages = {
        None: (["c1", "c2"], "next-1"),
        "next-1": (["c3"], None),
    }
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        seen.append(cursor)
        ids, next_cursor = pages[cursor]
        comments = [{"id": {"comment_id": c}, "thread_id": "t"} for c in ids]
        body = {
            "data": {"id": {"thread_id": "t"}, "comments": comments},
            "pagination": {"next_cursor": next_cursor},
        }
        return httpx.Response(200, json=body)

    transport = httpx.MockTransport(answer)
    async with AsyncAttioClient(
        api_key="k", transport=transport, read_rate=0, write_rate=0
    ) as attio:
        thread = await attio.threads.get("t")
    assert [c.id["comment_id"] for c in thread.comments] == ["c1", "c2", "c3"]
    assert seen == [None, "next-1"]
