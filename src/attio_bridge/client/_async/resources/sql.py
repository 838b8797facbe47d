"""SQL over the workspace (``POST /v2/sql``; docs.attio.com/sql/overview).

Read-only ``SELECT`` over one table per object (schema ``objects``, the default) and per list
(``lists.<slug>``), named by slug, one column per attribute slug. Enterprise plan only (403
``billing_error`` otherwise); 2 requests per second; 30-second execution timeout.
"""

from __future__ import annotations

import builtins
from typing import Any

from ._base import AsyncResource


class AsyncSql(AsyncResource):
    """Read-only SQL over records and list entries."""

    async def query(self, sql: str) -> builtins.list[dict[str, Any]]:
        """The rows ``sql`` (one ``SELECT``) returns, each a dict by column name; a refused
        query is a ``BadRequestError`` (``filter_error``) saying why."""
        data = await self._data("POST", "/v2/sql", {"sql": sql})
        rows: builtins.list[dict[str, Any]] = data["rows"]
        return rows
