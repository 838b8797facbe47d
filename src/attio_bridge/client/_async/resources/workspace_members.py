"""Workspace members (``/v2/workspace_members``)."""

from __future__ import annotations

import builtins

from ...models import WorkspaceMember
from ._base import AsyncResource, _seg


class AsyncWorkspaceMembers(AsyncResource):
    """Workspace members."""

    async def list(self) -> builtins.list[WorkspaceMember]:
        """Every member of the workspace."""
        data = await self._data("GET", "/v2/workspace_members")
        return [WorkspaceMember.model_validate(m) for m in data]

    async def get(self, workspace_member_id: str) -> WorkspaceMember:
        """One member."""
        path = f"/v2/workspace_members/{_seg(workspace_member_id)}"
        return WorkspaceMember.model_validate(await self._data("GET", path))
