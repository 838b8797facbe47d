"""Conformance of ``PATCH``, ``PUT`` and ``DELETE /v2/meetings/{meeting_id}`` (newer than the
vendored spec), and of the newer fields of meetings and call recordings.

Sources: docs.attio.com/rest-api/endpoint-reference/meetings/update-a-meeting-append-linked-
records (PATCH adds to ``linked_records``), …/update-a-meeting-overwrite-linked-records (PUT
replaces them), …/delete-a-meeting, and …/call-recordings/get-call-recording (``video_url`` and
``transcript``; a meeting participant's ``name``).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .factories import VIDEO_URL, company, new_meeting, person
from .validation import ConformantClient

op = pytest.mark.operation

PATCH = "PATCH /v2/meetings/{meeting_id}"
PUT = "PUT /v2/meetings/{meeting_id}"
DELETE = "DELETE /v2/meetings/{meeting_id}"
GET = "GET /v2/meetings/{meeting_id}"
GET_RECORDING = "GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}"
MISSING = str(uuid.UUID(int=6))


def _links(meeting: dict[str, Any]) -> list[str]:
    return [link["record_id"] for link in meeting["linked_records"]]


def _link(record: dict[str, Any], slug: str) -> dict[str, str]:
    return {"object": slug, "record_id": record["id"]["record_id"]}


@op(PATCH, PUT, GET)
def test_patch_appends_and_put_overwrites_linked_records(conformant: ConformantClient) -> None:
    """docs update-a-meeting (append / overwrite linked records): PATCH adds the records given
    to the meeting's links, once each; PUT replaces the links with the records given."""
    meeting = new_meeting(conformant)
    path = f"/v2/meetings/{meeting['id']['meeting_id']}"
    acme, globex = company(conformant), company(conformant)
    ada = person(conformant)
    first = conformant.data(
        "PATCH", path, json={"data": {"linked_records": [_link(acme, "companies")]}}
    )
    assert _links(first) == [acme["id"]["record_id"]]
    body = {"data": {"linked_records": [_link(acme, "companies"), _link(ada, "people")]}}
    second = conformant.data("PATCH", path, json=body)
    assert _links(second) == [acme["id"]["record_id"], ada["id"]["record_id"]]
    replaced = conformant.data(
        "PUT", path, json={"data": {"linked_records": [_link(globex, "companies")]}}
    )
    assert _links(replaced) == [globex["id"]["record_id"]]
    assert replaced["linked_records"][0]["object_slug"] == "companies"
    assert conformant.data("GET", path) == replaced


@op(PATCH, PUT)
def test_meeting_update_errors(conformant: ConformantClient) -> None:
    """docs update-a-meeting: 404 ``not_found`` for an unknown meeting; 400 ``value_not_found``
    for an unknown linked record; 400 ``validation_type`` for any other field or no links."""
    meeting = new_meeting(conformant)
    path = f"/v2/meetings/{meeting['id']['meeting_id']}"
    links = {"data": {"linked_records": []}}
    conformant.patch(f"/v2/meetings/{MISSING}", json=links, expect=404, code="not_found")
    conformant.put(f"/v2/meetings/{MISSING}", json=links, expect=404, code="not_found")
    unknown = {"data": {"linked_records": [{"object": "people", "record_id": MISSING}]}}
    conformant.patch(path, json=unknown, expect=400, code="value_not_found")
    for data in ({}, {"title": "Renamed"}, {"linked_records": "nope"}):
        conformant.put(path, json={"data": data}, expect=400, code="validation_type")


@op(DELETE, GET, GET_RECORDING)
def test_delete_meeting_takes_its_recordings(conformant: ConformantClient) -> None:
    """docs delete-a-meeting: 200 ``{}``; the meeting and its call recordings are gone; a second
    delete is 404 ``not_found``."""
    meeting = new_meeting(conformant)
    mid = meeting["id"]["meeting_id"]
    rec = conformant.data(
        "POST", f"/v2/meetings/{mid}/call_recordings", json={"data": {"video_url": VIDEO_URL}}
    )
    rid = rec["id"]["call_recording_id"]
    assert conformant.delete(f"/v2/meetings/{mid}", expect=200).json() == {}
    conformant.get(f"/v2/meetings/{mid}", expect=404, code="not_found")
    conformant.get(f"/v2/meetings/{mid}/call_recordings/{rid}", expect=404, code="not_found")
    conformant.delete(f"/v2/meetings/{mid}", expect=404, code="not_found")


@op("POST /v2/meetings", GET, GET_RECORDING)
def test_newer_meeting_and_recording_fields(conformant: ConformantClient) -> None:
    """docs meetings and call-recordings pages: a participant carries ``name`` (null when
    unknown); a recording carries its ``video_url`` and, once processed, its ``transcript``
    (``segments`` and ``raw_transcript``)."""
    participants = [
        {
            "email_address": "ada@example.com",
            "is_organizer": True,
            "status": "accepted",
            "name": "Ada",
        },
        {"email_address": "guest@example.com", "is_organizer": False, "status": "pending"},
    ]
    meeting = new_meeting(conformant, participants=participants)
    assert [p["name"] for p in meeting["participants"]] == ["Ada", None]
    mid = meeting["id"]["meeting_id"]
    # Kept as given (only a name given at creation, never resolved; docs get-a-meeting).
    stored = conformant.data("GET", f"/v2/meetings/{mid}")["participants"]
    assert [p["name"] for p in stored] == ["Ada", None]
    rec = conformant.data(
        "POST", f"/v2/meetings/{mid}/call_recordings", json={"data": {"video_url": VIDEO_URL}}
    )
    rid = rec["id"]["call_recording_id"]
    got = conformant.data("GET", f"/v2/meetings/{mid}/call_recordings/{rid}")
    assert got["video_url"] == VIDEO_URL
    segments = got["transcript"]["segments"]
    assert segments and {"speech", "start_time", "end_time", "speaker"} <= set(segments[0])
    assert got["transcript"]["raw_transcript"].startswith("[00:00] Ada")
