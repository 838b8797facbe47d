"""Lists (``/v2/lists``): list, create, get and update them."""

from __future__ import annotations

import builtins
from typing import Any

from ...models import AttioList
from ._base import AsyncResource, _seg


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
