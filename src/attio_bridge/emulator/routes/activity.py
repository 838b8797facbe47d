"""Routes for notes, tasks, comment threads and comments (API-NOTES §1, §6)."""

from __future__ import annotations

from typing import Any

from ..errors import ValidationTypeError
from ..http import Call, RouteTable
from ..models import activity

table = RouteTable()


def _pair(call: Call, first: str, second: str) -> tuple[str, str] | None:
    """Two query parameters that only make sense together: both, or neither."""
    a, b = call.query(first), call.query(second)
    if a is None and b is None:
        return None
    if not a or not b:
        raise ValidationTypeError(
            f'Query parameters "{first}" and "{second}" must be given together.'
        )
    return a, b


def _page(call: Call, items: list[Any], default: int, maximum: int | None) -> list[Any]:
    limit = call.query_int("limit", default, 1, maximum)
    offset = call.query_int("offset", 0, 0, None)
    return items[offset : offset + limit]


# -- notes ---------------------------------------------------------------------------------------
@table.route("GET", "/v2/notes")
async def list_notes(call: Call) -> Any:
    ws = call.ws
    notes = activity.list_notes(ws, call.query("parent_object"), call.query("parent_record_id"))
    return {"data": [activity.render_note(ws, n) for n in _page(call, notes, 10, 50)]}


@table.route("POST", "/v2/notes")
async def create_note(call: Call) -> Any:
    return {"data": activity.create_note(call.ws, await call.data(), call.actor)}


@table.route("GET", "/v2/notes/{note_id}")
async def get_note(call: Call) -> Any:
    ws = call.ws
    return {"data": activity.render_note(ws, activity.get_note(ws, call.path["note_id"]))}


@table.route("DELETE", "/v2/notes/{note_id}")
async def delete_note(call: Call) -> Any:
    activity.delete_note(call.ws, call.path["note_id"], call.actor)
    return {}


# -- tasks ---------------------------------------------------------------------------------------
@table.route("GET", "/v2/tasks")
async def list_tasks(call: Call) -> Any:
    sort = call.query("sort", "created_at:asc")
    if sort not in ("created_at:asc", "created_at:desc"):
        raise ValidationTypeError(
            f'Query parameter "sort" must be "created_at:asc" or "created_at:desc", got "{sort}".'
        )
    assignee = call.query("assignee")
    # The SPEC: "an empty value or the string `null`" asks for tasks nobody is assigned to.
    unassigned = assignee is not None and assignee.strip().lower() in ("", "null")
    raw_completed = call.query("is_completed")
    tasks = activity.list_tasks(
        call.ws,
        newest_first=sort == "created_at:desc",
        linked=_pair(call, "linked_object", "linked_record_id"),
        assignee=None if unassigned else assignee,
        unassigned=unassigned,
        is_completed=None if raw_completed is None else call.query_bool("is_completed"),
    )
    return {"data": _page(call, tasks, 500, None)}


@table.route("POST", "/v2/tasks")
async def create_task(call: Call) -> Any:
    return {"data": activity.create_task(call.ws, await call.data(), call.actor)}


@table.route("GET", "/v2/tasks/{task_id}")
async def get_task(call: Call) -> Any:
    return {"data": activity.public(activity.get_task(call.ws, call.path["task_id"]))}


@table.route("PATCH", "/v2/tasks/{task_id}")
async def update_task(call: Call) -> Any:
    task = activity.update_task(call.ws, call.path["task_id"], await call.data(), call.actor)
    return {"data": task}


@table.route("DELETE", "/v2/tasks/{task_id}")
async def delete_task(call: Call) -> Any:
    activity.delete_task(call.ws, call.path["task_id"], call.actor)
    return {}


# -- threads and comments ------------------------------------------------------------------------
@table.route("GET", "/v2/threads")
async def list_threads(call: Call) -> Any:
    ws = call.ws
    record = _pair(call, "object", "record_id")
    entry = _pair(call, "list", "entry_id")
    if record is not None and entry is not None:
        raise ValidationTypeError(
            'Filter threads by a record ("object" and "record_id") or by an entry ("list" and '
            '"entry_id"), not both.'
        )
    threads = activity.list_threads(ws, record, entry)
    return {"data": [activity.render_thread(ws, t) for t in _page(call, threads, 10, 50)]}


@table.route("GET", "/v2/threads/{thread_id}")
async def get_thread(call: Call) -> Any:
    ws = call.ws
    thread = activity.render_thread(ws, activity.get_thread(ws, call.path["thread_id"]))
    # The newer spec pages a thread's comments by cursor; the emulator sends them all at once.
    return {"data": thread, "pagination": {"next_cursor": None}}


@table.route("POST", "/v2/comments")
async def create_comment(call: Call) -> Any:
    return {"data": activity.create_comment(call.ws, await call.data(), call.actor)}


@table.route("GET", "/v2/comments/{comment_id}")
async def get_comment(call: Call) -> Any:
    return {"data": activity.public(activity.get_comment(call.ws, call.path["comment_id"]))}


@table.route("DELETE", "/v2/comments/{comment_id}")
async def delete_comment(call: Call) -> Any:
    activity.delete_comment(call.ws, call.path["comment_id"], call.actor)
    return {}
