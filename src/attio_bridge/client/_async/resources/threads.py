"""Comment threads on records and entries (``/v2/threads``)."""

from __future__ import annotations

import builtins

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
        """A thread with all its comments."""
        return Thread.model_validate(await self._data("GET", f"/v2/threads/{_seg(thread_id)}"))
