"""Notes, tasks, comment threads and comments: their validation, state and read shapes.

State lives in the workspace's plain dicts (``ws.notes``, ``ws.tasks``, ``ws.threads``,
``ws.comments``), one JSON-ready dict per resource keyed by its id. Keys starting with ``_``
are the emulator's own bookkeeping (the parent object's id, the head comment of a thread) and
are never rendered; everything else is already in Attio's read shape (API-NOTES §6). Object
slugs are looked up at render time, so renaming an object shows through as it does in Attio.

Every change fires the webhook event Attio documents for it (API-NOTES §7): ``note.*`` with
``parent_object_id``/``parent_record_id``, ``task.*``, and ``comment.*`` with ``thread_id``,
``object_id``, ``record_id``, ``list_id`` and ``entry_id``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..clock import format_ts, new_id, now_ts
from ..errors import ValidationTypeError, ValueNotFoundError, not_found

if TYPE_CHECKING:
    from ..workspace import Workspace
    from .schema import ObjectDef

Actor = dict[str, Any]
TASK_FIELDS = ("content", "format", "deadline_at", "is_completed", "linked_records", "assignees")
TASK_PATCH_FIELDS = ("deadline_at", "is_completed", "linked_records", "assignees")
TASK_CONTENT_MAX = 2000


# -- shared validation ---------------------------------------------------------------------------
def public(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored resource without the emulator's ``_`` bookkeeping keys."""
    return {k: v for k, v in stored.items() if not k.startswith("_")}


def require(data: dict[str, Any], keys: tuple[str, ...], what: str) -> None:
    """400 ``validation_type`` naming the first of ``keys`` missing from ``data``."""
    for key in keys:
        if key not in data:
            names = ", ".join(keys)
            raise ValidationTypeError(f'"{key}" is required to {what}. Required fields: {names}.')


def string_field(data: dict[str, Any], key: str) -> str:
    """``data[key]`` when it is a string; 400 otherwise."""
    value = data.get(key)
    if not isinstance(value, str):
        raise ValidationTypeError(f'"{key}" must be a string, got {_kind(value)}.')
    return value


def parse_moment(value: Any, field: str) -> datetime:
    """An ISO-8601 date or timestamp as an aware UTC datetime (no offset means UTC); 400 if not."""
    if not isinstance(value, str):
        raise ValidationTypeError(f'"{field}" must be an ISO 8601 timestamp, got {_kind(value)}.')
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationTypeError(
            f'"{field}" must be an ISO 8601 timestamp such as "2023-01-01T15:00:00.000Z", '
            f'got "{value}".'
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def backdated_created_at(data: dict[str, Any]) -> str:
    """``created_at`` for a new note or comment: now, or a past moment since 1970 (SPEC)."""
    raw = data.get("created_at")
    if raw is None:
        return now_ts()
    moment = parse_moment(raw, "created_at")
    if moment < datetime(1970, 1, 1, tzinfo=UTC):
        raise ValidationTypeError('"created_at" cannot be before 1970-01-01.')
    if moment > datetime.now(UTC):
        raise ValidationTypeError('"created_at" cannot be in the future.')
    return format_ts(moment)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return type(value).__name__


def _get_object(ws: Workspace, ident: Any, field: str) -> ObjectDef:
    if not isinstance(ident, str):
        raise ValidationTypeError(f'"{field}" must be an object slug or ID, got {_kind(ident)}.')
    return ws.schema.get_object(ident)


def _check_record(ws: Workspace, obj: ObjectDef, record_id: Any, what: str) -> str:
    if not isinstance(record_id, str) or not ws.record_exists(obj.id, record_id):
        raise ValueNotFoundError(
            f'{what} with slug/ID "{record_id}" not found in "{obj.api_slug}".'
        )
    return record_id


# -- markdown ------------------------------------------------------------------------------------
# The subset Attio accepts (SPEC, POST /v2/notes): headings 1-3, -/*/+ and numbered lists,
# **bold**/__bold__, *italic*/_italic_, ~~strike~~, ==highlight== and [text](url) links.
_ESCAPABLE = "\\`*_{}[]()#+-.!~=|>"
_ESCAPE_RE = re.compile(r"\\([" + re.escape(_ESCAPABLE) + r"])")
_PLACEHOLDER_BASE = 0xE000  # private-use code points hold escaped characters while stripping
_HEADING_RE = re.compile(r"^\s{0,3}#{1,3}\s+(.*)$")
_BULLET_RE = re.compile(r"^\s*[-*+]\s+(.*)$")
_ORDERED_RE = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_INLINE = (
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\*\*(.+?)\*\*"), r"\1"),
    (re.compile(r"__(.+?)__"), r"\1"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"==(.+?)=="), r"\1"),
    (re.compile(r"\*(.+?)\*"), r"\1"),
    (re.compile(r"(?<!\w)_(.+?)_(?!\w)"), r"\1"),
)


def markdown_to_plaintext(markdown: str) -> str:
    """Attio's ``content_plaintext`` for markdown: markup removed, blank lines dropped.

    The blank-line rule follows the SPEC's note example, where ``"…call\\n\\n## Customer
    Background"`` reads back as ``"…call\\nCustomer Background"``.
    """
    out: list[str] = []
    for line in markdown.split("\n"):
        if not line.strip():
            continue
        text = _ESCAPE_RE.sub(lambda m: chr(_PLACEHOLDER_BASE + ord(m.group(1))), line)
        for block in (_HEADING_RE, _BULLET_RE, _ORDERED_RE):
            match = block.match(text)
            if match:
                text = match.group(1)
                break
        for pattern, repl in _INLINE:
            text = pattern.sub(repl, text)
        out.append(
            "".join(
                chr(ord(c) - _PLACEHOLDER_BASE)
                if _PLACEHOLDER_BASE <= ord(c) < _PLACEHOLDER_BASE + 128
                else c
                for c in text
            )
        )
    return "\n".join(out)


_INLINE_ESCAPE_RE = re.compile(r"([\\*_\[\]])|(~{2,}|={2,})")
_LINE_START_RE = re.compile(r"^(\s*)(#|[-+](?=\s)|\d+(?=[.)]\s))")


def plaintext_to_markdown(text: str) -> str:
    """Attio's ``content_markdown`` for plaintext: every character that would be markup escaped."""
    lines = []
    for line in text.split("\n"):
        escaped = _INLINE_ESCAPE_RE.sub(lambda m: "".join("\\" + c for c in m.group(0)), line)
        match = _LINE_START_RE.match(escaped)
        if match:
            lead, marker = match.group(1), match.group(2)
            rest = escaped[match.end() :]
            if marker[0].isdigit():
                # "1. x" stays a sentence only if the dot after the number is escaped.
                escaped = f"{lead}{marker}\\{rest}"
            else:
                escaped = f"{lead}\\{marker}{rest}"
        lines.append(escaped)
    return "\n".join(lines)


# -- notes ---------------------------------------------------------------------------------------
def create_note(ws: Workspace, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """``POST /v2/notes``: a note on an existing record (fires ``note.created``)."""
    require(
        data, ("parent_object", "parent_record_id", "title", "format", "content"), "create a note"
    )
    obj = _get_object(ws, data["parent_object"], "parent_object")
    record_id = _check_record(ws, obj, data["parent_record_id"], "Parent record")
    title = string_field(data, "title")
    fmt = data["format"]
    if fmt not in ("plaintext", "markdown"):
        raise ValidationTypeError(f'"format" must be "plaintext" or "markdown", got {fmt!r}.')
    content = string_field(data, "content")
    meeting_id = data.get("meeting_id")
    if meeting_id is not None and (
        not isinstance(meeting_id, str) or meeting_id not in ws.meetings
    ):
        raise ValueNotFoundError(f'Meeting with ID "{meeting_id}" not found.')
    if fmt == "markdown":
        markdown, plaintext = content, markdown_to_plaintext(content)
    else:
        markdown, plaintext = plaintext_to_markdown(content), content
    note_id = new_id()
    note: dict[str, Any] = {
        "id": {"workspace_id": ws.workspace_id, "note_id": note_id},
        "parent_object": obj.api_slug,
        "parent_record_id": record_id,
        "title": title,
        "meeting_id": meeting_id,
        "content_plaintext": plaintext,
        "content_markdown": markdown,
        # Tags come from @-mentions in the app's editor; API-written content has none.
        "tags": [],
        "created_by_actor": dict(actor),
        "created_at": backdated_created_at(data),
        "_object_id": obj.id,
    }
    ws.notes[note_id] = note
    _emit_note(ws, "note.created", note, actor)
    return render_note(ws, note)


def render_note(ws: Workspace, note: dict[str, Any]) -> dict[str, Any]:
    """A note in Attio's read shape, with its parent object's current slug."""
    out = public(note)
    out["parent_object"] = ws.schema.parent_slug(note["_object_id"])
    return out


def get_note(ws: Workspace, note_id: str) -> dict[str, Any]:
    """A stored note; 404 if missing."""
    note = ws.notes.get(note_id)
    if note is None:
        raise not_found("Note", note_id)
    return note


def list_notes(
    ws: Workspace, parent_object: str | None, parent_record_id: str | None
) -> list[dict[str, Any]]:
    """Notes in creation order, optionally only those of one object and/or one record."""
    object_id = _get_object(ws, parent_object, "parent_object").id if parent_object else None
    return [
        n
        for n in ws.notes.values()
        if (object_id is None or n["_object_id"] == object_id)
        and (parent_record_id is None or n["parent_record_id"] == parent_record_id)
    ]


def delete_note(ws: Workspace, note_id: str, actor: Actor) -> None:
    """``DELETE /v2/notes/{id}`` (fires ``note.deleted``)."""
    note = get_note(ws, note_id)
    del ws.notes[note_id]
    _emit_note(ws, "note.deleted", note, actor)


def _emit_note(ws: Workspace, event: str, note: dict[str, Any], actor: Actor) -> None:
    ws.emit(
        event,
        {"note_id": note["id"]["note_id"]},
        actor,
        parent_object_id=note["_object_id"],
        parent_record_id=note["parent_record_id"],
    )


# -- tasks ---------------------------------------------------------------------------------------
def _deadline(value: Any) -> str | None:
    if value is None:
        return None
    return format_ts(parse_moment(value, "deadline_at"))


def _is_completed(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationTypeError(f'"is_completed" must be true or false, got {_kind(value)}.')
    return value


def _linked_records(ws: Workspace, value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise ValidationTypeError(f'"linked_records" must be an array, got {_kind(value)}.')
    out: dict[tuple[str, str], dict[str, str]] = {}
    for item in value:
        if not isinstance(item, dict) or "target_object" not in item:
            raise ValidationTypeError(
                'Each linked record must be {"target_object", "target_record_id"} or '
                '{"target_object", <unique attribute slug>: [value]}.'
            )
        obj = _get_object(ws, item["target_object"], "target_object")
        if "target_record_id" in item:
            record_id = _check_record(ws, obj, item["target_record_id"], "Record")
        else:
            record_id = _match_linked_record(ws, obj, item)
        out[(obj.id, record_id)] = {"target_object_id": obj.id, "target_record_id": record_id}
    return list(out.values())


def _match_linked_record(ws: Workspace, obj: ObjectDef, item: dict[str, Any]) -> str:
    keys = [k for k in item if k != "target_object"]
    if len(keys) != 1:
        raise ValidationTypeError(
            'A linked record needs "target_record_id" or exactly one unique attribute to match on.'
        )
    attr = obj.find_attribute(keys[0])
    if attr is None or not attr.is_unique:
        raise ValidationTypeError(
            f'"{keys[0]}" is not a unique attribute of "{obj.api_slug}", so it cannot identify '
            "a linked record."
        )
    wanted = item[keys[0]]
    values = wanted if isinstance(wanted, list) else [wanted]
    if len(values) != 1:
        raise ValidationTypeError(
            f'"{keys[0]}" must be an array holding one value: matching on several is not supported.'
        )
    record_id = ws.match_record(obj, attr, values[0])
    if record_id is None:
        raise ValueNotFoundError(
            f'No "{obj.api_slug}" record has {attr.api_slug} {values[0]!r} to link to the task.'
        )
    return record_id


def _assignees(ws: Workspace, value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise ValidationTypeError(f'"assignees" must be an array, got {_kind(value)}.')
    out: dict[str, dict[str, str]] = {}
    for item in value:
        ident: Any = None
        if isinstance(item, dict) and "workspace_member_email_address" in item:
            ident = item["workspace_member_email_address"]
        elif isinstance(item, dict) and "referenced_actor_id" in item:
            if item.get("referenced_actor_type") != "workspace-member":
                raise ValidationTypeError(
                    'Only workspace members can be assigned: "referenced_actor_type" must be '
                    '"workspace-member".'
                )
            ident = item["referenced_actor_id"]
        if not isinstance(ident, str):
            raise ValidationTypeError(
                'Each assignee must be {"referenced_actor_type": "workspace-member", '
                '"referenced_actor_id": id} or {"workspace_member_email_address": email}.'
            )
        member_id = ws.find_member(ident)
        if member_id is None:
            raise ValueNotFoundError(f'Workspace member "{ident}" not found.')
        out[member_id] = {
            "referenced_actor_type": "workspace-member",
            "referenced_actor_id": member_id,
        }
    return list(out.values())


def create_task(ws: Workspace, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """``POST /v2/tasks``: all six fields are required (API-NOTES gotcha 15)."""
    require(data, TASK_FIELDS, "create a task (arrays may be empty, deadline_at may be null)")
    unknown = sorted(set(data) - set(TASK_FIELDS))
    if unknown:
        raise ValidationTypeError(f"Unknown task field(s): {', '.join(unknown)}.")
    content = string_field(data, "content")
    if len(content) > TASK_CONTENT_MAX:
        raise ValidationTypeError(
            f'"content" is {len(content)} characters long; tasks allow at most {TASK_CONTENT_MAX}.'
        )
    if data["format"] != "plaintext":
        raise ValidationTypeError(f'"format" must be "plaintext", got {data["format"]!r}.')
    task_id = new_id()
    task: dict[str, Any] = {
        "id": {"workspace_id": ws.workspace_id, "task_id": task_id},
        "content_plaintext": content,
        "deadline_at": _deadline(data["deadline_at"]),
        "is_completed": _is_completed(data["is_completed"]),
        "completed_at": None,
        "linked_records": _linked_records(ws, data["linked_records"]),
        "assignees": _assignees(ws, data["assignees"]),
        "created_by_actor": dict(actor),
        "created_at": now_ts(),
    }
    if task["is_completed"]:
        task["completed_at"] = task["created_at"]
    ws.tasks[task_id] = task
    ws.emit("task.created", {"task_id": task_id}, actor)
    return public(task)


def get_task(ws: Workspace, task_id: str) -> dict[str, Any]:
    """A stored task; 404 if missing."""
    task = ws.tasks.get(task_id)
    if task is None:
        raise not_found("Task", task_id)
    return task


def update_task(ws: Workspace, task_id: str, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """``PATCH /v2/tasks/{id}``: only deadline, completion, links and assignees can change."""
    task = get_task(ws, task_id)
    unknown = sorted(set(data) - set(TASK_PATCH_FIELDS))
    if unknown:
        raise ValidationTypeError(
            f"Task field(s) {', '.join(unknown)} cannot be updated. Only "
            f"{', '.join(TASK_PATCH_FIELDS)} can."
        )
    if not data:
        raise ValidationTypeError(
            f"The update is empty: send at least one of {', '.join(TASK_PATCH_FIELDS)}."
        )
    changes: dict[str, Any] = {}
    if "deadline_at" in data:
        changes["deadline_at"] = _deadline(data["deadline_at"])
    if "is_completed" in data:
        changes["is_completed"] = done = _is_completed(data["is_completed"])
        # When it was completed (the newer spec's completed_at): set on completion, kept while
        # it stays completed, null again when reopened.
        if done != task["is_completed"]:
            changes["completed_at"] = now_ts() if done else None
    if "linked_records" in data:
        changes["linked_records"] = _linked_records(ws, data["linked_records"])
    if "assignees" in data:
        changes["assignees"] = _assignees(ws, data["assignees"])
    task.update(changes)
    ws.emit("task.updated", {"task_id": task_id}, actor)
    return public(task)


def list_tasks(
    ws: Workspace,
    *,
    newest_first: bool = False,
    linked: tuple[str, str] | None = None,
    assignee: str | None = None,
    unassigned: bool = False,
    is_completed: bool | None = None,
) -> list[dict[str, Any]]:
    """Tasks by creation date; ``linked`` is (object slug or id, record id)."""
    link_key: tuple[str, str] | None = None
    if linked is not None:
        link_key = (ws.schema.get_object(linked[0]).id, linked[1])
    member_id = ws.find_member(assignee) if assignee is not None else None
    out = []
    for task in ws.tasks.values():
        if is_completed is not None and task["is_completed"] != is_completed:
            continue
        if unassigned and task["assignees"]:
            continue
        if assignee is not None and all(
            a["referenced_actor_id"] != member_id for a in task["assignees"]
        ):
            continue
        if link_key is not None and all(
            (r["target_object_id"], r["target_record_id"]) != link_key
            for r in task["linked_records"]
        ):
            continue
        out.append(public(task))
    # sorted() is stable, so tasks created in the same nanosecond keep creation order.
    return sorted(out, key=lambda t: str(t["created_at"]), reverse=newest_first)


def delete_task(ws: Workspace, task_id: str, actor: Actor) -> None:
    """``DELETE /v2/tasks/{id}`` (fires ``task.deleted``)."""
    get_task(ws, task_id)
    del ws.tasks[task_id]
    ws.emit("task.deleted", {"task_id": task_id}, actor)


# -- threads and comments ------------------------------------------------------------------------
def _comment_target(ws: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    """Where a new comment goes: an existing thread, or a new one on a record or entry."""
    given = [k for k in ("thread_id", "record", "entry") if k in data]
    if len(given) != 1:
        raise ValidationTypeError(
            'Send exactly one of "thread_id", "record" {object, record_id} or "entry" '
            f"{{list, entry_id}}; got {', '.join(given) or 'none'}."
        )
    if "thread_id" in data:
        thread = ws.threads.get(data["thread_id"]) if isinstance(data["thread_id"], str) else None
        if thread is None:
            raise ValueNotFoundError(f'Thread with ID "{data["thread_id"]}" not found.')
        return thread
    if "record" in data:
        ref = data["record"]
        if not isinstance(ref, dict):
            raise ValidationTypeError('"record" must be an object {object, record_id}.')
        require(ref, ("object", "record_id"), "comment on a record")
        obj = ws.schema.find_object(ref["object"]) if isinstance(ref["object"], str) else None
        if obj is None:
            raise ValueNotFoundError(f'Object with slug/ID "{ref["object"]}" not found.')
        record_id = _check_record(ws, obj, ref["record_id"], "Record")
        return {"_object_id": obj.id, "_record_id": record_id, "_list_id": None, "_entry_id": None}
    ref = data["entry"]
    if not isinstance(ref, dict):
        raise ValidationTypeError('"entry" must be an object {list, entry_id}.')
    require(ref, ("list", "entry_id"), "comment on a list entry")
    lst = ws.schema.find_list(ref["list"]) if isinstance(ref["list"], str) else None
    if lst is None:
        raise ValueNotFoundError(f'List with slug/ID "{ref["list"]}" not found.')
    entry_id = ref["entry_id"]
    entry = ws.store.entries.get(lst.id, {}).get(entry_id) if isinstance(entry_id, str) else None
    if entry is None:
        raise ValueNotFoundError(f'Entry with ID "{entry_id}" not found in "{lst.api_slug}".')
    return {
        "_object_id": entry.parent_object_id,
        "_record_id": entry.parent_record_id,
        "_list_id": lst.id,
        "_entry_id": entry.id,
    }


def create_comment(ws: Workspace, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """``POST /v2/comments``: a reply, or the head of a new thread (fires ``comment.created``)."""
    require(data, ("format", "content", "author"), "create a comment")
    if data["format"] != "plaintext":
        raise ValidationTypeError(f'"format" must be "plaintext", got {data["format"]!r}.')
    content = string_field(data, "content")
    author = data["author"]
    if not isinstance(author, dict) or author.get("type") != "workspace-member":
        raise ValidationTypeError(
            '"author" must be {"type": "workspace-member", "id": <workspace member id>}.'
        )
    member_id = ws.find_member(author["id"]) if isinstance(author.get("id"), str) else None
    if member_id is None or member_id != author["id"]:
        raise ValueNotFoundError(f'Workspace member with ID "{author.get("id")}" not found.')
    target = _comment_target(ws, data)
    created_at = backdated_created_at(data)
    comment_id = new_id()
    if "id" in target:
        thread = target
    else:
        thread_id = new_id()
        thread = {
            "id": {"workspace_id": ws.workspace_id, "thread_id": thread_id},
            "created_at": created_at,
            "_head": comment_id,
            **target,
        }
        ws.threads[thread_id] = thread
    entry = (
        {"entry_id": thread["_entry_id"], "list_id": thread["_list_id"]}
        if thread["_entry_id"]
        else None
    )
    comment: dict[str, Any] = {
        "id": {"workspace_id": ws.workspace_id, "comment_id": comment_id},
        "thread_id": thread["id"]["thread_id"],
        "content_plaintext": content,
        "entry": entry,
        "record": {"record_id": thread["_record_id"], "object_id": thread["_object_id"]},
        "resolved_at": None,
        # The SPEC types resolved_by as an actor object with nullable fields, never null.
        "resolved_by": {"type": None, "id": None},
        "created_at": created_at,
        "author": {"type": "workspace-member", "id": member_id},
    }
    ws.comments[comment_id] = comment
    _emit_comment(ws, "comment.created", comment, actor)
    return public(comment)


def get_comment(ws: Workspace, comment_id: str) -> dict[str, Any]:
    """A stored comment; 404 if missing."""
    comment = ws.comments.get(comment_id)
    if comment is None:
        raise not_found("Comment", comment_id)
    return comment


def delete_comment(ws: Workspace, comment_id: str, actor: Actor) -> None:
    """``DELETE /v2/comments/{id}``; deleting a thread's head comment deletes the thread."""
    comment = get_comment(ws, comment_id)
    thread_id = comment["thread_id"]
    thread = ws.threads.get(thread_id)
    doomed = [comment]
    if thread is not None and thread["_head"] == comment_id:
        doomed = _thread_comments(ws, thread_id)
        del ws.threads[thread_id]
    for c in doomed:
        del ws.comments[c["id"]["comment_id"]]
        _emit_comment(ws, "comment.deleted", c, actor)


def _emit_comment(ws: Workspace, event: str, comment: dict[str, Any], actor: Actor) -> None:
    entry = comment["entry"]
    ws.emit(
        event,
        {"comment_id": comment["id"]["comment_id"]},
        actor,
        thread_id=comment["thread_id"],
        object_id=comment["record"]["object_id"],
        record_id=comment["record"]["record_id"],
        list_id=entry["list_id"] if entry else None,
        entry_id=entry["entry_id"] if entry else None,
    )


def _thread_comments(ws: Workspace, thread_id: str) -> list[dict[str, Any]]:
    mine = [c for c in ws.comments.values() if c["thread_id"] == thread_id]
    return sorted(mine, key=lambda c: str(c["created_at"]))


def render_thread(ws: Workspace, thread: dict[str, Any]) -> dict[str, Any]:
    """A thread in Attio's read shape: its comments oldest first."""
    return {
        "id": thread["id"],
        "comments": [public(c) for c in _thread_comments(ws, thread["id"]["thread_id"])],
        "created_at": thread["created_at"],
    }


def get_thread(ws: Workspace, thread_id: str) -> dict[str, Any]:
    """A stored thread; 404 if missing."""
    thread = ws.threads.get(thread_id)
    if thread is None:
        raise not_found("Thread", thread_id)
    return thread


def list_threads(
    ws: Workspace, record: tuple[str, str] | None, entry: tuple[str, str] | None
) -> list[dict[str, Any]]:
    """Threads in creation order; ``record`` is (object, record id), ``entry`` (list, entry id)."""
    out = []
    object_id = ws.schema.get_object(record[0]).id if record else None
    list_id = ws.schema.get_list(entry[0]).id if entry else None
    for thread in ws.threads.values():
        if record is not None and (
            thread["_object_id"] != object_id
            or thread["_record_id"] != record[1]
            or thread["_entry_id"] is not None
        ):
            continue
        if entry is not None and (thread["_list_id"] != list_id or thread["_entry_id"] != entry[1]):
            continue
        out.append(thread)
    return out
