"""Conformance of notes, tasks, comment threads and comments (API-NOTES §1, §6)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .factories import MEMBER_EMAIL, company, entry, member_id, person, pipeline
from .validation import ConformantClient

op = pytest.mark.operation

MISSING = str(uuid.UUID(int=4))


def _note(c: ConformantClient, record: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {
        "parent_object": "people",
        "parent_record_id": record["id"]["record_id"],
        "title": "Kick-off call",
        "format": "markdown",
        "content": "# Agenda\n\n- **Pricing**\n- [Docs](https://example.com)",
        **fields,
    }
    data: dict[str, Any] = c.data("POST", "/v2/notes", json={"data": body})
    return data


def _task(c: ConformantClient, record: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {
        "content": "Send the proposal",
        "format": "plaintext",
        "deadline_at": "2030-01-02T10:00:00.000000000Z",
        "is_completed": False,
        "linked_records": [
            {"target_object": "people", "target_record_id": record["id"]["record_id"]}
        ],
        "assignees": [{"workspace_member_email_address": MEMBER_EMAIL}],
        **fields,
    }
    data: dict[str, Any] = c.data("POST", "/v2/tasks", json={"data": body})
    return data


def _comment(c: ConformantClient, author: str, **target: Any) -> dict[str, Any]:
    body = {
        "format": "plaintext",
        "content": "Looks good to me",
        "author": {"type": "workspace-member", "id": author},
        **target,
    }
    data: dict[str, Any] = c.data("POST", "/v2/comments", json={"data": body})
    return data


# -- notes ---------------------------------------------------------------------------------------
@op("POST /v2/notes", "GET /v2/notes/{note_id}", "GET /v2/notes")
def test_notes_create_get_and_list(conformant: ConformantClient) -> None:
    """Spec notes endpoints; the note read shape and ``limit`` (API-NOTES §6, gotcha 4)."""
    p = person(conformant)
    md = _note(conformant, p)
    plain = _note(conformant, p, format="plaintext", content="Plain words", title="Second")
    assert md["content_plaintext"].startswith("Agenda")
    assert plain["content_plaintext"] == "Plain words"
    assert conformant.data("GET", f"/v2/notes/{md['id']['note_id']}") == md
    listed = conformant.data(
        "GET",
        "/v2/notes",
        params={"parent_object": "people", "parent_record_id": p["id"]["record_id"]},
    )
    assert [n["id"]["note_id"] for n in listed] == [md["id"]["note_id"], plain["id"]["note_id"]]
    assert len(conformant.data("GET", "/v2/notes", params={"limit": 1})) == 1


@op("POST /v2/notes", "GET /v2/notes")
def test_notes_errors(conformant: ConformantClient) -> None:
    """Spec: notes 404 ``not_found`` for an unknown parent object (the spec's example)."""
    p = person(conformant)
    conformant.post(
        "/v2/notes",
        json={
            "data": {
                "parent_object": "no_such_object",
                "parent_record_id": p["id"]["record_id"],
                "title": "x",
                "format": "plaintext",
                "content": "x",
            }
        },
        expect=404,
        code="not_found",
    )
    conformant.get(
        "/v2/notes",
        params={"parent_object": "no_such_object", "parent_record_id": p["id"]["record_id"]},
        expect=404,
        code="not_found",
    )


@op("DELETE /v2/notes/{note_id}", "GET /v2/notes/{note_id}")
def test_delete_note(conformant: ConformantClient) -> None:
    """Spec "Delete a note": ``{}``, then 404 (API-NOTES §0)."""
    note = _note(conformant, person(conformant))
    path = f"/v2/notes/{note['id']['note_id']}"
    assert conformant.delete(path, expect=200).json() == {}
    conformant.get(path, expect=404, code="not_found")
    conformant.delete(path, expect=404, code="not_found")


# -- tasks ---------------------------------------------------------------------------------------
@op("POST /v2/tasks", "GET /v2/tasks/{task_id}", "GET /v2/tasks")
def test_tasks_create_get_and_list_with_filters(conformant: ConformantClient) -> None:
    """Spec tasks endpoints: sort, linked record, assignee, is_completed (API-NOTES §1, §6)."""
    p = person(conformant)
    first = _task(conformant, p)
    second = _task(conformant, p, assignees=[], is_completed=True, deadline_at=None)
    assert first["assignees"][0]["referenced_actor_type"] == "workspace-member"
    assert conformant.data("GET", f"/v2/tasks/{first['id']['task_id']}") == first
    linked = {"linked_object": "people", "linked_record_id": p["id"]["record_id"]}
    newest = conformant.data("GET", "/v2/tasks", params={**linked, "sort": "created_at:desc"})
    assert [t["id"]["task_id"] for t in newest] == [second["id"]["task_id"], first["id"]["task_id"]]
    done = conformant.data("GET", "/v2/tasks", params={**linked, "is_completed": "true"})
    assert [t["id"]["task_id"] for t in done] == [second["id"]["task_id"]]
    mine = conformant.data("GET", "/v2/tasks", params={**linked, "assignee": MEMBER_EMAIL})
    assert [t["id"]["task_id"] for t in mine] == [first["id"]["task_id"]]
    nobody = conformant.data("GET", "/v2/tasks", params={**linked, "assignee": "null"})
    assert [t["id"]["task_id"] for t in nobody] == [second["id"]["task_id"]]


@op("POST /v2/tasks")
def test_create_task_errors(conformant: ConformantClient) -> None:
    """Spec: create task 400 (all six fields required, API-NOTES gotcha 15) and 404."""
    p = person(conformant)
    body: dict[str, Any] = {
        "content": "x",
        "format": "plaintext",
        "deadline_at": None,
        "is_completed": False,
        "assignees": [],
    }
    conformant.post("/v2/tasks", json={"data": body}, expect=400, code="validation_type")
    conformant.post(
        "/v2/tasks",
        json={
            "data": {
                **body,
                "linked_records": [
                    {"target_object": "no_such_object", "target_record_id": p["id"]["record_id"]}
                ],
            }
        },
        expect=404,
        code="not_found",
    )


@op("PATCH /v2/tasks/{task_id}")
def test_update_task(conformant: ConformantClient) -> None:
    """Spec "Update a task": deadline, completion, links and assignees only (API-NOTES §6)."""
    task = _task(conformant, person(conformant))
    path = f"/v2/tasks/{task['id']['task_id']}"
    updated = conformant.data(
        "PATCH", path, json={"data": {"is_completed": True, "deadline_at": None, "assignees": []}}
    )
    assert (updated["is_completed"], updated["deadline_at"], updated["assignees"]) == (
        True,
        None,
        [],
    )


@op("PATCH /v2/tasks/{task_id}")
def test_update_task_errors(conformant: ConformantClient) -> None:
    """Spec: update task 400 (content cannot change, API-NOTES gotcha 15) and 404."""
    task = _task(conformant, person(conformant))
    conformant.patch(
        f"/v2/tasks/{task['id']['task_id']}",
        json={"data": {"content": "New words"}},
        expect=400,
        code="validation_type",
    )
    conformant.patch(
        f"/v2/tasks/{MISSING}", json={"data": {"is_completed": True}}, expect=404, code="not_found"
    )


@op("DELETE /v2/tasks/{task_id}", "GET /v2/tasks/{task_id}")
def test_delete_task(conformant: ConformantClient) -> None:
    """Spec "Delete a task": ``{}``, then 404."""
    task = _task(conformant, person(conformant))
    path = f"/v2/tasks/{task['id']['task_id']}"
    assert conformant.delete(path, expect=200).json() == {}
    conformant.get(path, expect=404, code="not_found")
    conformant.delete(path, expect=404, code="not_found")


# -- threads and comments ------------------------------------------------------------------------
@op("POST /v2/comments", "GET /v2/threads", "GET /v2/threads/{thread_id}")
def test_comments_on_records_and_entries_form_threads(conformant: ConformantClient) -> None:
    """Spec comments and threads: on a record, on an entry, a reply (API-NOTES §6)."""
    author = member_id(conformant)
    p = person(conformant)
    head = _comment(
        conformant, author, record={"object": "people", "record_id": p["id"]["record_id"]}
    )
    reply = _comment(conformant, author, thread_id=head["thread_id"])
    thread = conformant.data("GET", f"/v2/threads/{head['thread_id']}")
    assert [c["id"]["comment_id"] for c in thread["comments"]] == [
        head["id"]["comment_id"],
        reply["id"]["comment_id"],
    ]
    by_record = conformant.data(
        "GET", "/v2/threads", params={"object": "people", "record_id": p["id"]["record_id"]}
    )
    assert [t["id"]["thread_id"] for t in by_record] == [head["thread_id"]]
    lst = pipeline(conformant)["api_slug"]
    made = entry(conformant, lst, company(conformant))
    on_entry = _comment(conformant, author, entry={"list": lst, "entry_id": made["id"]["entry_id"]})
    by_entry = conformant.data(
        "GET", "/v2/threads", params={"list": lst, "entry_id": made["id"]["entry_id"]}
    )
    assert [t["id"]["thread_id"] for t in by_entry] == [on_entry["thread_id"]]


@op("POST /v2/comments", "GET /v2/threads/{thread_id}")
def test_comment_and_thread_errors(conformant: ConformantClient) -> None:
    """Spec: create comment 400 ``value_not_found`` (unknown thread) and get thread 404."""
    conformant.post(
        "/v2/comments",
        json={
            "data": {
                "format": "plaintext",
                "content": "x",
                "author": {"type": "workspace-member", "id": member_id(conformant)},
                "thread_id": MISSING,
            }
        },
        expect=400,
        code="value_not_found",
    )
    conformant.get(f"/v2/threads/{MISSING}", expect=404, code="not_found")


@op("GET /v2/comments/{comment_id}", "DELETE /v2/comments/{comment_id}")
def test_get_and_delete_comments(conformant: ConformantClient) -> None:
    """Spec comments: get; deleting the head comment deletes the thread (API-NOTES §1)."""
    author = member_id(conformant)
    p = person(conformant)
    head = _comment(
        conformant, author, record={"object": "people", "record_id": p["id"]["record_id"]}
    )
    reply = _comment(conformant, author, thread_id=head["thread_id"])
    assert conformant.data("GET", f"/v2/comments/{reply['id']['comment_id']}") == reply
    assert conformant.delete(f"/v2/comments/{head['id']['comment_id']}", expect=200).json() == {}
    conformant.get(f"/v2/threads/{head['thread_id']}", expect=404, code="not_found")
    conformant.get(f"/v2/comments/{reply['id']['comment_id']}", expect=404, code="not_found")
    conformant.delete(f"/v2/comments/{MISSING}", expect=404, code="not_found")
