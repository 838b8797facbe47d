"""Meetings (``/v2/meetings``, beta)."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from typing import Any

from ..._types import NOT_GIVEN, NotGiven
from ...models import Meeting
from ..pagination import iter_cursor
from ._base import CURSOR_MAX, AsyncResource, _seg


class AsyncMeetings(AsyncResource):
    """Meetings (beta)."""

    async def list_page(
        self, *, cursor: str | None = None, limit: int | NotGiven = NOT_GIVEN, **filters: Any
    ) -> tuple[builtins.list[Meeting], str | None]:
        """One page of meetings and the next cursor."""
        result = await self._get("/v2/meetings", cursor=cursor, limit=limit, **filters)
        items = [Meeting.model_validate(m) for m in result.get("data", [])]
        return items, (result.get("pagination") or {}).get("next_cursor")

    def iter(self, **filters: Any) -> AsyncIterator[Meeting]:
        """Every meeting matching ``filters``."""

        async def fetch(cursor: str | None) -> tuple[builtins.list[Meeting], str | None]:
            return await self.list_page(cursor=cursor, limit=CURSOR_MAX, **filters)

        return iter_cursor(fetch)

    async def create_or_find(self, data: dict[str, Any]) -> Meeting:
        """Find the meeting with this ``external_ref``, or create it."""
        return Meeting.model_validate(await self._data("POST", "/v2/meetings", {"data": data}))

    async def get(self, meeting_id: str) -> Meeting:
        """Get a meeting."""
        return Meeting.model_validate(await self._data("GET", f"/v2/meetings/{_seg(meeting_id)}"))

    async def update(
        self, meeting_id: str, linked_records: builtins.list[dict[str, str]]
    ) -> Meeting:
        """Link more records to a meeting (``PATCH``: ``linked_records`` are added to its links;
        each is ``{"object": slug or id, "record_id": ...}``)."""
        path = f"/v2/meetings/{_seg(meeting_id)}"
        return Meeting.model_validate(await self._data("PATCH", path, _links(linked_records)))

    async def overwrite(
        self, meeting_id: str, linked_records: builtins.list[dict[str, str]]
    ) -> Meeting:
        """Replace a meeting's linked records with ``linked_records`` (``PUT``)."""
        path = f"/v2/meetings/{_seg(meeting_id)}"
        return Meeting.model_validate(await self._data("PUT", path, _links(linked_records)))

    async def delete(self, meeting_id: str) -> None:
        """Delete a meeting (its call recordings go with it)."""
        await self._data("DELETE", f"/v2/meetings/{_seg(meeting_id)}")


def _links(linked_records: builtins.list[dict[str, str]]) -> dict[str, Any]:
    return {"data": {"linked_records": linked_records}}
