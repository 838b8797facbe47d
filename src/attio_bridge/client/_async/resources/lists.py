"""Lists (``/v2/lists``): list, create, get and update them."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from typing import Any

from ..._types import NOT_GIVEN, NotGiven
from ...models import AttioList, View
from ..pagination import iter_cursor
from ._base import AsyncResource, _seg, views_page


class AsyncLists(AsyncResource):
    """Lists: ``/v2/lists``."""

    async def list(self) -> builtins.list[AttioList]:
        """All lists, in sidebar order."""
        return [AttioList.model_validate(x) for x in await self._data("GET", "/v2/lists")]

    async def create(
        self,
        *,
        name: str,
        api_slug: str,
        parent_object: str,
        workspace_access: str | None = "full-access",
        workspace_member_access: builtins.list[dict[str, Any]] | None = None,
    ) -> AttioList:
        """Create a list of ``parent_object`` records."""
        body: dict[str, Any] = {
            "data": {
                "name": name,
                "api_slug": api_slug,
                "parent_object": parent_object,
                "workspace_access": workspace_access,
                "workspace_member_access": workspace_member_access or [],
            }
        }
        return AttioList.model_validate(await self._data("POST", "/v2/lists", body))

    async def get(self, list: str) -> AttioList:
        """Get a list by slug or id."""
        return AttioList.model_validate(await self._data("GET", f"/v2/lists/{_seg(list)}"))

    async def update(self, list: str, data: dict[str, Any]) -> AttioList:
        """Update a list's name, slug or access."""
        path = f"/v2/lists/{_seg(list)}"
        return AttioList.model_validate(await self._data("PATCH", path, {"data": data}))

    async def list_views(
        self, list: str, *, cursor: str | None = None, limit: int | NotGiven = NOT_GIVEN
    ) -> tuple[builtins.list[View], str | None]:
        """One page of a list's saved views and the next cursor."""
        result = await self._get(f"/v2/lists/{_seg(list)}/views", cursor=cursor, limit=limit)
        return views_page(result)

    def iter_views(self, list: str) -> AsyncIterator[View]:
        """Every saved view of a list."""
        return iter_cursor(lambda cursor: self.list_views(list, cursor=cursor))
