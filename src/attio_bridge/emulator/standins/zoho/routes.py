"""The Zoho stand-in's routes: Zoho CRM REST API v7 for the Services module.

Shapes follow Zoho CRM's API v7 reference: ``GET /crm/v7/Services?fields=&page=&per_page=``
(``{"data", "info": {"per_page", "count", "page", "more_records", "next_page_token", "sort_by",
"sort_order"}}``, 204 without a body when nothing matches; ``fields`` is required; past 2,000
records only ``page_token`` pages), the ``If-Modified-Since``
header (records modified at or after it; 304 when none), ``GET /crm/v7/Services/{id}``
(``{"data": [record]}``; 204 when there is no such record), ``GET /crm/v7/Services/deleted``
(``{"data": [{"id", "type", "deleted_time", "display_name", ...}], "info"}``), ``GET
/crm/v7/Services/search?criteria=(Field:equals:value)`` (``equals`` or ``starts_with``, criteria
joined by ``and``, ``\\`` escaping ``(``, ``)`` and ``,``; text compared without case; 204 when
nothing matches), ``GET /crm/v7/settings/fields?module=Services`` and the writes
(``POST``/``PUT``/``DELETE``, answering
``{"data": [{"code": "SUCCESS", "details": {"id", ...}, "message", "status"}]}``). Errors are
``{"code", "details", "message", "status": "error"}``; each write is notified (``notifications``)
when ``EmulatorConfig.zoho_notify_url`` is set; a 429 is ``TOO_MANY_REQUESTS`` with
``X-RATELIMIT-LIMIT``/``-REMAINING``/``-RESET`` and ``Retry-After``. Tokens: ``Authorization:
Zoho-oauthtoken ...`` with an emulator API key or one of ``EmulatorConfig.zoho_tokens``.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...http import json_response
from ...persistence import logged_write
from .._crm import CrmError, CrmRecord, RateWindow, crm_endpoint
from .model import MODULE, ZohoModel, zoho_time
from .notifications import send_notification

if TYPE_CHECKING:
    from ...state import EmulatorState

NAME = "zoho"
MAX_PER_PAGE = 200
_CODES = {
    400: "INVALID_DATA",
    401: "INVALID_TOKEN",
    404: "INVALID_URL_PATTERN",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_ERROR",
}


def render_error(err: CrmError) -> Response:
    """Zoho's error body; a 429 with its rate-limit headers."""
    code = err.code if err.code.isupper() else _CODES.get(err.status, "INTERNAL_ERROR")
    body = {"code": code, "details": {}, "message": err.message, "status": "error"}
    headers: dict[str, str] = {}
    if err.status == 429:
        wait = err.retry_after or 60.0
        headers = {
            "X-RATELIMIT-LIMIT": "0",
            "X-RATELIMIT-REMAINING": "0",
            "X-RATELIMIT-RESET": str(int((time.time() + wait) * 1000)),
            "Retry-After": str(math.ceil(wait)),
        }
    return json_response(body, err.status, headers=headers)


def write(model: ZohoModel, params: dict[str, Any]) -> CrmRecord:
    """Apply one write (``{"op", "id"?, "fields"?}``), as the routes and replay do."""
    op = params["op"]
    if op == "create":
        return model.create(MODULE, params["fields"])
    if op == "update":
        return model.update(MODULE, params["id"], params["fields"])
    return model.delete(MODULE, params["id"])


def replay(model: ZohoModel, params: dict[str, Any]) -> None:
    """Apply a logged write again (``--database``)."""
    try:
        write(model, params)
    except CrmError as err:
        raise ValueError(f"Zoho answered {err.status}: {err.message}") from None


def _int(raw: str | None, default: int, name: str, top: int | None = None) -> int:
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise CrmError(400, "INVALID_DATA", f"invalid data for {name}") from None
    if value < 1 or (top is not None and value > top):
        raise CrmError(400, "INVALID_DATA", f"{name} must be between 1 and {top or 'more'}")
    return value


def _since(raw: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise CrmError(400, "INVALID_DATA", "If-Modified-Since is not an ISO 8601 time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _listing(
    rows: list[dict[str, Any]], page: int, per_page: int, extra: dict[str, Any]
) -> Response:
    chunk = rows[(page - 1) * per_page : page * per_page]
    if not chunk:
        return Response(status_code=204)
    more = page * per_page < len(rows)
    info = {
        "per_page": per_page,
        "count": len(chunk),
        "page": page,
        "more_records": more,
        # v7 pages past 2,000 records with page_token only; the stand-in's token is the page.
        "next_page_token": f"pt{page + 1}" if more else None,
        "previous_page_token": f"pt{page - 1}" if page > 1 else None,
        **extra,
    }
    return json_response({"data": chunk, "info": info})


def _page_of(q: Any) -> int:
    token = q.get("page_token")
    if token:
        if not token.startswith("pt") or not token[2:].isdigit() or int(token[2:]) < 1:
            raise CrmError(400, "INVALID_DATA", "invalid data for page_token")
        return int(token[2:])
    page = _int(q.get("page"), 1, "page")
    if (page - 1) * _int(q.get("per_page"), MAX_PER_PAGE, "per_page") >= 2000:
        raise CrmError(
            400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED", "use page_token to fetch beyond 2000 records"
        )
    return page


def _criteria(text: str) -> list[tuple[str, str, str]]:
    """``(Field:op:value) and (...)`` as ``(field, op, value)`` triples, escapes resolved."""
    groups: list[str] = []
    between: list[str] = []  # the text after each group
    current: list[str] | None = None
    chars = iter(text.strip())
    for c in chars:
        if current is None:
            if c == "(":
                current = []
                between.append("")
            elif between:
                between[-1] += c
            else:
                raise CrmError(400, "INVALID_QUERY", f"invalid criteria: {text!r}")
        elif c == "\\":
            current.append(next(chars, ""))
        elif c == ")":
            groups.append("".join(current))
            current = None
        else:
            current.append(c)
    after = [b.strip().lower() for b in between]  # after each group: "and", the last nothing
    if current is not None or not groups or after != ["and"] * (len(after) - 1) + [""]:
        raise CrmError(400, "INVALID_QUERY", f"invalid criteria: {text!r}")
    out = []
    for group in groups:
        field, op, value = [*group.split(":", 2), "", ""][:3]
        out.append((field.strip(), op.strip(), value))
    return out


def search(records: list[CrmRecord], criteria: str, fields: set[str]) -> list[CrmRecord]:
    """The records matching every criterion (``equals`` / ``starts_with``, without case)."""
    found = records
    for field, op, value in _criteria(criteria):
        if field not in fields:
            raise CrmError(400, "INVALID_QUERY", f"invalid field {field!r} in criteria")
        wanted = value.casefold()
        if op == "equals":
            found = [r for r in found if str(r.properties.get(field, "")).casefold() == wanted]
        elif op == "starts_with":
            found = [
                r for r in found if str(r.properties.get(field, "")).casefold().startswith(wanted)
            ]
        else:
            raise CrmError(400, "INVALID_QUERY", f"operator {op!r} is not supported")
    return found


def zoho_routes(state: EmulatorState) -> list[BaseRoute]:
    """The ``/crm/v7/...`` routes acting on the live ``ZohoModel``."""

    def model() -> ZohoModel:
        return state.standins.model(NAME, ZohoModel)

    def token_ok(request: Request) -> bool | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme != "Zoho-oauthtoken" or not token.strip():
            return None
        token = token.strip()
        return token in state.config.api_keys or token in state.config.zoho_tokens

    def method(request: Request) -> str:
        path = request.url.path
        if path.endswith("/settings/fields"):
            return "fields"
        if path.endswith("/deleted"):
            return "deleted"
        if path.endswith("/search"):
            return "search"
        if "record_id" in request.path_params:
            return {"GET": "get", "PUT": "update"}.get(request.method, "delete")
        return "list" if request.method == "GET" else "create"

    def limiter() -> RateWindow:
        return model().rate

    async def handle(request: Request) -> Response:
        op = method(request)
        m = model()
        q = request.query_params
        if op == "fields":
            if q.get("module") != MODULE:
                raise CrmError(400, "INVALID_MODULE", "the module name given seems to be invalid")
            return json_response(
                {"fields": [{"api_name": n, "data_type": t} for n, t in m.fields[MODULE].items()]}
            )
        if request.path_params.get("module", MODULE) != MODULE:
            raise CrmError(400, "INVALID_MODULE", "the module name given seems to be invalid")
        page = _page_of(q)
        per_page = _int(q.get("per_page"), MAX_PER_PAGE, "per_page", MAX_PER_PAGE)
        if op == "list":
            fields = [f for f in q.get("fields", "").split(",") if f]
            if not fields:
                raise CrmError(
                    400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing"
                )
            since = request.headers.get("if-modified-since")
            if since:
                records = m.modified_between(MODULE, _since(since))
                if not records:
                    return Response(status_code=304)
                extra = {"sort_by": "Modified_Time", "sort_order": "asc"}
            else:
                records = m.live(MODULE)
                extra = {"sort_by": "id", "sort_order": "asc"}
            rows = [m.render(r, fields) for r in records]
            return _listing(rows, page, per_page, extra)
        if op == "search":
            records = search(m.live(MODULE), q.get("criteria", ""), set(m.fields[MODULE]))
            return _listing([m.render(r) for r in records], page, per_page, {})
        if op == "deleted":
            rows = [
                {
                    "deleted_by": {"name": "Sandbox", "id": "5725767000000100001"},
                    "id": r.id,
                    "display_name": r.properties.get("Service_Name"),
                    "type": "recycle",
                    "created_by": {"name": "Sandbox", "id": "5725767000000100001"},
                    "deleted_time": zoho_time(r.deleted or r.modified),
                }
                for r in m.deleted_records(MODULE)
            ]
            return _listing(rows, page, per_page, {})
        if op == "get":
            try:
                record = m.get(MODULE, request.path_params["record_id"])
            except CrmError:
                return Response(status_code=204)
            return json_response({"data": [m.render(record)]})
        params: dict[str, Any] = {"op": op}
        if op != "create":
            params["id"] = request.path_params["record_id"]
        if op != "delete":
            try:
                body = orjson.loads(await request.body() or b"{}")
            except orjson.JSONDecodeError:
                raise CrmError(400, "INVALID_DATA", "the body is not valid JSON") from None
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list) or len(data) != 1 or not isinstance(data[0], dict):
                raise CrmError(400, "INVALID_DATA", 'the body must be {"data": [record]}')
            params["fields"] = data[0]
        record = logged_write(state, NAME, params, lambda: write(model(), params))
        send_notification(state, op, record, params.get("fields", {}))
        message = {"create": "record added", "update": "record updated"}.get(op, "record deleted")
        details: dict[str, Any] = {"id": record.id}
        if op != "delete":
            details.update(
                Modified_Time=zoho_time(record.modified), Created_Time=zoho_time(record.created)
            )
        result = {"code": "SUCCESS", "details": details, "message": message, "status": "success"}
        return json_response({"data": [result]}, 201 if op == "create" else 200)

    endpoint = crm_endpoint(state, NAME, method, token_ok, render_error, limiter, handle)
    return [
        Route("/crm/v7/settings/fields", endpoint, methods=["GET"]),
        Route("/crm/v7/{module}/deleted", endpoint, methods=["GET"]),
        Route("/crm/v7/{module}/search", endpoint, methods=["GET"]),
        Route("/crm/v7/{module}", endpoint, methods=["GET", "POST"]),
        Route("/crm/v7/{module}/{record_id}", endpoint, methods=["GET", "PUT", "DELETE"]),
    ]
