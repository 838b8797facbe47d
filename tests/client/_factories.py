"""Things the client's tests make through the client: people, lists, bodies Attio requires."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from attio_bridge.client import AsyncAttioClient
from attio_bridge.client.models import Record

from ._target import unique

Cleanup = list[Callable[[], Awaitable[Any]]]


async def person(attio: AsyncAttioClient, cleanup: Cleanup | None = None, **values: Any) -> Record:
    """A new person with a unique email address (deleted after the test when ``cleanup``)."""
    values.setdefault("email_addresses", [f"{unique('p')}@example.com"])
    record = await attio.records.create("people", values)
    if cleanup is not None:
        cleanup.append(lambda: attio.records.delete("people", record.record_id))
    return record


def attribute_body(slug: str, type_: str, **fields: Any) -> dict[str, Any]:
    """Every field ``POST .../attributes`` requires (SPEC create-attribute)."""
    return {
        "title": slug.replace("_", " ").title(),
        "description": f"Test attribute {slug}",
        "api_slug": slug,
        "type": type_,
        "is_required": False,
        "is_unique": False,
        "is_multiselect": False,
        "config": {},
        **fields,
    }


async def people_list(attio: AsyncAttioClient) -> str:
    """A new list of people; its slug."""
    slug = unique("list")
    await attio.lists.create(name=slug.title(), api_slug=slug, parent_object="people")
    return slug


async def member_id(attio: AsyncAttioClient) -> str:
    """The id of the workspace's first member."""
    members = await attio.workspace_members.list()
    return members[0].id["workspace_member_id"]


MEETING_START = "2026-03-02T10:00:00Z"


def meeting_body(ref: str, *, start: str = MEETING_START, **fields: Any) -> dict[str, Any]:
    """Every field ``POST /v2/meetings`` requires (API-NOTES §6)."""
    return {
        "title": "Kickoff",
        "description": "First call",
        "start": {"datetime": start, "timezone": "UTC"},
        "end": {"datetime": start.replace("T10:", "T11:"), "timezone": "UTC"},
        "is_all_day": False,
        "participants": [
            {"email_address": "ada@example.com", "is_organizer": True, "status": "accepted"}
        ],
        "external_ref": ref,
        **fields,
    }
