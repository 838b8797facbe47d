"""API token scopes: which scopes each operation needs, and the check that refuses the rest.

Attio gives every token scopes, each ``<area>:read`` or ``<area>:read-write`` (a ``read-write``
scope grants ``read`` too). ``REQUIRED`` lists what each operation needs, as the vendored spec's
``security`` blocks say for its 67 operations and Attio's endpoint reference ("Required scopes:"
on each docs.attio.com/rest-api/endpoint-reference page) for the newer ones. The attribute
endpoints under ``/v2/{target}/...`` need ``object_configuration``, or ``list_configuration``
when ``target`` is ``lists`` (API-NOTES §1). ``/v2/self`` needs none.

A request outside its token's scopes is answered with Attio's 403 body (``auth_error``,
``unauthorized``, API-NOTES §8) before its handler runs; the message names the missing scope.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import EmulatorError

# Every scope Attio grants (API-NOTES "Scopes", the spec's securitySchemes).
AREAS = (
    "user_management",
    "record_permission",
    "object_configuration",
    "list_entry",
    "list_configuration",
    "public_collection",
    "private_collection",
    "comment",
    "task",
    "note",
    "meeting",
    "call_recording",
    "webhook",
    "file",
    "email",
    "activity_configuration",
    "activity_record",
    "sequence_unsubscribe",
    "scim_management",
)
ALL_SCOPES: tuple[str, ...] = tuple(f"{area}:read-write" for area in AREAS)

REQUIRED: dict[str, tuple[str, ...]] = {
    "GET /v2/activities": ("activity_configuration:read",),
    "POST /v2/activities": ("activity_configuration:read-write",),
    "GET /v2/activities/{activity}": ("activity_configuration:read",),
    "PATCH /v2/activities/{activity}": ("activity_configuration:read-write",),
    "DELETE /v2/activities/{activity}": (
        "activity_configuration:read-write",
        "activity_record:read-write",
    ),
    "POST /v2/activities/{activity}/records/query": (
        "activity_record:read",
        "activity_configuration:read",
        "object_configuration:read",
        "record_permission:read",
    ),
    "POST /v2/activities/{activity}/records": (
        "activity_record:read-write",
        "activity_configuration:read",
        "object_configuration:read",
        "record_permission:read",
    ),
    "PUT /v2/activities/{activity}/records": (
        "activity_record:read-write",
        "activity_configuration:read",
        "object_configuration:read",
        "record_permission:read",
    ),
    "GET /v2/activities/{activity}/records/{record_id}": (
        "activity_record:read",
        "activity_configuration:read",
        "object_configuration:read",
        "record_permission:read",
    ),
    "PATCH /v2/activities/{activity}/records/{record_id}": (
        "activity_record:read-write",
        "activity_configuration:read",
        "object_configuration:read",
        "record_permission:read",
    ),
    "PUT /v2/activities/{activity}/records/{record_id}": (
        "activity_record:read-write",
        "activity_configuration:read",
        "object_configuration:read",
        "record_permission:read",
    ),
    "DELETE /v2/activities/{activity}/records/{record_id}": (
        "activity_record:read-write",
        "activity_configuration:read",
        "object_configuration:read",
        "record_permission:read",
    ),
    "GET /v2/meetings/{meeting_id}/call_recordings": ("meeting:read", "call_recording:read"),
    "POST /v2/meetings/{meeting_id}/call_recordings": (
        "meeting:read",
        "call_recording:read-write",
    ),
    "GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}": (
        "meeting:read",
        "call_recording:read",
    ),
    "DELETE /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}": (
        "meeting:read",
        "call_recording:read-write",
    ),
    "POST /v2/comments": ("comment:read-write",),
    "GET /v2/comments/{comment_id}": ("comment:read",),
    "DELETE /v2/comments/{comment_id}": ("comment:read-write",),
    "GET /v2/emails": ("email:read", "record_permission:read", "object_configuration:read"),
    "POST /v2/lists/{list}/entries/query": ("list_entry:read", "list_configuration:read"),
    "POST /v2/lists/{list}/entries": ("list_entry:read-write", "list_configuration:read"),
    "PUT /v2/lists/{list}/entries": ("list_entry:read-write", "list_configuration:read"),
    "GET /v2/lists/{list}/entries/{entry_id}": ("list_entry:read", "list_configuration:read"),
    "PATCH /v2/lists/{list}/entries/{entry_id}": (
        "list_entry:read-write",
        "list_configuration:read",
    ),
    "PUT /v2/lists/{list}/entries/{entry_id}": (
        "list_entry:read-write",
        "list_configuration:read",
    ),
    "DELETE /v2/lists/{list}/entries/{entry_id}": (
        "list_entry:read-write",
        "list_configuration:read",
    ),
    "GET /v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values": (
        "list_entry:read",
        "list_configuration:read",
    ),
    "PUT /v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values": (
        "list_entry:read-write",
        "list_configuration:read",
    ),
    "GET /v2/files": ("object_configuration:read", "record_permission:read", "file:read"),
    "POST /v2/files": ("file:read-write", "object_configuration:read", "record_permission:read"),
    "POST /v2/files/upload": (
        "file:read-write",
        "object_configuration:read",
        "record_permission:read",
    ),
    "GET /v2/files/{file_id}": (
        "file:read",
        "object_configuration:read",
        "record_permission:read",
    ),
    "DELETE /v2/files/{file_id}": (
        "file:read-write",
        "object_configuration:read",
        "record_permission:read",
    ),
    "GET /v2/files/{file_id}/download": (
        "object_configuration:read",
        "record_permission:read",
        "file:read",
    ),
    "GET /v2/lists": ("list_configuration:read",),
    "POST /v2/lists": ("list_configuration:read-write",),
    "GET /v2/lists/{list}": ("list_configuration:read",),
    "PATCH /v2/lists/{list}": ("list_configuration:read-write",),
    "GET /v2/lists/{list}/views": ("list_configuration:read",),
    "GET /v2/meetings": ("meeting:read", "record_permission:read"),
    "POST /v2/meetings": ("meeting:read-write", "record_permission:read"),
    "GET /v2/meetings/{meeting_id}": ("meeting:read", "record_permission:read"),
    "PATCH /v2/meetings/{meeting_id}": ("meeting:read-write", "record_permission:read"),
    "PUT /v2/meetings/{meeting_id}": ("meeting:read-write", "record_permission:read"),
    "DELETE /v2/meetings/{meeting_id}": ("meeting:read-write",),
    "GET /v2/self": (),
    "GET /v2/notes": ("note:read", "object_configuration:read", "record_permission:read"),
    "POST /v2/notes": ("note:read-write", "object_configuration:read", "record_permission:read"),
    "GET /v2/notes/{note_id}": (
        "note:read",
        "object_configuration:read",
        "record_permission:read",
    ),
    "PATCH /v2/notes/{note_id}": (
        "note:read-write",
        "object_configuration:read",
        "record_permission:read",
    ),
    "DELETE /v2/notes/{note_id}": ("note:read-write",),
    "GET /v2/objects": ("object_configuration:read",),
    "POST /v2/objects": ("object_configuration:read-write",),
    "GET /v2/objects/{object}": ("object_configuration:read",),
    "PATCH /v2/objects/{object}": ("object_configuration:read-write",),
    "DELETE /v2/objects/{object}": (
        "object_configuration:read-write",
        "record_permission:read-write",
    ),
    "GET /v2/objects/{object}/views": ("object_configuration:read",),
    "POST /v2/objects/{object}/records/query": (
        "record_permission:read",
        "object_configuration:read",
    ),
    "POST /v2/objects/{object}/records": (
        "record_permission:read-write",
        "object_configuration:read",
    ),
    "PUT /v2/objects/{object}/records": (
        "record_permission:read-write",
        "object_configuration:read",
    ),
    "GET /v2/objects/{object}/records/{record_id}": (
        "record_permission:read",
        "object_configuration:read",
    ),
    "PATCH /v2/objects/{object}/records/{record_id}": (
        "record_permission:read-write",
        "object_configuration:read",
    ),
    "PUT /v2/objects/{object}/records/{record_id}": (
        "record_permission:read-write",
        "object_configuration:read",
    ),
    "DELETE /v2/objects/{object}/records/{record_id}": (
        "object_configuration:read",
        "record_permission:read-write",
    ),
    "POST /v2/objects/{object}/records/merge": (
        "record_permission:read-write",
        "object_configuration:read",
    ),
    "GET /v2/objects/{object}/records/{record_id}/attributes/{attribute}/values": (
        "record_permission:read",
        "object_configuration:read",
    ),
    "PUT /v2/objects/{object}/records/{record_id}/attributes/{attribute}/values": (
        "record_permission:read-write",
        "object_configuration:read",
    ),
    "GET /v2/objects/{object}/records/{record_id}/entries": (
        "record_permission:read",
        "object_configuration:read",
        "list_entry:read",
    ),
    "POST /v2/objects/records/search": ("record_permission:read", "object_configuration:read"),
    "POST /v2/sequences/unsubscribed_emails": ("sequence_unsubscribe:read-write",),
    "POST /v2/sql": ("record_permission:read", "object_configuration:read"),
    "GET /v2/tasks": (
        "task:read",
        "object_configuration:read",
        "record_permission:read",
        "user_management:read",
    ),
    "POST /v2/tasks": (
        "task:read-write",
        "object_configuration:read",
        "record_permission:read",
        "user_management:read",
    ),
    "GET /v2/tasks/{task_id}": (
        "task:read",
        "object_configuration:read",
        "record_permission:read",
        "user_management:read",
    ),
    "PATCH /v2/tasks/{task_id}": (
        "task:read-write",
        "object_configuration:read",
        "record_permission:read",
        "user_management:read",
    ),
    "DELETE /v2/tasks/{task_id}": ("task:read-write",),
    "GET /v2/threads": ("comment:read",),
    "GET /v2/threads/{thread_id}": ("comment:read",),
    "GET /v2/meetings/{meeting_id}/call_recordings/{call_recording_id}/transcript": (
        "meeting:read",
        "call_recording:read",
    ),
    "GET /v2/webhooks": ("webhook:read",),
    "POST /v2/webhooks": ("webhook:read-write",),
    "GET /v2/webhooks/{webhook_id}": ("webhook:read",),
    "PATCH /v2/webhooks/{webhook_id}": ("webhook:read-write",),
    "DELETE /v2/webhooks/{webhook_id}": ("webhook:read-write",),
    "GET /v2/workspace_members": ("user_management:read",),
    "GET /v2/workspace_members/{workspace_member_id}": ("user_management:read",),
    "GET /scim/v2/Schemas": ("scim_management:read-write",),
}

# The attribute endpoints: the configuration area depends on the target (objects or lists).
_ATTRIBUTE_OPERATIONS = {
    "GET /v2/{target}/{identifier}/attributes": "read",
    "POST /v2/{target}/{identifier}/attributes": "read-write",
    "GET /v2/{target}/{identifier}/attributes/{attribute}": "read",
    "PATCH /v2/{target}/{identifier}/attributes/{attribute}": "read-write",
    "GET /v2/{target}/{identifier}/attributes/{attribute}/options": "read",
    "POST /v2/{target}/{identifier}/attributes/{attribute}/options": "read-write",
    "PATCH /v2/{target}/{identifier}/attributes/{attribute}/options/{option}": "read-write",
    "GET /v2/{target}/{identifier}/attributes/{attribute}/statuses": "read",
    "POST /v2/{target}/{identifier}/attributes/{attribute}/statuses": "read-write",
    "PATCH /v2/{target}/{identifier}/attributes/{attribute}/statuses/{status}": "read-write",
}
_TARGET_AREAS = {
    "lists": "list_configuration",
    "activities": "activity_configuration",
}


class ScopeError(EmulatorError):
    """403: the token lacks a scope the operation needs (Attio's ``unauthorized``)."""

    status_code = 403
    type = "auth_error"
    code = "unauthorized"


def parse_scopes(raw: str | Iterable[str]) -> tuple[str, ...]:
    """Scopes from a comma- or space-separated string (or an iterable), checked against Attio's
    list; ``ValueError`` naming the unknown ones."""
    items = raw.replace(",", " ").split() if isinstance(raw, str) else list(raw)
    known = {f"{area}:{level}" for area in AREAS for level in ("read", "read-write")}
    unknown = [s for s in items if s not in known]
    if unknown:
        raise ValueError(
            f"unknown scope(s) {', '.join(unknown)}: each is <area>:read or <area>:read-write, "
            f"with <area> one of {', '.join(AREAS)}"
        )
    return tuple(dict.fromkeys(items))


def required_scopes(operation: str, path_params: dict[str, str]) -> tuple[str, ...]:
    """What ``operation`` (``METHOD /template``) needs, given its path parameters."""
    level = _ATTRIBUTE_OPERATIONS.get(operation)
    if level is not None:
        area = _TARGET_AREAS.get(path_params.get("target", ""), "object_configuration")
        return (f"{area}:{level}",)
    return REQUIRED.get(operation, ())


def grants(held: Iterable[str], scope: str) -> bool:
    """Whether the scopes ``held`` include ``scope`` (``x:read-write`` grants ``x:read``)."""
    area, _, level = scope.partition(":")
    have = set(held)
    return scope in have or (level == "read" and f"{area}:read-write" in have)


def check_scopes(held: Iterable[str], operation: str, path_params: dict[str, str]) -> None:
    """Raise ``ScopeError`` naming the first scope ``operation`` needs that ``held`` lacks."""
    held = tuple(held)
    needed = required_scopes(operation, path_params)
    missing = [s for s in needed if not grants(held, s)]
    if missing:
        raise ScopeError(
            f'This API token is missing the scope "{missing[0]}", which {operation} requires '
            f"(it needs {', '.join(needed)}). Grant the scope to the token, or use another."
        )
