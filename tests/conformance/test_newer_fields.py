"""Fields Attio's responses gained after the vendored spec (issue 14), on operations the spec
already has: ``/v2/self``'s ``token_level``, a task's ``completed_at`` and a thread's
``pagination``. (A meeting participant's ``name`` and a recording's ``video_url`` and
``transcript`` are in ``test_meeting_updates.py``.)

Sources: docs.attio.com/rest-api/endpoint-reference/meta/identify (``token_level``:
``workspace`` or ``user``), …/tasks/get-a-task (``completed_at``), …/threads/get-a-thread
(``pagination.next_cursor``).
"""

from __future__ import annotations

from typing import Any

import pytest

from .factories import MEMBER_EMAIL, member_id, person
from .validation import ConformantClient

op = pytest.mark.operation


@op("GET /v2/self")
def test_self_names_the_token_level(conformant: ConformantClient) -> None:
    """docs identify: an API key acts for the whole workspace (``token_level`` "workspace")."""
    me = conformant.get("/v2/self", expect=200).json()
    assert me["token_level"] == "workspace"


def _task(c: ConformantClient, done: bool) -> dict[str, Any]:
    body = {
        "content": "Send the proposal",
        "format": "plaintext",
        "deadline_at": None,
        "is_completed": done,
        "linked_records": [],
        "assignees": [{"workspace_member_email_address": MEMBER_EMAIL}],
    }
    data: dict[str, Any] = c.data("POST", "/v2/tasks", json={"data": body})
    return data


@op("POST /v2/tasks", "PATCH /v2/tasks/{task_id}", "GET /v2/tasks/{task_id}")
def test_task_completed_at_follows_completion(conformant: ConformantClient) -> None:
    """docs get-a-task: ``completed_at`` is null until the task is completed, then when it was;
    completing it again, or another edit, keeps the moment; reopening clears it."""
    open_task = _task(conformant, done=False)
    assert open_task["completed_at"] is None
    path = f"/v2/tasks/{open_task['id']['task_id']}"
    done = conformant.data("PATCH", path, json={"data": {"is_completed": True}})
    assert done["completed_at"] is not None
    assert done["completed_at"] >= open_task["created_at"]
    again = conformant.data("PATCH", path, json={"data": {"is_completed": True}})
    assert again["completed_at"] == done["completed_at"]
    edited = conformant.data("PATCH", path, json={"data": {"deadline_at": None}})
    assert edited["completed_at"] == done["completed_at"]  # still completed: unchanged
    reopened = conformant.data("PATCH", path, json={"data": {"is_completed": False}})
    assert reopened["completed_at"] is None
    assert conformant.data("GET", path)["completed_at"] is None
    born_done = _task(conformant, done=True)
    assert born_done["completed_at"] == born_done["created_at"]


@op("POST /v2/comments", "GET /v2/threads/{thread_id}")
def test_a_thread_carries_pagination(conformant: ConformantClient) -> None:
    """docs get-a-thread: the thread comes with ``pagination.next_cursor`` (null: every comment
    is on this page)."""
    rec = person(conformant)
    body = {
        "format": "plaintext",
        "content": "Shall we call?",
        "author": {"type": "workspace-member", "id": member_id(conformant)},
        "record": {"object": "people", "record_id": rec["id"]["record_id"]},
    }
    head = conformant.data("POST", "/v2/comments", json={"data": body})
    page = conformant.get(f"/v2/threads/{head['thread_id']}", expect=200).json()
    assert page["pagination"] == {"next_cursor": None}
    assert [c["id"]["comment_id"] for c in page["data"]["comments"]] == [head["id"]["comment_id"]]
