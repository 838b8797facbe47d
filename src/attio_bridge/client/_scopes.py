"""Which scope an Attio request needs, worked out from its method and path.

The client names the missing scope when Attio refuses a request with 403 ``unauthorized``:
Attio's own message ("You do not have the necessary permissions ...") does not. Each path
belongs to one scope area (Attio's endpoint reference lists "Required scopes" per operation; the
first one named is the area's own), and reads need ``:read`` while writes need ``:read-write``.
Record and entry queries and the record search are POSTs that only read.
"""

from __future__ import annotations

import re

# (path pattern, area), first match wins: longer, more specific paths first.
_AREAS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), area)
    for pattern, area in (
        (r"^/v2/(objects|lists)/[^/]+/attributes(/|$)", "{configuration}"),
        (r"^/v2/objects/[^/]+/records(/|$)", "record_permission"),
        (r"^/v2/objects/records/search$", "record_permission"),
        (r"^/v2/objects(/|$)", "object_configuration"),
        (r"^/v2/lists/[^/]+/entries(/|$)", "list_entry"),
        (r"^/v2/lists(/|$)", "list_configuration"),
        (r"^/v2/activities/[^/]+/records(/|$)", "activity_record"),
        (r"^/v2/activities(/|$)", "activity_configuration"),
        (r"^/v2/workspace_members(/|$)", "user_management"),
        (r"^/v2/notes(/|$)", "note"),
        (r"^/v2/tasks(/|$)", "task"),
        (r"^/v2/(threads|comments)(/|$)", "comment"),
        (r"^/v2/meetings/[^/]+/call_recordings(/|$)", "call_recording"),
        (r"^/v2/meetings(/|$)", "meeting"),
        (r"^/v2/webhooks(/|$)", "webhook"),
        (r"^/v2/files(/|$)", "file"),
        (r"^/v2/emails(/|$)", "email"),
        (r"^/v2/sequences(/|$)", "sequence_unsubscribe"),
        (r"^/v2/sql$", "record_permission"),
        (r"^/scim/", "scim_management"),
    )
)
_READING_POSTS = re.compile(r"/(query|search)$|^/v2/sql$")
_SCOPE = re.compile(r"\b([a-z_]+:read(?:-write)?)\b")


def scope_for(method: str, path: str) -> str | None:
    """The scope ``method path`` needs above all (None for ``/v2/self`` or a path not known)."""
    for pattern, area in _AREAS:
        match = pattern.match(path)
        if match is None:
            continue
        if area == "{configuration}":
            area = "list_configuration" if match.group(1) == "lists" else "object_configuration"
        if area == "scim_management":
            return "scim_management:read-write"
        reads = method.upper() == "GET" or bool(_READING_POSTS.search(path))
        return f"{area}:{'read' if reads else 'read-write'}"
    return None


def named_scope(message: str) -> str | None:
    """The first scope a message names (``note:read-write``), if any."""
    match = _SCOPE.search(message)
    return match.group(1) if match else None
