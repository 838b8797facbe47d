"""The control plane: ``/_emulator/...`` endpoints that tests and tools use to steer the emulator.

Attio has no such paths; they need no token and are meant for loopback use. They reset and seed
the workspace, inject faults and latency into the API routes, and show what the emulator saw
(the request journal, webhook deliveries, counts). Bodies and answers are plain JSON (no
``data`` wrapper); a bad request gets ``400 {"error": "..."}``.

Fault rules match operation names, ``"<METHOD> <path template>"`` such as
``"PUT /v2/objects/{object}/records"``, with shell wildcards (``"PUT /v2/objects/*"``, ``"*"``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .errors import EmulatorError
from .http import json_response
from .models import emails
from .persistence import logged
from .seed import DATASETS, apply_seed
from .state import FAULT_KINDS

if TYPE_CHECKING:
    from .state import EmulatorState

PREFIX = "/_emulator"
Endpoint = Callable[[Request], Awaitable[Response]]
Action = Callable[["EmulatorState", Request], Awaitable[Any]]


class ControlError(Exception):
    """A control-plane request that cannot be carried out (answered with 400)."""


def control_routes(state: EmulatorState) -> list[Route]:
    """The ``/_emulator/...`` routes acting on ``state``."""
    table: list[tuple[str, str, Action]] = [
        ("GET", "/health", _health),
        ("GET", "/state", _state),
        ("POST", "/reset", _reset),
        ("POST", "/seed", _seed),
        ("GET", "/faults", _faults_list),
        ("POST", "/faults", _faults_add),
        ("DELETE", "/faults", _faults_clear),
        ("GET", "/latency", _latency_get),
        ("POST", "/latency", _latency_set),
        ("GET", "/journal", _journal),
        ("DELETE", "/journal", _journal_clear),
        ("GET", "/deliveries", _deliveries),
        ("POST", "/emails", _emails_add),
        ("GET", "/merges", _merges_get),
        ("POST", "/merges", _merges_set),
        ("POST", "/merges/finish", _merges_finish),
    ]
    return [
        Route(PREFIX + path, _endpoint(state, action), methods=[method], name=f"{method} {path}")
        for method, path, action in table
    ]


def _endpoint(state: EmulatorState, action: Action) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        try:
            return json_response(await action(state, request))
        except (ControlError, EmulatorError, ValueError) as exc:
            message = exc.message if isinstance(exc, EmulatorError) else str(exc)
            return json_response({"error": message}, 400)

    return endpoint


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ControlError(f"the body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body


def _number(body: dict[str, Any], key: str, default: float, lo: float, hi: float | None) -> float:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(f'"{key}" must be a number, not {value!r}')
    if value < lo or (hi is not None and value > hi):
        bounds = f"of at least {lo:g}" if hi is None else f"from {lo:g} to {hi:g}"
        raise ControlError(f'"{key}" must be a number {bounds}, not {value}')
    return float(value)


def _integer(body: dict[str, Any], key: str, default: int | None, lo: int) -> int | None:
    value = body.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ControlError(f'"{key}" must be an integer of at least {lo}, not {value!r}')
    return value


def _dataset(value: Any) -> str:
    if value not in DATASETS:
        raise ControlError(f"the seed dataset must be one of {', '.join(DATASETS)}, not {value!r}")
    return str(value)


# -- workspace ---------------------------------------------------------------------------------


async def _health(state: EmulatorState, request: Request) -> Any:
    return {"status": "ok"}


async def _state(state: EmulatorState, request: Request) -> Any:
    return summary(state)


def summary(state: EmulatorState) -> dict[str, Any]:
    """Counts of what the workspace holds: records per object, entries per list, activity."""
    ws = state.workspace
    store = ws.store
    out: dict[str, Any] = {
        "workspace": {"id": ws.workspace_id, "name": ws.name, "slug": ws.slug},
        "members": len(ws.members),
        "records": {
            o.api_slug: len(store.records.get(o.id, {})) for o in ws.schema.objects.values()
        },
        "entries": {
            lst.api_slug: len(store.entries.get(lst.id, {})) for lst in ws.schema.lists.values()
        },
        "notes": len(ws.notes),
        "tasks": len(ws.tasks),
        "threads": len(ws.threads),
        "comments": len(ws.comments),
        "meetings": len(ws.meetings),
        "call_recordings": len(ws.call_recordings),
        "webhooks": len(ws.webhooks),
    }
    if state.persistence is not None:
        out["database"] = {
            "path": str(state.persistence.path),
            "operations": state.persistence.count(),
        }
    return out


async def _reset(state: EmulatorState, request: Request) -> Any:
    """A fresh, empty workspace with the same keys, and every registered stand-in started over;
    ``{"seed": dataset, "size": n}`` seeds the workspace."""
    body = await _body(request)
    name = body.get("seed", body.get("dataset"))
    dataset = _dataset(name) if name is not None else None
    size = _integer(body, "size", 0, 0) or 0
    seed = _integer(body, "random_seed", state.config.random_seed or 0, 0) or 0
    # Stand-ins included (start_over), on the same logged operation: a replay resets them too.
    state.workspace = logged(state, "init", {}, state.start_over)
    if dataset is not None:
        ws = state.workspace
        params = {"dataset": dataset, "size": size, "seed": seed}
        logged(state, "seed", params, lambda: apply_seed(ws, dataset, size, seed=seed))
    return summary(state)


async def _seed(state: EmulatorState, request: Request) -> Any:
    """Add a dataset to the current workspace: ``{"dataset": ..., "size"?: n, "seed"?: n}``."""
    body = await _body(request)
    dataset = _dataset(body.get("dataset"))
    size = _integer(body, "size", 0, 0) or 0
    seed = _integer(body, "seed", state.config.random_seed or 0, 0) or 0
    ws = state.workspace
    params = {"dataset": dataset, "size": size, "seed": seed}
    logged(state, "seed", params, lambda: apply_seed(ws, dataset, size, seed=seed))
    return summary(state)


async def _emails_add(state: EmulatorState, request: Request) -> Any:
    """Put an email's metadata in the workspace, as a synced mailbox would (``GET /v2/emails``
    lists it): ``{subject_line, direction, participants: [{role, email_address, name?}],
    sent_at?, automated?}``. Not kept by ``--database`` (a mailbox sync is no API write)."""
    return emails.add_email_from(state.workspace, await _body(request))


# -- faults and latency ------------------------------------------------------------------------


async def _faults_list(state: EmulatorState, request: Request) -> Any:
    return [rule.render() for rule in state.faults.rules]


async def _faults_add(state: EmulatorState, request: Request) -> Any:
    """Add a rule ``{match, kind, rate?, status?, seconds?, count?}``."""
    body = await _body(request)
    match = body.get("match", "*")
    if not isinstance(match, str) or not match:
        raise ControlError('"match" must be an operation pattern such as "PUT /v2/objects/*"')
    kind = body.get("kind")
    if kind not in FAULT_KINDS:
        raise ControlError(f'"kind" must be one of {", ".join(FAULT_KINDS)}, not {kind!r}')
    status = _integer(body, "status", 500, 400)
    if status is None or status > 599:
        raise ControlError(f'"status" must be an HTTP error status (400-599), not {status}')
    rule = state.faults.add(
        match,
        kind,
        rate=_number(body, "rate", 1.0, 0.0, 1.0),
        status=status,
        seconds=_number(body, "seconds", 0.0, 0.0, None),
        remaining=_integer(body, "count", None, 1),
    )
    return rule.render()


async def _faults_clear(state: EmulatorState, request: Request) -> Any:
    cleared = len(state.faults.rules)
    state.faults.clear()
    return {"cleared": cleared}


async def _latency_get(state: EmulatorState, request: Request) -> Any:
    return {"ms": state.latency_ms, "jitter_ms": state.latency_jitter_ms}


async def _latency_set(state: EmulatorState, request: Request) -> Any:
    """Added latency per API request: ``{ms, jitter_ms?}`` (jitter defaults to 10% of ms)."""
    body = await _body(request)
    if "ms" not in body:
        raise ControlError('"ms" is required: the added latency per request in milliseconds')
    ms = _number(body, "ms", 0.0, 0.0, None)
    state.latency_ms = ms
    state.latency_jitter_ms = _number(body, "jitter_ms", ms * 0.1, 0.0, None)
    return await _latency_get(state, request)


# -- record merges -----------------------------------------------------------------------------


async def _merges_get(state: EmulatorState, request: Request) -> Any:
    ws = state.workspace
    return {"delay_s": ws.merge_delay_s, "in_progress": len(ws.merging)}


async def _merges_set(state: EmulatorState, request: Request) -> Any:
    """How long merges take from now on: ``{delay_s}`` (0: done at once, answered 200; more:
    answered 202, with reads of the records answering 404 ``merge_in_progress`` meanwhile)."""
    body = await _body(request)
    if "delay_s" not in body:
        raise ControlError('"delay_s" is required: how many seconds a merge takes to apply')
    state.workspace.merge_delay_s = _number(body, "delay_s", 0.0, 0.0, None)
    return await _merges_get(state, request)


async def _merges_finish(state: EmulatorState, request: Request) -> Any:
    """Finish every merge still applying at once."""
    return {"finished": state.workspace.finish_merges()}


# -- what the emulator saw ---------------------------------------------------------------------


async def _journal(state: EmulatorState, request: Request) -> Any:
    """The API requests received, oldest first (never a token or a body)."""
    return state.journal.render()


async def _journal_clear(state: EmulatorState, request: Request) -> Any:
    cleared = len(state.journal.entries)
    state.journal.entries.clear()
    return {"cleared": cleared}


async def _deliveries(state: EmulatorState, request: Request) -> Any:
    """Webhook deliveries attempted, when the delivery engine is present."""
    engine = getattr(state, "deliveries", None)
    render = getattr(engine, "render_deliveries", None)
    return render() if render is not None else []
