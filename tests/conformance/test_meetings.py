"""Conformance of meetings, call recordings and transcripts (API-NOTES §1, §6; cursor pages)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .factories import VIDEO_URL, meeting_body, new_meeting, person, unique
from .validation import ConformantClient

op = pytest.mark.operation

LIST = "GET /v2/meetings"
CREATE = "POST /v2/meetings"
GET = "GET /v2/meetings/{meeting_id}"
LIST_RECORDINGS = "GET /v2/meetings/{meeting_id}/call_recordings"
CREATE_RECORDING = "POST /v2/meetings/{meeting_id}/call_recordings"
GET_RECORDING = "GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}"
DELETE_RECORDING = "DELETE /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}"
TRANSCRIPT = "GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}/transcript"

MISSING = str(uuid.UUID(int=5))


def _recording(c: ConformantClient, meeting: dict[str, Any]) -> dict[str, Any]:
    path = f"/v2/meetings/{meeting['id']['meeting_id']}/call_recordings"
    data: dict[str, Any] = c.data("POST", path, json={"data": {"video_url": VIDEO_URL}})
    return data


@op(CREATE, GET)
def test_find_or_create_meeting_is_keyed_on_external_ref(conformant: ConformantClient) -> None:
    """Spec "Find or create a meeting": the same ``external_ref`` finds it (API-NOTES §6)."""
    body = meeting_body()
    first = conformant.data("POST", "/v2/meetings", json=body)
    again = conformant.data("POST", "/v2/meetings", json=body)
    assert first["id"] == again["id"]
    assert conformant.data("GET", f"/v2/meetings/{first['id']['meeting_id']}") == first
    all_day = new_meeting(
        conformant,
        start={"date": "2030-03-02"},
        end={"date": "2030-03-02"},
        is_all_day=True,
        external_ref={"ical_uid": unique("uid-"), "provider": "google", "is_recurring": False},
    )
    assert all_day["is_all_day"] is True


@op(CREATE, GET)
def test_meeting_errors(conformant: ConformantClient) -> None:
    """Spec: create meeting 400 ``validation_type``; get meeting 404 ``not_found``."""
    conformant.post(
        "/v2/meetings",
        json=meeting_body(participants="nobody"),
        expect=400,
        code="validation_type",
    )
    conformant.get(f"/v2/meetings/{MISSING}", expect=404, code="not_found")


@op(CREATE)
def test_meeting_before_year_1000_is_not_a_server_error(conformant: ConformantClient) -> None:
    """A valid ISO 8601 datetime (year 0063) is accepted or refused with a 400, never a 500.

    Found by the schemathesis run: ``_render_datetime`` wrote an unpadded ``%Y`` that could not
    be parsed back, so the request raised (a 500).
    """
    response = conformant.post(
        "/v2/meetings",
        json=meeting_body(
            start={"datetime": "0063-10-19T11:31:26Z"}, end={"datetime": "2030-03-01T16:00:00Z"}
        ),
    )
    assert response.status_code in (200, 400)


@op(LIST)
def test_list_meetings_pages_with_a_cursor(conformant: ConformantClient) -> None:
    """Spec "List meetings": cursor pagination, sort, linked record (API-NOTES §1)."""
    p = person(conformant)
    link = [{"object": "people", "record_id": p["id"]["record_id"]}]
    made = [
        new_meeting(
            conformant,
            linked_records=link,
            start={"datetime": f"2030-04-0{n}T09:00:00Z"},
            end={"datetime": f"2030-04-0{n}T10:00:00Z"},
        )
        for n in (1, 2, 3)
    ]
    params = {"linked_object": "people", "linked_record_id": p["id"]["record_id"], "limit": 2}
    first = conformant.get("/v2/meetings", params=params, expect=200).json()
    cursor = first["pagination"]["next_cursor"]
    assert isinstance(cursor, str)
    second = conformant.get("/v2/meetings", params={**params, "cursor": cursor}, expect=200).json()
    assert second["pagination"]["next_cursor"] is None
    got = [m["id"]["meeting_id"] for m in first["data"] + second["data"]]
    assert got == [m["id"]["meeting_id"] for m in made]
    newest = conformant.data("GET", "/v2/meetings", params={**params, "sort": "start_desc"})
    assert newest[0]["id"] == made[-1]["id"]


@op(CREATE_RECORDING, GET_RECORDING, LIST_RECORDINGS)
def test_call_recordings_create_get_and_list(conformant: ConformantClient) -> None:
    """Spec call recordings: create from ``video_url``, get, list (API-NOTES §1)."""
    meeting = new_meeting(conformant)
    made = _recording(conformant, meeting)
    base = f"/v2/meetings/{meeting['id']['meeting_id']}/call_recordings"
    got = conformant.data("GET", f"{base}/{made['id']['call_recording_id']}")
    assert got["id"] == made["id"]
    assert got["status"] in ("processing", "completed")  # it may have finished processing since
    listed = conformant.get(base, params={"limit": 1}, expect=200).json()
    assert [r["id"] for r in listed["data"]] == [made["id"]]
    assert listed["pagination"]["next_cursor"] is None


@op(CREATE_RECORDING, GET_RECORDING)
def test_call_recording_errors(conformant: ConformantClient) -> None:
    """Spec: create recording 400 (https only) and 404 (unknown meeting); get 404.

    403 (a plan without call recordings) is not emulated.
    """
    meeting = new_meeting(conformant)
    base = f"/v2/meetings/{meeting['id']['meeting_id']}/call_recordings"
    conformant.post(
        base,
        json={"data": {"video_url": "http://media.example.com/a.mp4"}},
        expect=400,
        code="validation_type",
    )
    conformant.post(
        f"/v2/meetings/{MISSING}/call_recordings",
        json={"data": {"video_url": VIDEO_URL}},
        expect=404,
        code="not_found",
    )
    conformant.get(f"{base}/{MISSING}", expect=404, code="not_found")


@op(DELETE_RECORDING, GET_RECORDING)
def test_delete_call_recording_is_204(conformant: ConformantClient) -> None:
    """Spec "Delete call recording": 204 with no body (API-NOTES gotcha 18), then 404."""
    meeting = new_meeting(conformant)
    made = _recording(conformant, meeting)
    path = f"/v2/meetings/{meeting['id']['meeting_id']}/call_recordings/"
    path += made["id"]["call_recording_id"]
    response = conformant.delete(path, expect=204)
    assert response.content == b""
    conformant.get(path, expect=404, code="not_found")
    conformant.delete(path, expect=404, code="not_found")


@op(TRANSCRIPT)
def test_transcript_pages_through_segments(conformant: ConformantClient) -> None:
    """Spec "Get call transcript": segments, raw transcript, cursor (API-NOTES §1)."""
    meeting = new_meeting(conformant)
    made = _recording(conformant, meeting)
    path = f"/v2/meetings/{meeting['id']['meeting_id']}/call_recordings/"
    path += f"{made['id']['call_recording_id']}/transcript"
    page = conformant.get(path, expect=200).json()
    segments = list(page["data"]["transcript"])
    cursor = page["pagination"]["next_cursor"]
    while cursor is not None:
        page = conformant.get(path, params={"cursor": cursor}, expect=200).json()
        segments += page["data"]["transcript"]
        cursor = page["pagination"]["next_cursor"]
    assert segments and all(s["end_time"] >= s["start_time"] for s in segments)
