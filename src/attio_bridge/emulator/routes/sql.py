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
from ..models.sql import SqlError, build_database, run_sql

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
    # Built on the event loop (the workspace is only ever touched there); run beside it, so a
    # slow query holds up no other request.
    db = build_database(call.ws, sql)
    try:
        rows = await asyncio.to_thread(
            run_sql, db, sql, timeout_s=config.sql_timeout_s, row_limit=config.sql_row_limit
        )
    finally:
        db.close()
    return {"data": {"rows": rows}}
