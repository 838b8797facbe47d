"""Call recordings of meetings and their transcripts:
``/v2/meetings/{meeting_id}/call_recordings``.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from typing import Any

from ..._types import NOT_GIVEN, NotGiven
from ...models import CallRecording, TranscriptPage
from ..pagination import iter_cursor
from ._base import CURSOR_MAX, AsyncResource, _seg


class AsyncCallRecordings(AsyncResource):
    """Call recordings of meetings and their transcripts."""

    @staticmethod
    def _base(meeting_id: str) -> str:
        return f"/v2/meetings/{_seg(meeting_id)}/call_recordings"

    async def list_page(
        self, meeting_id: str, *, cursor: str | None = None, limit: int | NotGiven = NOT_GIVEN
    ) -> tuple[builtins.list[CallRecording], str | None]:
        """One page of a meeting's recordings and the next cursor."""
        result = await self._get(self._base(meeting_id), cursor=cursor, limit=limit)
        items = [CallRecording.model_validate(r) for r in result.get("data", [])]
        return items, (result.get("pagination") or {}).get("next_cursor")

    def iter(self, meeting_id: str) -> AsyncIterator[CallRecording]:
        """Every recording of a meeting."""

        async def fetch(cursor: str | None) -> tuple[builtins.list[CallRecording], str | None]:
            return await self.list_page(meeting_id, cursor=cursor, limit=CURSOR_MAX)

        return iter_cursor(fetch)

    async def create(self, meeting_id: str, *, video_url: str) -> CallRecording:
        """Create a recording from an https .mp4 URL (Attio allows 1 per second)."""
        body = {"data": {"video_url": video_url}}
        return CallRecording.model_validate(await self._data("POST", self._base(meeting_id), body))

    async def get(self, meeting_id: str, call_recording_id: str) -> CallRecording:
        """Get a recording."""
        path = f"{self._base(meeting_id)}/{_seg(call_recording_id)}"
        return CallRecording.model_validate(await self._data("GET", path))

    async def delete(self, meeting_id: str, call_recording_id: str) -> None:
        """Delete a recording (Attio answers 204)."""
        await self._client.request("DELETE", f"{self._base(meeting_id)}/{_seg(call_recording_id)}")

    async def transcript_page(
        self, meeting_id: str, call_recording_id: str, *, cursor: str | None = None
    ) -> tuple[TranscriptPage, str | None]:
        """One page of a transcript and the next cursor."""
        path = f"{self._base(meeting_id)}/{_seg(call_recording_id)}/transcript"
        result = await self._get(path, cursor=cursor)
        page = TranscriptPage.model_validate(result.get("data") or {})
        return page, (result.get("pagination") or {}).get("next_cursor")

    def iter_transcript(
        self, meeting_id: str, call_recording_id: str
    ) -> AsyncIterator[dict[str, Any]]:
        """Every transcript segment of a recording."""

        async def fetch(cursor: str | None) -> tuple[builtins.list[dict[str, Any]], str | None]:
            page, nxt = await self.transcript_page(meeting_id, call_recording_id, cursor=cursor)
            return page.transcript, nxt

        return iter_cursor(fetch)
