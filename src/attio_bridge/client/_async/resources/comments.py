"""Comments (``/v2/comments``)."""

from __future__ import annotations

from typing import Any

from ...models import Comment
from ._base import AsyncResource, _seg


class AsyncComments(AsyncResource):
    """Comments."""

    async def create(self, data: dict[str, Any]) -> Comment:
        """Create a comment (``data``: format, content, author and one of thread_id, record,
        entry)."""
        body = {"data": {"format": "plaintext", **data}}
        return Comment.model_validate(await self._data("POST", "/v2/comments", body))

    async def get(self, comment_id: str) -> Comment:
        """Get a comment."""
        return Comment.model_validate(await self._data("GET", f"/v2/comments/{_seg(comment_id)}"))

    async def delete(self, comment_id: str) -> None:
        """Delete a comment (the head comment takes its whole thread with it)."""
        await self._data("DELETE", f"/v2/comments/{_seg(comment_id)}")
