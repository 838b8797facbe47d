"""Notes on records (``/v2/notes``)."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator

from ..._types import NOT_GIVEN, NotGiven, strip_not_given
from ...models import Note
from ..pagination import iter_offset
from ._base import AsyncResource, _seg

# Documented page-size caps (API-NOTES §1, gotcha 4).
NOTES_MAX = 50


class AsyncNotes(AsyncResource):
    """Notes on records."""

    async def list(
        self,
        *,
        parent_object: str | NotGiven = NOT_GIVEN,
        parent_record_id: str | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        offset: int | NotGiven = NOT_GIVEN,
    ) -> builtins.list[Note]:
        """One page of notes, optionally of one record."""
        data = await self._data(
            "GET",
            "/v2/notes",
            parent_object=parent_object,
            parent_record_id=parent_record_id,
            limit=limit,
            offset=offset,
        )
        return [Note.model_validate(n) for n in data]

    def iter(
        self,
        *,
        parent_object: str | NotGiven = NOT_GIVEN,
        parent_record_id: str | NotGiven = NOT_GIVEN,
    ) -> AsyncIterator[Note]:
        """Every note, optionally of one record (pages of 50, Attio's maximum)."""

        async def fetch(limit: int, offset: int) -> builtins.list[Note]:
            return await self.list(
                parent_object=parent_object,
                parent_record_id=parent_record_id,
                limit=limit,
                offset=offset,
            )

        return iter_offset(fetch, NOTES_MAX)

    async def create(
        self,
        *,
        parent_object: str,
        parent_record_id: str,
        title: str,
        content: str,
        format: str = "plaintext",
        created_at: str | NotGiven = NOT_GIVEN,
        meeting_id: str | NotGiven | None = NOT_GIVEN,
    ) -> Note:
        """Create a note (``format`` "plaintext" or "markdown"; ``created_at`` to backdate)."""
        data = strip_not_given(
            {
                "parent_object": parent_object,
                "parent_record_id": parent_record_id,
                "title": title,
                "format": format,
                "content": content,
                "created_at": created_at,
                "meeting_id": meeting_id,
            }
        )
        return Note.model_validate(await self._data("POST", "/v2/notes", {"data": data}))

    async def get(self, note_id: str) -> Note:
        """Get a note."""
        return Note.model_validate(await self._data("GET", f"/v2/notes/{_seg(note_id)}"))

    async def update(
        self,
        note_id: str,
        *,
        title: str | NotGiven = NOT_GIVEN,
        content: str | NotGiven = NOT_GIVEN,
        format: str | NotGiven = NOT_GIVEN,
    ) -> Note:
        """Change a note's title and/or content in place (``PATCH``; its parent cannot change).

        Only what is given changes; ``format`` ("plaintext", the default, or "markdown") says
        how ``content`` is written. Attio fires ``note.updated`` for a new title and
        ``note-content.updated`` for new content.
        """
        data = strip_not_given({"title": title, "format": format, "content": content})
        path = f"/v2/notes/{_seg(note_id)}"
        return Note.model_validate(await self._data("PATCH", path, {"data": data}))

    async def delete(self, note_id: str) -> None:
        """Delete a note."""
        await self._data("DELETE", f"/v2/notes/{_seg(note_id)}")
