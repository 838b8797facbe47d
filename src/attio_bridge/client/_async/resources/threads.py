"""Comment threads on records and entries (``/v2/threads``)."""

from __future__ import annotations

import builtins
from typing import Any

from ..._types import NOT_GIVEN, NotGiven
from ...models import Thread
from ._base import AsyncResource, _seg


class AsyncThreads(AsyncResource):
    """Comment threads on records and entries."""

    async def list(
        self,
        *,
        record_id: str | NotGiven = NOT_GIVEN,
        object: str | NotGiven = NOT_GIVEN,
        entry_id: str | NotGiven = NOT_GIVEN,
        list: str | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        offset: int | NotGiven = NOT_GIVEN,
    ) -> builtins.list[Thread]:
        """One page of threads of a record (``record_id``+``object``) or entry."""
        data = await self._data(
            "GET",
            "/v2/threads",
            record_id=record_id,
            object=object,
            entry_id=entry_id,
            list=list,
            limit=limit,
            offset=offset,
        )
        return [Thread.model_validate(t) for t in data]

    async def get(self, thread_id: str) -> Thread:
        """A thread with all its comments (a long thread's later pages, which the newer API
        announces in ``pagination.next_cursor``, are fetched and added in order)."""
        path = f"/v2/threads/{_seg(thread_id)}"
        result = await self._get(path)
        thread = Thread.model_validate(result["data"])
        cursor = _next_cursor(result)
        while cursor:
            result = await self._get(path, cursor=cursor)
            thread.comments.extend(Thread.model_validate(result["data"]).comments)
            cursor = _next_cursor(result)
        return thread


def _next_cursor(result: dict[str, Any]) -> str | None:
    cursor = (result.get("pagination") or {}).get("next_cursor")
    return str(cursor) if cursor else None
