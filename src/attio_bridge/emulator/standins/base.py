"""What every stand-in shares: its registry entry (``StandIn``), the live models (``Standins``),
injected failures (``Failure``) and the control plane for them.

A stand-in is one other system the emulator answers for (Slack, Google Drive ...). Its folder
under ``standins/`` holds a model (state, no HTTP) and routes speaking the system's own shapes,
and exports one ``StandIn`` saying how the emulator runs it. ``StandIn.name`` is the one key used
everywhere: the failure rules' ``system``, the operation log's kind (``--database``), the model's
key in ``Standins``. Given its entry, the emulator does the rest for every stand-in alike:

- **routes**: ``StandIn.routes(state)`` is mounted beside Attio's (``standin_routes``);
- **reset**: ``POST /_emulator/reset`` (and the logged ``init``) makes a fresh model with
  ``StandIn.model(config)``, unless ``keep_on_reset`` (Google's issued tokens outlive data);
- **persistence**: a route wraps each write in ``logged_write(state, NAME, params, fn)``; on
  startup ``Standins.replay`` gives the logged ``params`` back to ``StandIn.replay(model,
  params)``, in order with Attio's operations and with the same ids (see ``..persistence``);
- **faults**: ``POST /_emulator/standins/fail`` takes ``{system: NAME, method?, error?, status?,
  count?, rate?, seconds?}``, checked by ``StandIn.failure``; a route asks
  ``state.standins.failure(NAME, method)`` and answers the rule in the system's own error shape.
  ``rate`` (0-1) is the share of matching calls a rule hits (drawn from a generator seeded by
  ``EmulatorConfig.random_seed``); ``seconds`` is the rule's time: the wait a 429 asks for, or
  how late a stand-in answers for its ``slow`` rules (see ``_crm``).

Failures are test controls, not state: never logged, cleared by a reset.
"""

from __future__ import annotations

import fnmatch
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..http import json_response

if TYPE_CHECKING:
    from ..state import EmulatorConfig, EmulatorState

M = TypeVar("M")
FailureCheck = Callable[[Any, Any], tuple[str, int]]


def http_errors(server: str = "internal_error", client: str = "bad_request") -> FailureCheck:
    """A ``StandIn.failure`` check for systems that fail with an HTTP error status.

    The status must be 400-599 (500 when not given); the error code defaults to ``server`` for
    a 5xx and ``client`` for a 4xx (Drive: ``backendError``, ``badRequest``).
    """

    def check(error: Any, status: Any) -> tuple[str, int]:
        status = 500 if status is None else status
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError(f'"status" must be an HTTP error status (400-599), not {status!r}')
        if error is None:
            error = server if status >= 500 else client
        if not isinstance(error, str) or not error:
            raise ValueError(f'"error" must be an error code (a non-empty string), not {error!r}')
        return error, status

    return check


HTTP_ERRORS = http_errors()


@dataclass(frozen=True, slots=True)
class StandIn(Generic[M]):
    """One system the emulator stands in for, as the registry (``STANDINS``) holds it.

    ``model(config)`` makes a fresh, empty model of type ``M``; ``routes(state)`` are its
    Starlette routes (each finds the live model with ``state.standins.model(name, type)``).
    ``replay(model, params)`` applies a write that a route logged with ``logged_write`` again,
    raising ``ValueError`` when the model refuses it now (None: the stand-in logs nothing).
    ``failure(error, status)`` checks an injected failure's ``error`` and ``status`` (either may
    be None: not given) and returns them with the system's defaults, or raises ``ValueError``
    saying what is wrong (by default ``http_errors()``). ``keep_on_reset`` keeps the model
    across resets.
    """

    name: str
    model: Callable[[EmulatorConfig], M]
    routes: Callable[[EmulatorState], list[BaseRoute]]
    replay: Callable[[M, dict[str, Any]], None] | None = None
    failure: FailureCheck = HTTP_ERRORS
    keep_on_reset: bool = False


@dataclass(slots=True)
class Failure:
    """One injected failure: the next calls of ``method`` (shell wildcards) on ``system`` fail.

    What the call answers is up to the stand-in (Slack: ``{"ok": false, "error": error}`` with
    ``status``; Drive: Google's error body with ``reason`` ``error``). ``remaining`` None fires
    on every call; ``rate`` is the share of matching calls it hits; ``seconds`` its time, when
    given (a 429's asked wait, a slow answer's delay).
    """

    system: str
    method: str
    error: str
    status: int
    remaining: int | None = None
    rate: float = 1.0
    seconds: float | None = None

    def render(self) -> dict[str, Any]:
        """The rule as the control plane shows it."""
        return {
            "system": self.system,
            "method": self.method,
            "error": self.error,
            "status": self.status,
            "count": self.remaining,
            "rate": self.rate,
            "seconds": self.seconds,
        }


class Standins:
    """The live model of every registered stand-in, and the failures injected into them."""

    def __init__(self, config: EmulatorConfig, registry: tuple[StandIn[Any], ...]) -> None:
        names = [entry.name for entry in registry]
        doubles = sorted({name for name in names if names.count(name) > 1})
        if doubles:
            raise ValueError(f"stand-in names must be unique; registered twice: {doubles}")
        self.config = config
        self.registry: dict[str, StandIn[Any]] = {entry.name: entry for entry in registry}
        self.failures: list[Failure] = []
        self.rng = random.Random(config.random_seed)
        self._models: dict[str, Any] = {}
        self.reset()

    def model(self, name: str, kind: type[M]) -> M:
        """The live model of stand-in ``name``, of type ``kind`` (a reset replaces it: look it
        up per request, after the request's last ``await``)."""
        found = self._models[name]
        if not isinstance(found, kind):
            raise TypeError(f"the {name} stand-in's model is a {type(found).__name__}, not {kind}")
        return found

    def reset(self) -> None:
        """Fresh, empty models (but those ``keep_on_reset``) and no failures.

        Models are made in registry order: a replayed ``init`` makes the same ids.
        """
        self.failures.clear()
        for name, entry in self.registry.items():
            if not (entry.keep_on_reset and name in self._models):
                self._models[name] = entry.model(self.config)

    def replay(self, kind: str, params: dict[str, Any]) -> None:
        """Apply a logged write of stand-in ``kind`` again (``--database``).

        An unknown kind, or a write the model refuses now, raises ``ValueError`` (the log's
        replay reports it and goes on).
        """
        entry = self.registry.get(kind)
        if entry is None or entry.replay is None:
            raise ValueError(f"no stand-in {kind!r} replays operations")
        entry.replay(self._models[kind], params)

    def failure(self, system: str, method: str) -> Failure | None:
        """The injected failure that fires for this call, if any (and count it)."""
        for rule in self.failures:
            if rule.system != system or rule.remaining == 0:
                continue
            if fnmatch.fnmatchcase(method, rule.method) and self.rng.random() < rule.rate:
                if rule.remaining is not None:
                    rule.remaining -= 1
                return rule
        return None

    def parse_failure(self, body: Any) -> Failure:
        """A failure rule from a control-plane body; ``ValueError`` naming what is wrong."""
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        system = body.get("system")
        entry = self.registry.get(system) if isinstance(system, str) else None
        if entry is None:
            raise ValueError(f'"system" must be one of {", ".join(self.registry)}, not {system!r}')
        method = body.get("method", "*")
        if not isinstance(method, str) or not method:
            raise ValueError('"method" must be a method name such as "conversations.create" or "*"')
        error, status = entry.failure(body.get("error"), body.get("status"))
        count = body.get("count")
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 1
        ):
            raise ValueError(f'"count" must be an integer of at least 1, not {count!r}')
        rate = _number(body, "rate", 1.0)
        if rate > 1:
            raise ValueError(f'"rate" must be a share of the calls, 0 to 1, not {rate!r}')
        seconds = None if body.get("seconds") is None else _number(body, "seconds", 0.0)
        return Failure(entry.name, method, error, status, count, rate, seconds)


def _number(body: dict[str, Any], key: str, default: float) -> float:
    """``body[key]`` as a number of at least 0 (``default`` when absent); ``ValueError`` else."""
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f'"{key}" must be a number of at least 0, not {value!r}')
    return float(value)


def standin_routes(state: EmulatorState) -> list[BaseRoute]:
    """Every registered stand-in's routes, and the failure control plane."""
    routes: list[BaseRoute] = []
    for entry in state.standins.registry.values():
        routes += entry.routes(state)
    routes.append(
        Route("/_emulator/standins/fail", _failures(state), methods=["GET", "POST", "DELETE"])
    )
    return routes


def _failures(state: EmulatorState) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        """GET lists, DELETE clears, POST adds ``{system, method?, error?, status?, count?,
        rate?, seconds?}``.

        Failures are test controls, not state: never logged, so a restart (``--database``)
        starts without any, as it does without Attio's faults.
        """
        standins = state.standins
        if request.method == "GET":
            return json_response([f.render() for f in standins.failures])
        if request.method == "DELETE":
            cleared = len(standins.failures)
            standins.failures.clear()
            return json_response({"cleared": cleared})
        try:
            body = orjson.loads(await request.body() or b"{}")
        except orjson.JSONDecodeError as exc:
            return json_response({"error": f"the body is not valid JSON: {exc}"}, 400)
        try:
            rule = standins.parse_failure(body)
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        standins.failures.append(rule)
        return json_response(rule.render())

    return endpoint
