"""Fields Attio's API sends since the vendored spec, found by ``test_sdk_models.py`` (the
``attio`` 0.26.1 models, spec of 2026-09-16), and what the emulator puts in them."""

from __future__ import annotations

from typing import Any

import pytest

from .factories import meeting_body, new_meeting, person, seed_workspace
from .validation import ConformantClient

TASK: dict[str, Any] = {
    "content": "Follow up",
    "format": "plaintext",
    "deadline_at": None,
    "is_completed": False,
    "linked_records": [],
    "assignees": [],
}


@pytest.mark.operation("POST /v2/tasks", "PATCH /v2/tasks/{task_id}", "GET /v2/tasks/{task_id}")
def test_a_task_says_when_it_was_completed(conformant: ConformantClient) -> None:
    """docs.attio.com/rest-api/endpoint-reference/tasks/get-a-task: ``completed_at``, "when the
    task was completed, or null if it has not been completed"."""
    made = conformant.data("POST", "/v2/tasks", json={"data": TASK})
    assert made["completed_at"] is None
    path = f"/v2/tasks/{made['id']['task_id']}"
    done = conformant.data("PATCH", path, json={"data": {"is_completed": True}})
    assert done["completed_at"] is not None
    assert done["completed_at"] >= made["created_at"]
    again = conformant.data("PATCH", path, json={"data": {"deadline_at": None}})
    assert again["completed_at"] == done["completed_at"]  # still completed: unchanged
    reopened = conformant.data("PATCH", path, json={"data": {"is_completed": False}})
    assert reopened["completed_at"] is None
    assert conformant.data("GET", path)["completed_at"] is None
    born_done = conformant.data("POST", "/v2/tasks", json={"data": {**TASK, "is_completed": True}})
    assert born_done["completed_at"] == born_done["created_at"]


@pytest.mark.operation("GET /v2/self")
def test_self_says_the_token_level(conformant: ConformantClient) -> None:
    """docs.attio.com/rest-api/endpoint-reference/meta/identify: ``token_level``, "workspace" or
    "user"; the emulator's keys are workspace tokens."""
    assert conformant.get("/v2/self").json()["token_level"] == "workspace"


@pytest.mark.operation("POST /v2/meetings", "GET /v2/meetings/{meeting_id}")
def test_a_participant_name_is_kept_only_when_given(conformant: ConformantClient) -> None:
    """docs.attio.com/rest-api/endpoint-reference/meetings/get-a-meeting: a participant's
    ``name`` "is only set when the name was explicitly provided when the participant was
    created", null otherwise."""
    body = meeting_body()
    body["data"]["participants"][0]["name"] = "Ada Lovelace"
    made = new_meeting(conformant, participants=body["data"]["participants"])
    got = conformant.data("GET", f"/v2/meetings/{made['id']['meeting_id']}")
    assert [p["name"] for p in got["participants"]][:1] == ["Ada Lovelace"]
    assert all(p["name"] is None for p in got["participants"][1:])


@pytest.mark.operation(
    "GET /v2/threads/{thread_id}",
    "GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}",
)
def test_threads_page_and_recordings_carry_video_and_transcript(
    conformant: ConformantClient,
) -> None:
    """docs.attio.com/rest-api/endpoint-reference/threads/get-a-thread: a thread answer carries
    ``pagination.next_cursor`` (null: every comment is on this page);
    .../call-recordings/get-call-recording: ``video_url`` and ``transcript`` ``{segments,
    raw_transcript}``."""
    person(conformant)
    ids = seed_workspace(conformant)
    thread = conformant.get(f"/v2/threads/{ids['thread']}").json()
    assert thread["pagination"] == {"next_cursor": None}
    path = f"/v2/meetings/{ids['meeting']}/call_recordings/{ids['recording']}"
    recording = conformant.data("GET", path)
    assert recording["video_url"].endswith(".mp4")
    assert recording["transcript"]["segments"]
    assert isinstance(recording["transcript"]["raw_transcript"], str)
