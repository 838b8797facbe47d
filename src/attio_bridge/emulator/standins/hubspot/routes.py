"""The HubSpot stand-in's routes: CRM API v3 objects, search and properties.

Shapes follow developers.hubspot.com/docs/api/crm (objects, search) and the API usage guide:
records are ``{"id", "properties", "createdAt", "updatedAt", "archived"[, "archivedAt"]
[, "propertiesWithHistory"]}``; lists ``{"results", "paging": {"next": {"after", "link"}}}``;
errors ``{"status": "error", "message", "correlationId", "category"}``; a 429 carries
``errorType: RATE_LIMIT``, ``policyName`` and the ``X-HubSpot-RateLimit-*`` headers. Search
pages stop at 10,000 results, as HubSpot's do. Tokens: ``Authorization: Bearer`` with an
emulator API key or one of ``EmulatorConfig.hubspot_tokens``. Each write also sends HubSpot's
signed webhook when ``EmulatorConfig.hubspot_webhook_url`` is set (``webhooks``).

Batch endpoints (``POST /crm/v3/objects/{object}/batch/create|update|read``, at most 100
``inputs``) count as one request against the rate limit. An input that fails does not stop the
others: the answer is then 207 with ``numErrors`` and ``errors``, each naming its input in
``context`` (``objectWriteTraceId`` for creates, as HubSpot's multi-status mode does, ``ids``
for updates and reads); with no failure, 201 (create) or 200 with ``status: COMPLETE``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...http import json_response
from ...persistence import logged_write
from .._crm import CrmError, CrmRecord, RateWindow, bearer, crm_endpoint, json_object
from .model import DEFAULT_PROPERTIES, HubSpotModel, _iso
from .webhooks import send_webhook

if TYPE_CHECKING:
    from ...state import EmulatorState

NAME = "hubspot"
SEARCH_CAP = 10_000  # HubSpot: "the search endpoints are limited to 10,000 total results"
MAX_LIMIT = 100
BATCH_LIMIT = 100  # HubSpot: batch endpoints take at most 100 inputs
_CATEGORY = {400: "VALIDATION_ERROR", 401: "INVALID_AUTHENTICATION", 404: "OBJECT_NOT_FOUND"}


def render_error(err: CrmError) -> Response:
    """HubSpot's error body (and its rate-limit headers on a 429)."""
    body: dict[str, Any] = {
        "status": "error",
        "message": err.message,
        "correlationId": str(uuid.uuid4()),
        "category": _CATEGORY.get(err.status, "RATE_LIMITS" if err.status == 429 else "ERROR"),
    }
    headers: dict[str, str] = {}
    if err.status == 429:
        body.update(
            errorType="RATE_LIMIT",
            message="You have reached your ten_secondly_rolling limit.",
            policyName="TEN_SECONDLY_ROLLING",
        )
        headers = {
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int((err.retry_after or 10.0) * 1000)),
            "X-HubSpot-RateLimit-Remaining": "0",
        }
    return json_response(body, err.status, headers=headers)


def render(
    model: HubSpotModel,
    record: CrmRecord,
    properties: list[str] | None,
    with_history: list[str] | None = None,
) -> dict[str, Any]:
    """A record as HubSpot renders it, with the asked properties (or the object's defaults)."""
    every = model.properties_of(record)
    names = properties or [
        *DEFAULT_PROPERTIES[record.object],
        "hs_object_id",
        "createdate",
        "hs_lastmodifieddate",
    ]
    out: dict[str, Any] = {
        "id": record.id,
        "properties": {n: every.get(n) for n in names if n in model.fields[record.object]},
        "createdAt": _iso(record.created),
        "updatedAt": _iso(record.modified),
        "archived": record.deleted is not None,
    }
    if record.deleted is not None:
        out["archivedAt"] = _iso(record.deleted)
    if with_history:
        out["propertiesWithHistory"] = {
            name: [
                {"value": _str(v), "timestamp": _iso(at), "sourceType": "API"}
                for v, at in reversed(record.history.get(name, []))
            ]
            for name in with_history
            if name in model.fields[record.object]
        }
    return out


def _str(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else str(value)


def _names(request: Request, key: str) -> list[str] | None:
    # HubSpot takes a comma-separated list or the parameter repeated (as the SDK sends it).
    names = [n for raw in request.query_params.getlist(key) for n in raw.split(",") if n]
    return names or None


def _limit(raw: Any, default: int = 10) -> int:
    try:
        limit = int(raw if raw is not None else default)
    except (TypeError, ValueError):
        raise CrmError(400, "invalid", f"limit must be a number, not {raw!r}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise CrmError(400, "invalid", f"limit must be between 1 and {MAX_LIMIT}")
    return limit


def _after(raw: Any) -> int:
    try:
        return int(raw or 0)
    except (TypeError, ValueError):
        raise CrmError(400, "invalid", f"after must be a paging cursor, not {raw!r}") from None


async def _body(request: Request) -> dict[str, Any]:
    return await json_object(
        request, "invalid", "Invalid input JSON on line 1", "Invalid input JSON: expected an object"
    )


def write(model: HubSpotModel, params: dict[str, Any]) -> CrmRecord:
    """Apply one write (``{"op", "object", "id"?, "properties"?}``), as the routes and replay do."""
    op, object = params["op"], params["object"]
    if op == "create":
        return model.create(object, params["properties"])
    if op == "update":
        return model.update(object, params["id"], params["properties"])
    return model.delete(object, params["id"])


def replay(model: HubSpotModel, params: dict[str, Any]) -> None:
    """Apply a logged write again (``--database``)."""
    try:
        write(model, params)
    except CrmError as err:
        raise ValueError(f"HubSpot answered {err.status}: {err.message}") from None


def _page(records: list[CrmRecord], after: int, limit: int, path: str) -> dict[str, Any]:
    chunk = records[after : after + limit]
    out: dict[str, Any] = {"results": chunk}
    if after + limit < len(records):
        nxt = str(after + limit)
        out["paging"] = {"next": {"after": nxt, "link": f"{path}?after={nxt}"}}
    return out


def _ms(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    except (TypeError, ValueError):
        try:
            return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise CrmError(400, "invalid", f"{value!r} is not a valid date") from None


def _sort_key(name: str) -> Callable[[CrmRecord], tuple[Any, ...]]:
    """How search sorts by ``name``: the kept times, or a property's text."""
    if name == "hs_lastmodifieddate":
        return lambda r: (r.modified, int(r.id))
    if name == "createdate":
        return lambda r: (r.created, int(r.id))
    return lambda r: (str(r.properties.get(name) or ""),)


def _search(model: HubSpotModel, object: str, body: dict[str, Any]) -> dict[str, Any]:
    """The CRM search API over the modification date (GTE/GT/LTE/LT/EQ filters), sorted."""
    found = model.live(object)
    fields = model.fields[object]
    for group in body.get("filterGroups") or [{}]:
        for flt in group.get("filters", []):
            name, op = flt.get("propertyName"), flt.get("operator")
            if name not in fields:
                raise CrmError(400, "invalid", f"There was a problem with the request: {name}")
            if name in ("hs_lastmodifieddate", "createdate"):
                value = _ms(flt.get("value"))
                stamp = "modified" if name == "hs_lastmodifieddate" else "created"
                checks = {
                    "GTE": lambda r, s=stamp, v=value: getattr(r, s) >= v,
                    "GT": lambda r, s=stamp, v=value: getattr(r, s) > v,
                    "LTE": lambda r, s=stamp, v=value: getattr(r, s) <= v,
                    "LT": lambda r, s=stamp, v=value: getattr(r, s) < v,
                }
            else:
                text = str(flt.get("value"))
                checks = {
                    "EQ": lambda r, n=name, t=text: str(r.properties.get(n)) == t,
                    "NEQ": lambda r, n=name, t=text: str(r.properties.get(n)) != t,
                }
            check = checks.get(op)
            if check is None:
                raise CrmError(400, "invalid", f"operator {op!r} is not supported on {name}")
            found = [r for r in found if check(r)]
    for sort in reversed(body.get("sorts") or []):
        name = sort.get("propertyName") if isinstance(sort, dict) else sort
        desc = isinstance(sort, dict) and sort.get("direction") == "DESCENDING"
        found.sort(key=_sort_key(str(name)), reverse=desc)
    limit = _limit(body.get("limit"), 10)
    after = _after(body.get("after"))
    if after + limit > SEARCH_CAP:
        raise CrmError(
            400, "invalid", f"The search endpoints are limited to {SEARCH_CAP} total results"
        )
    page = _page(found, after, limit, f"/crm/v3/objects/{object}/search")
    names = body.get("properties") or None
    page["results"] = [render(model, r, names) for r in page["results"]]
    page["total"] = len(found)
    page.get("paging", {}).get("next", {}).pop("link", None)
    return page


def hubspot_routes(state: EmulatorState) -> list[BaseRoute]:
    """The ``/crm/v3/...`` routes acting on the live ``HubSpotModel``."""

    def model() -> HubSpotModel:
        return state.standins.model(NAME, HubSpotModel)

    def token_ok(request: Request) -> bool | None:
        token = bearer(request)
        if not token:
            return None
        return token in state.config.api_keys or token in state.config.hubspot_tokens

    def method(request: Request) -> str:
        p = request.path_params
        if "object_id" in p:
            return {"GET": "objects.get", "PATCH": "objects.update"}.get(
                request.method, "objects.archive"
            )
        if request.url.path.endswith("/search"):
            return "objects.search"
        if "action" in p:
            return f"objects.batch.{p['action']}"
        if request.url.path.startswith("/crm/v3/properties"):
            return "properties.list"
        return "objects.list" if request.method == "GET" else "objects.create"

    def limiter() -> RateWindow:
        return model().rate

    async def handle(request: Request) -> Response:
        op = method(request)
        object = request.path_params["object_type"]
        q = request.query_params
        m = model()
        m.object_fields(object)
        if op == "properties.list":
            return json_response(
                {
                    "results": [
                        {
                            "name": n,
                            "label": n,
                            "type": t,
                            "fieldType": "text",
                            "modificationMetadata": {"readOnlyValue": n in m.read_only},
                        }
                        for n, t in m.fields[object].items()
                    ]
                }
            )
        if op == "objects.list":
            archived = q.get("archived", "false").lower() == "true"
            records = m.deleted_records(object) if archived else m.live(object)
            path = f"/crm/v3/objects/{object}"
            page = _page(records, _after(q.get("after")), _limit(q.get("limit")), path)
            names, hist = _names(request, "properties"), _names(request, "propertiesWithHistory")
            page["results"] = [render(m, r, names, hist) for r in page["results"]]
            return json_response(page)
        if op == "objects.search":
            return json_response(_search(m, object, await _body(request)))
        if op.startswith("objects.batch."):
            return await _batch(state, m, object, op.removeprefix("objects.batch."), request)
        if op == "objects.get":
            archived = q.get("archived", "false").lower() == "true"
            record = m.get(object, request.path_params["object_id"], deleted=archived)
            names, hist = _names(request, "properties"), _names(request, "propertiesWithHistory")
            return json_response(render(m, record, names, hist))
        params: dict[str, Any] = {"op": op.removeprefix("objects."), "object": object}
        if op != "objects.create":
            params["id"] = request.path_params["object_id"]
        if op != "objects.archive":
            props = (await _body(request)).get("properties")
            if not isinstance(props, dict):
                raise CrmError(400, "invalid", "properties must be an object")
            params["properties"] = props
        record = logged_write(state, NAME, params, lambda: write(model(), params))
        send_webhook(state, params["op"], record, params.get("properties", {}))
        if op == "objects.archive":
            return Response(status_code=204)
        names = _write_names(object, params["properties"])
        return json_response(render(model(), record, names), 201 if op == "objects.create" else 200)

    endpoint = crm_endpoint(state, NAME, method, token_ok, render_error, limiter, handle)
    return [
        Route("/crm/v3/objects/{object_type}", endpoint, methods=["GET", "POST"]),
        Route("/crm/v3/objects/{object_type}/search", endpoint, methods=["POST"]),
        Route("/crm/v3/objects/{object_type}/batch/{action:str}", endpoint, methods=["POST"]),
        Route(
            "/crm/v3/objects/{object_type}/{object_id}",
            endpoint,
            methods=["GET", "PATCH", "DELETE"],
        ),
        Route("/crm/v3/properties/{object_type}", endpoint, methods=["GET"]),
    ]


def _write_names(object: str, written: dict[str, Any]) -> list[str]:
    """The properties HubSpot answers a write with: the defaults and those written."""
    return [
        *DEFAULT_PROPERTIES[object],
        *written,
        "hs_object_id",
        "createdate",
        "hs_lastmodifieddate",
    ]


def _batch_error(status: int, message: str, context: dict[str, list[str]]) -> dict[str, Any]:
    category = _CATEGORY.get(status, "ERROR")
    return {"status": "error", "category": category, "message": message, "context": context}


async def _batch(
    state: EmulatorState, m: HubSpotModel, object: str, action: str, request: Request
) -> Response:
    """One batch create, update or read: each input on its own, errors per input."""
    if action not in ("create", "update", "read"):
        raise CrmError(404, "not_found", f"no batch action {action!r}")
    body = await _body(request)
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise CrmError(400, "invalid", "inputs must be a list of objects")
    if len(inputs) > BATCH_LIMIT:
        raise CrmError(400, "invalid", f"a batch takes at most {BATCH_LIMIT} inputs")
    started = _iso(datetime.now(UTC))
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for n, item in enumerate(inputs):
        label = "objectWriteTraceId" if action == "create" else "ids"
        ident = str(item.get("objectWriteTraceId", n) if action == "create" else item.get("id"))
        try:
            results.append(_batch_one(state, m, object, action, item, body))
        except CrmError as err:
            errors.append(_batch_error(err.status, err.message, {label: [ident]}))
    out: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": started,
        "completedAt": _iso(datetime.now(UTC)),
    }
    if errors:
        out.update(numErrors=len(errors), errors=errors)
        return json_response(out, 207)
    return json_response(out, 201 if action == "create" else 200)


def _batch_one(
    state: EmulatorState,
    m: HubSpotModel,
    object: str,
    action: str,
    item: dict[str, Any],
    body: dict[str, Any],
) -> dict[str, Any]:
    if action == "read":
        record = m.get(object, str(item.get("id")))
        return render(m, record, body.get("properties") or None)
    props = item.get("properties")
    if not isinstance(props, dict):
        raise CrmError(400, "invalid", "properties must be an object")
    params: dict[str, Any] = {"op": action, "object": object, "properties": props}
    if action == "update":
        params["id"] = str(item.get("id"))
    record = logged_write(state, NAME, params, lambda: write(m, params))
    send_webhook(state, action, record, props)
    rendered = render(m, record, _write_names(object, props))
    if "objectWriteTraceId" in item:
        rendered["objectWriteTraceId"] = item["objectWriteTraceId"]
    return rendered
