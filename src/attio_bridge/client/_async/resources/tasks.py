"""Tasks (``/v2/tasks``)."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from typing import Any

from ..._types import NOT_GIVEN, NotGiven, strip_not_given
from ...models import Task
from ..pagination import iter_offset
from ._base import AsyncResource, _seg

# Documented page-size caps (API-NOTES §1, gotcha 4).
TASKS_PAGE = 500


class AsyncTasks(AsyncResource):
    """Tasks."""

    async def list(
        self,
        *,
        linked_object: str | NotGiven = NOT_GIVEN,
        linked_record_id: str | NotGiven = NOT_GIVEN,
        assignee: str | NotGiven | None = NOT_GIVEN,
        is_completed: bool | NotGiven = NOT_GIVEN,
        sort: str | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        offset: int | NotGiven = NOT_GIVEN,
    ) -> builtins.list[Task]:
        """One page of tasks (``assignee=None`` lists unassigned tasks)."""
        params: dict[str, Any] = {
            "linked_object": linked_object,
            "linked_record_id": linked_record_id,
            "is_completed": is_completed,
            "sort": sort,
            "limit": limit,
            "offset": offset,
        }
        if assignee is None:
            params["assignee"] = "null"
        elif not isinstance(assignee, NotGiven):
            params["assignee"] = assignee
        data = await self._data("GET", "/v2/tasks", **params)
        return [Task.model_validate(t) for t in data]

    def iter(self, **filters: Any) -> AsyncIterator[Task]:
        """Every task matching the ``list`` filters."""

        async def fetch(limit: int, offset: int) -> builtins.list[Task]:
            return await self.list(limit=limit, offset=offset, **filters)

        return iter_offset(fetch, TASKS_PAGE)

    async def create(
        self,
        *,
        content: str,
        deadline_at: str | None = None,
        is_completed: bool = False,
        linked_records: builtins.list[dict[str, Any]] | None = None,
        assignees: builtins.list[dict[str, Any]] | None = None,
    ) -> Task:
        """Create a task (Attio requires all six fields; empty lists are fine)."""
        data = {
            "content": content,
            "format": "plaintext",
            "deadline_at": deadline_at,
            "is_completed": is_completed,
            "linked_records": linked_records or [],
            "assignees": assignees or [],
        }
        return Task.model_validate(await self._data("POST", "/v2/tasks", {"data": data}))

    async def get(self, task_id: str) -> Task:
        """Get a task."""
        return Task.model_validate(await self._data("GET", f"/v2/tasks/{_seg(task_id)}"))

    async def update(
        self,
        task_id: str,
        *,
        deadline_at: str | NotGiven | None = NOT_GIVEN,
        is_completed: bool | NotGiven = NOT_GIVEN,
        linked_records: builtins.list[dict[str, Any]] | NotGiven = NOT_GIVEN,
        assignees: builtins.list[dict[str, Any]] | NotGiven = NOT_GIVEN,
    ) -> Task:
        """Update a task's deadline, completion, links or assignees (the only writable fields)."""
        data = strip_not_given(
            {
                "deadline_at": deadline_at,
                "is_completed": is_completed,
                "linked_records": linked_records,
                "assignees": assignees,
            }
        )
        path = f"/v2/tasks/{_seg(task_id)}"
        return Task.model_validate(await self._data("PATCH", path, {"data": data}))

    async def delete(self, task_id: str) -> None:
        """Delete a task."""
        await self._data("DELETE", f"/v2/tasks/{_seg(task_id)}")
