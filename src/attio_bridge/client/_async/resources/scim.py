"""SCIM (``/scim/v2``)."""

from __future__ import annotations

from typing import Any

from ._base import AsyncResource


class AsyncScim(AsyncResource):
    """SCIM (``/scim/v2``)."""

    async def list_schemas(self) -> Any:
        """The SCIM schemas."""
        return await self._client.request("GET", "/scim/v2/Schemas")
