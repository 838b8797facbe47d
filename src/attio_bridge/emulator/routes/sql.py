"""Route for SQL: ``POST /v2/sql`` (docs.attio.com/rest-api/endpoint-reference/sql/query-sql).

Read-only SQL over the workspace (``models/sql.py``), answered ``{"data": {"rows": [...]}}``.
SQL is an Enterprise-plan feature: with ``EmulatorConfig.sql_enabled`` off the workspace is on
another plan and the answer is 403 ``billing_error``. The endpoint has its own limit of 2
requests per second per token (``sql_rate``), besides the read budget.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..errors import BillingError, RateLimitError
from ..http import Call, RouteTable, error_response, retry_after_date
from ..models.sql import SqlError, database_of

table = RouteTable()


@table.route("POST", "/v2/sql", write=False)
async def query_sql(call: Call) -> Any:
    config = call.state.config
    if not config.sql_enabled:
        raise BillingError(
            "SQL is only available on the Enterprise plan: this workspace's plan does not "
            "include it."
        )
    limiter = call.state.sql_budget
    now = limiter.clock()
    if not limiter.take(call.token.token_id, False, now):
        return error_response(RateLimitError(), {"Retry-After": retry_after_date(now)})
    body = await call.flat()
    sql = body.get("sql")
    if not isinstance(sql, str):
        raise SqlError('"sql" is required: one SELECT statement, as a string.')
    # Prepared on the event loop (the workspace is only ever read there); run beside it, so a
    # slow query holds up no other request.
    database = database_of(call.ws)
    query = database.prepare(call.ws, sql)
    rows = await asyncio.to_thread(
        database.run, query, timeout_s=config.sql_timeout_s, row_limit=config.sql_row_limit
    )
    return {"data": {"rows": rows}}
