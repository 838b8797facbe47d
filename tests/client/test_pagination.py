"""The client's iterators walk every page, dropping and repeating nothing (API-NOTES gotcha 4).

Offset endpoints (record and entry queries, notes, webhooks) stop on a short page; cursor
endpoints (meetings, call recordings, transcripts) follow ``pagination.next_cursor`` until null.
Each test makes more items than one page holds, collects them through the iterator and checks
the exact set, then reads the emulator's journal to prove that several pages were fetched.
"""

from __future__ import annotations

import re

import pytest

from attio_bridge.client import AsyncAttioClient

from ._factories import meeting_body, people_list, person
from ._target import Target, unique

pytestmark = pytest.mark.anyio

QUERY_RECORDS = "POST /v2/objects/{object}/records/query"


@pytest.mark.operation(QUERY_RECORDS)
async def test_records_iter_with_a_small_page_size_yields_each_record_once(
    aclient: AsyncAttioClient, target: Target
) -> None:
    slug = unique("widgets")
    await aclient.objects.create(api_slug=slug, singular_noun="Widget", plural_noun="Widgets")
    made = {(await aclient.records.create(slug, {})).record_id for _ in range(23)}
    seen = [r.record_id async for r in aclient.records.iter(slug, page_size=5)]
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == made
    # Pages at offsets 0, 5, 10, 15 and a short one at 20 that ends the walk.
    assert target.operations_called().count(QUERY_RECORDS) == 5


@pytest.mark.operation(QUERY_RECORDS)
async def test_records_iter_of_an_exact_multiple_reads_one_empty_page(
    aclient: AsyncAttioClient, target: Target
) -> None:
    slug = unique("widgets")
    await aclient.objects.create(api_slug=slug, singular_noun="Widget", plural_noun="Widgets")
    made = {(await aclient.records.create(slug, {})).record_id for _ in range(10)}
    seen = [r.record_id async for r in aclient.records.iter(slug, page_size=5)]
    assert sorted(seen) == sorted(made)
    # No total is returned (API-NOTES §3): only an empty page says the last full one was last.
    assert target.operations_called().count(QUERY_RECORDS) == 3


@pytest.mark.operation(QUERY_RECORDS)
async def test_records_iter_passes_filter_and_sorts_to_every_page(
    aclient: AsyncAttioClient,
) -> None:
    slug = unique("widgets")
    await aclient.objects.create(api_slug=slug, singular_noun="Widget", plural_noun="Widgets")
    await aclient.attributes.create(
        "objects",
        slug,
        {
            "title": "Size",
            "description": "",
            "api_slug": "size",
            "type": "number",
            "is_required": False,
            "is_unique": False,
            "is_multiselect": False,
            "config": {},
        },
    )
    for size in range(12):
        await aclient.records.create(slug, {"size": size})
    seen = [
        r.values["size"][0]["value"]
        async for r in aclient.records.iter(
            slug,
            filter={"size": {"$gte": 3}},
            sorts=[{"attribute": "size", "direction": "desc"}],
            page_size=4,
        )
    ]
    assert seen == list(range(11, 2, -1))


@pytest.mark.operation("GET /v2/notes")
async def test_notes_iter_over_more_than_the_50_note_cap(
    aclient: AsyncAttioClient, target: Target
) -> None:
    record = await person(aclient)
    made = set()
    for i in range(53):
        note = await aclient.notes.create(
            parent_object="people", parent_record_id=record.record_id, title=f"n{i}", content="."
        )
        made.add(note.id["note_id"])
    other = await person(aclient)
    await aclient.notes.create(
        parent_object="people", parent_record_id=other.record_id, title="other", content="."
    )
    seen = [
        n.id["note_id"]
        async for n in aclient.notes.iter(parent_object="people", parent_record_id=record.record_id)
    ]
    assert len(seen) == len(set(seen)) == 53
    assert set(seen) == made
    # API-NOTES §1: 50 per page at most, so two pages.
    assert target.operations_called().count("GET /v2/notes") == 2


@pytest.mark.operation("POST /v2/lists/{list}/entries/query")
async def test_entries_iter_yields_each_entry_once(
    aclient: AsyncAttioClient, target: Target
) -> None:
    slug = await people_list(aclient)
    made = set()
    for _ in range(12):
        record = await person(aclient)
        entry = await aclient.entries.create(
            slug, parent_record_id=record.record_id, parent_object="people"
        )
        made.add(entry.entry_id)
    seen = [e.entry_id async for e in aclient.entries.iter(slug, page_size=5)]
    assert len(seen) == len(set(seen)) == 12
    assert set(seen) == made
    assert target.operations_called().count("POST /v2/lists/{list}/entries/query") == 3


@pytest.mark.operation("GET /v2/webhooks")
async def test_webhooks_iter_over_more_than_the_100_webhook_cap(
    aclient: AsyncAttioClient, target: Target
) -> None:
    subs = [{"event_type": "workspace-member.created", "filter": None}]
    made = set()
    for i in range(103):
        hook = await aclient.webhooks.create(
            target_url=f"https://example.com/hook/{i}", subscriptions=subs
        )
        made.add(hook.id["webhook_id"])
    seen = [w.id["webhook_id"] async for w in aclient.webhooks.iter()]
    assert len(seen) == len(set(seen)) == 103
    assert set(seen) == made
    assert target.operations_called().count("GET /v2/webhooks") == 2


@pytest.mark.operation("GET /v2/meetings")
async def test_meetings_iter_over_more_than_the_200_meeting_cap(
    aclient: AsyncAttioClient, target: Target
) -> None:
    record = await person(aclient)
    link = [{"object": "people", "record_id": record.record_id}]
    made = set()
    for i in range(205):
        start = f"2026-03-{1 + i % 28:02d}T10:00:00Z"
        meeting = await aclient.meetings.create_or_find(
            meeting_body(f"ref-{i}", start=start, linked_records=link)
        )
        made.add(meeting.id["meeting_id"])
    await aclient.meetings.create_or_find(meeting_body("not-linked"))
    seen = [
        m.id["meeting_id"]
        async for m in aclient.meetings.iter(
            linked_object="people", linked_record_id=record.record_id
        )
    ]
    assert len(seen) == len(set(seen)) == 205
    assert set(seen) == made
    # API-NOTES §1: cursor pages of at most 200, so two requests.
    assert target.operations_called().count("GET /v2/meetings") == 2


@pytest.mark.operation("GET /v2/meetings")
async def test_meetings_list_page_follows_the_cursor_by_hand(aclient: AsyncAttioClient) -> None:
    made = []
    for i in range(7):
        meeting = await aclient.meetings.create_or_find(meeting_body(f"ref-{i}"))
        made.append(meeting.id["meeting_id"])
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page, cursor = await aclient.meetings.list_page(cursor=cursor, limit=3)
        seen += [m.id["meeting_id"] for m in page]
        pages += 1
        if cursor is None:
            break
    assert sorted(seen) == sorted(made)
    assert pages == 3


@pytest.mark.operation("GET /v2/meetings/{meeting_id}/call_recordings")
async def test_call_recordings_iter_over_more_than_one_page(
    aclient: AsyncAttioClient, target: Target
) -> None:
    meeting = await aclient.meetings.create_or_find(meeting_body(unique("event")))
    meeting_id = meeting.id["meeting_id"]
    made = set()
    for i in range(201):
        rec = await aclient.call_recordings.create(
            meeting_id, video_url=f"https://example.com/calls/{i}.mp4"
        )
        made.add(rec.id["call_recording_id"])
    seen = [r.id["call_recording_id"] async for r in aclient.call_recordings.iter(meeting_id)]
    assert len(seen) == len(set(seen)) == 201
    assert set(seen) == made
    ops = target.operations_called()
    assert ops.count("GET /v2/meetings/{meeting_id}/call_recordings") == 2


@pytest.mark.operation(
    "GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}/transcript"
)
async def test_transcript_iter_yields_every_segment_once_in_order(
    aclient: AsyncAttioClient, target: Target
) -> None:
    meeting = await aclient.meetings.create_or_find(meeting_body(unique("event")))
    meeting_id = meeting.id["meeting_id"]
    rec = await aclient.call_recordings.create(
        meeting_id, video_url="https://example.com/calls/one.mp4"
    )
    rec_id = rec.id["call_recording_id"]
    segments = [s async for s in aclient.call_recordings.iter_transcript(meeting_id, rec_id)]
    first, _ = await aclient.call_recordings.transcript_page(meeting_id, rec_id)
    # The raw transcript holds every word: the segments, in order, are exactly those words.
    assert first.raw_transcript is not None
    words = re.sub(r"\[\d\d:\d\d\] [^:]+:", " ", first.raw_transcript).split()
    assert [s["speech"] for s in segments] == words
    starts = [s["start_time"] for s in segments]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    transcript_op = "GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}/transcript"
    assert target.operations_called().count(transcript_op) > 2  # several pages, then ``first``
