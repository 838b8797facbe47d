"""The Salesforce stand-in's routes: the REST API under ``/services/data/v{version}/``.

Shapes follow Salesforce's REST API Developer Guide: ``sobjects/{Type}/describe/``,
``sobjects/{Type}/`` (POST: ``{"id", "success", "errors"}``), ``sobjects/{Type}/{id}`` (GET,
PATCH and DELETE: 204), ``sobjects/{Type}/updated/?start=&end=`` (``{"ids",
"latestDateCovered"}``), ``sobjects/{Type}/deleted/?start=&end=`` (``{"deletedRecords": [{"id",
"deletedDate"}], "earliestDateAvailable", "latestDateCovered"}``), ``query/?q=`` and
``query/{locator}`` (``{"totalSize", "done", "records", "nextRecordsUrl"}``; the batch size of
``Sforce-Query-Options: batchSize=N``, 2000 by default). Errors are a list ``[{"message",
"errorCode"}]``; the API request limit answers 403 ``REQUEST_LIMIT_EXCEEDED``, as Salesforce
does. Tokens: ``Authorization: Bearer`` with an emulator API key or one of
``EmulatorConfig.salesforce_tokens``.

sObject Collections (``composite/sobjects``: POST creates, PATCH updates, at most 200 records,
each with ``attributes.type``; updates carry ``Id``) count as one request against the limit and
answer 200 with one SaveResult per record, in order: ``{"id", "success", "errors":
[{"statusCode", "message", "fields"}]}``. With ``allOrNone`` false (the default) a record that
fails leaves the others written; with ``allOrNone`` true nothing is written when one fails.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...http import json_response
from ...persistence import logged_write
from .._crm import CrmError, CrmRecord, RateWindow, bearer, crm_endpoint, json_object
from .model import SalesforceModel, sf_time

if TYPE_CHECKING:
    from ...state import EmulatorState

NAME = "salesforce"
DEFAULT_BATCH = 2000
COLLECTION_LIMIT = 200  # Salesforce: sObject Collections take at most 200 records
_CODES = {401: "INVALID_SESSION_ID", 404: "NOT_FOUND", 500: "UNKNOWN_EXCEPTION"}


def render_error(err: CrmError) -> Response:
    """Salesforce's error list; a rate limit is 403 ``REQUEST_LIMIT_EXCEEDED``."""
    if err.status == 429 or err.code == "rate_limited":
        body = [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
        return json_response(body, 403)
    code = _code(err)
    message = "Session expired or invalid" if err.status == 401 else err.message
    return json_response([{"message": message, "errorCode": code}], err.status)


def write(model: SalesforceModel, params: dict[str, Any]) -> CrmRecord:
    """Apply one write (``{"op", "object", "id"?, "fields"?}``), as the routes and replay do."""
    op, object = params["op"], params["object"]
    if op == "create":
        return model.create(object, params["fields"])
    if op == "update":
        return model.update(object, params["id"], params["fields"])
    return model.delete(object, params["id"])


def replay(model: SalesforceModel, params: dict[str, Any]) -> None:
    """Apply a logged write again (``--database``)."""
    try:
        write(model, params)
    except CrmError as err:
        raise ValueError(f"Salesforce answered {err.status}: {err.message}") from None


def _time(raw: str | None, name: str) -> datetime:
    if not raw:
        raise CrmError(400, "MISSING_ARGUMENT", f"{name} is required")
    text = raw.replace(" ", "+").replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise CrmError(400, "INVALID_DATE", f"{name} is not a valid date: {raw}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _batch(request: Request) -> int:
    options = request.headers.get("sforce-query-options", "")
    for part in options.split(","):
        key, _, value = part.strip().partition("=")
        if key == "batchSize" and value.isdigit():
            return max(1, min(int(value), DEFAULT_BATCH))
    return DEFAULT_BATCH


def salesforce_routes(state: EmulatorState) -> list[BaseRoute]:
    """The ``/services/data/v{version}/...`` routes acting on the live ``SalesforceModel``."""
    cursors: dict[str, tuple[str, list[dict[str, Any]], int]] = {}  # locator -> query rest
    counter = itertools.count(1)

    def model() -> SalesforceModel:
        return state.standins.model(NAME, SalesforceModel)

    def token_ok(request: Request) -> bool | None:
        token = bearer(request)
        if not token:
            return None
        return token in state.config.api_keys or token in state.config.salesforce_tokens

    def method(request: Request) -> str:
        p = request.path_params
        if "locator" in p or request.url.path.endswith("/query/"):
            return "query"
        if request.url.path.endswith("/composite/sobjects"):
            return "collections.create" if request.method == "POST" else "collections.update"
        if "record_id" in p:
            rid = str(p["record_id"])
            if rid in ("describe", "updated", "deleted"):
                return rid
            return {"GET": "retrieve", "PATCH": "update"}.get(request.method, "delete")
        return "create"

    def limiter() -> RateWindow:
        return model().rate

    def records_page(
        version: str, object: str, rows: list[dict[str, Any]], batch: int, total: int
    ) -> dict[str, Any]:
        chunk, rest = rows[:batch], rows[batch:]
        out: dict[str, Any] = {
            "totalSize": total,
            "done": not rest,
            "records": [
                {"attributes": {"type": object, "url": _url(version, object, r.get("Id"))}, **r}
                for r in chunk
            ],
        }
        if rest:
            locator = f"01g5g00000{next(counter):08d}-{total - len(rest)}"
            cursors[locator] = (object, rest, total)
            out["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}"
        return out

    async def handle(request: Request) -> Response:
        op = method(request)
        version = request.path_params["version"]
        m = model()
        q = request.query_params
        if op == "query":
            locator = request.path_params.get("locator")
            if locator is not None:
                found = cursors.pop(locator, None)
                if found is None:
                    raise CrmError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
                object, rows, total = found
                return json_response(records_page(version, object, rows, _batch(request), total))
            object, rows = m.query(q.get("q", ""))
            return json_response(records_page(version, object, rows, _batch(request), len(rows)))
        if op.startswith("collections."):
            body = await _json(request)
            return json_response(_collection(state, m, op.removeprefix("collections."), body))
        object = request.path_params["object"]
        fields = m.object_fields(object)
        if op == "describe":
            return json_response(
                {
                    "name": object,
                    "fields": [
                        {
                            "name": n,
                            "type": t,
                            "createable": n not in m.read_only,
                            "updateable": n not in m.read_only,
                        }
                        for n, t in fields.items()
                    ],
                }
            )
        if op in ("updated", "deleted"):
            start, end = _time(q.get("start"), "start"), _time(q.get("end"), "end")
            if op == "updated":
                ids = [r.id for r in m.modified_between(object, start, end)]
                return json_response({"ids": ids, "latestDateCovered": sf_time(end)})
            gone = [
                {"id": r.id, "deletedDate": sf_time(r.deleted)}
                for r in m.deleted_records(object)
                if r.deleted is not None and start <= r.deleted <= end
            ]
            return json_response(
                {
                    "deletedRecords": gone,
                    "earliestDateAvailable": sf_time(start),
                    "latestDateCovered": sf_time(end),
                }
            )
        if op == "retrieve":
            record = m.get(object, request.path_params["record_id"])
            row = m.row(record)
            return json_response(
                {"attributes": {"type": object, "url": _url(version, object, record.id)}, **row}
            )
        params: dict[str, Any] = {"op": op, "object": object}
        if op != "create":
            params["id"] = request.path_params["record_id"]
        if op != "delete":
            params["fields"] = await _json(request)
        record = logged_write(state, NAME, params, lambda: write(model(), params))
        if op == "create":
            return json_response({"id": record.id, "success": True, "errors": []}, 201)
        return Response(status_code=204)

    endpoint = crm_endpoint(state, NAME, method, token_ok, render_error, limiter, handle)
    base = "/services/data/v{version}"
    return [
        Route(base + "/query/", endpoint, methods=["GET"]),
        Route(base + "/query/{locator}", endpoint, methods=["GET"]),
        Route(base + "/composite/sobjects", endpoint, methods=["POST", "PATCH"]),
        Route(base + "/sobjects/{object}/", endpoint, methods=["POST"]),
        Route(base + "/sobjects/{object}/{record_id}/", endpoint, methods=["GET"]),
        Route(
            base + "/sobjects/{object}/{record_id}", endpoint, methods=["GET", "PATCH", "DELETE"]
        ),
    ]


def _url(version: str, object: str, id: Any) -> str:
    return f"/services/data/v{version}/sobjects/{object}/{id}"


async def _json(request: Request) -> dict[str, Any]:
    return await json_object(
        request, "JSON_PARSER_ERROR", "the body is not valid JSON", "the body must be a JSON object"
    )


def _collection(
    state: EmulatorState, m: SalesforceModel, op: str, body: dict[str, Any]
) -> list[dict[str, Any]]:
    """sObject Collections create or update: one SaveResult per record, in order."""
    records = body.get("records")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise CrmError(400, "JSON_PARSER_ERROR", "records must be a list of sObjects")
    if len(records) > COLLECTION_LIMIT:
        raise CrmError(
            400, "EXCEEDED_ID_LIMIT", f"record limit exceeded: at most {COLLECTION_LIMIT} records"
        )
    plans: list[dict[str, Any] | CrmError] = [_collection_item(m, op, r) for r in records]
    if body.get("allOrNone") and any(isinstance(p, CrmError) for p in plans):
        return [_save_failure(p) if isinstance(p, CrmError) else _rolled_back() for p in plans]
    results: list[dict[str, Any]] = []
    for params in plans:
        if isinstance(params, CrmError):
            results.append(_save_failure(params))
            continue
        try:
            record = logged_write(state, NAME, params, partial(write, m, params))
        except CrmError as err:
            results.append(_save_failure(err))
            continue
        results.append({"id": record.id, "success": True, "errors": []})
    return results


def _collection_item(m: SalesforceModel, op: str, row: dict[str, Any]) -> dict[str, Any] | CrmError:
    """One record's write, checked before anything is written (or why it is refused)."""
    fields = {k: v for k, v in row.items() if k not in ("attributes", "Id")}
    object = (row.get("attributes") or {}).get("type")
    if not object:
        return CrmError(400, "INVALID_TYPE", "each record needs attributes.type")
    params: dict[str, Any] = {"op": op, "object": object, "fields": fields}
    try:
        if op == "create":
            m.check_create(str(object), fields)
        else:
            m.check(str(object), fields)
        if op == "update":
            if not row.get("Id"):
                return CrmError(400, "MISSING_ARGUMENT", "Id not specified in an update call")
            params["id"] = str(row["Id"])
            m.get(str(object), params["id"])
    except CrmError as err:
        return err
    return params


def _code(err: CrmError) -> str:
    """Salesforce's errorCode for a refusal."""
    if err.code == "unknown":
        return "INVALID_FIELD"
    return err.code if err.code.isupper() else _CODES.get(err.status, "INVALID_FIELD")


def _save_failure(err: CrmError) -> dict[str, Any]:
    # An update of an Id Salesforce does not know is INVALID_CROSS_REFERENCE_KEY in a collection.
    code = "INVALID_CROSS_REFERENCE_KEY" if err.code == "not_found" else _code(err)
    return {
        "success": False,
        "errors": [{"statusCode": code, "message": err.message, "fields": []}],
    }


def _rolled_back() -> dict[str, Any]:
    message = (
        "The transaction was rolled back since another operation in the same transaction failed."
    )
    return {
        "success": False,
        "errors": [
            {"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK", "message": message, "fields": []}
        ],
    }
