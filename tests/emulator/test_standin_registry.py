"""A stand-in added to the registry gets reset, persistence and injected failures for nothing.

The test registers a tiny stand-in of its own, a counter at ``/counter``, by passing
``EmulatorConfig(standins=(*STANDINS, COUNTER))``, and changes nothing else: the control
plane resets it, ``--database`` replays its writes with the same ids, and
``/_emulator/standins/fail`` makes it fail, all through the registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.clock import new_id
from attio_bridge.emulator.http import json_response
from attio_bridge.emulator.persistence import logged_write
from attio_bridge.emulator.standins import SLACK, STANDINS, StandIn

if TYPE_CHECKING:
    from attio_bridge.emulator.state import EmulatorState


class Counter:
    """The model: a number and the id minted by each addition."""

    def __init__(self) -> None:
        self.value = 0
        self.ids: list[str] = []

    def add(self, by: Any) -> None:
        if isinstance(by, bool) or not isinstance(by, int) or by < 1:
            raise ValueError(f"by must be a positive integer, not {by!r}")
        self.value += by
        self.ids.append(new_id())


def counter_routes(state: EmulatorState) -> list[BaseRoute]:
    async def read(request: Request) -> Response:
        model = state.standins.model("counter", Counter)
        return json_response({"value": model.value, "ids": model.ids})

    async def add(request: Request) -> Response:
        by = (await request.json()).get("by")
        failure = state.standins.failure("counter", "add")
        if failure is not None:
            return json_response({"error": failure.error}, failure.status)
        model = state.standins.model("counter", Counter)
        try:
            logged_write(state, "counter", {"by": by}, lambda: model.add(by))
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response({"value": model.value})

    return [Route("/counter", read), Route("/counter/add", add, methods=["POST"])]


def replay_counter(model: Counter, params: dict[str, Any]) -> None:
    model.add(params["by"])


COUNTER: StandIn[Counter] = StandIn(
    "counter", lambda config: Counter(), counter_routes, replay_counter
)


@contextmanager
def emulator(database: Path | None = None) -> Iterator[TestClient]:
    """An in-process emulator with the counter registered (kept in ``database`` if given)."""
    config = EmulatorConfig(
        read_rate=0,
        write_rate=0,
        database=str(database) if database else None,
        standins=(*STANDINS, COUNTER),
    )
    app = create_app(config)
    try:
        with TestClient(app, base_url="http://emulator.test") as http:
            yield http
    finally:
        app.state.deliveries.close()
        if app.state.persistence is not None:
            app.state.persistence.close()


def add(http: TestClient, by: int) -> Any:
    """POST /counter/add; the response."""
    return http.post("/counter/add", json={"by": by})


def test_a_reset_starts_the_new_standin_over() -> None:
    with emulator() as http:
        assert add(http, 3).json() == {"value": 3}
        assert http.post("/_emulator/reset").status_code == 200
        assert http.get("/counter").json() == {"value": 0, "ids": []}


def test_its_writes_are_kept_and_replayed_with_the_same_ids(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    with emulator(db) as http:
        add(http, 2)
        assert http.post("/_emulator/reset").status_code == 200  # logged: replayed too
        add(http, 3)
        add(http, 4)
        assert add(http, 0).status_code == 400  # refused: not logged
        before = http.get("/counter").json()
    with emulator(db) as http:
        after = http.get("/counter").json()
    assert before["value"] == 7 and len(before["ids"]) == 2
    assert after == before


def test_failures_are_injected_counted_and_cleared() -> None:
    with emulator() as http:
        rule = {"system": "counter", "method": "add", "count": 1, "status": 503}
        made = http.post("/_emulator/standins/fail", json=rule)
        assert made.json() == {
            "system": "counter",
            "method": "add",
            "error": "internal_error",  # the registry's default check filled it in
            "status": 503,
            "count": 1,
            "rate": 1.0,  # every matching call
            "seconds": None,
        }
        failed = add(http, 1)
        assert (failed.status_code, failed.json()) == (503, {"error": "internal_error"})
        assert add(http, 1).json() == {"value": 1}
        http.post("/_emulator/standins/fail", json={"system": "counter"})
        assert http.post("/_emulator/reset").status_code == 200
        assert http.get("/_emulator/standins/fail").json() == []
        assert add(http, 1).json() == {"value": 1}


def test_a_rule_with_a_rate_hits_that_share_of_the_calls() -> None:
    with emulator() as http:
        rule = {"system": "counter", "method": "add", "status": 503, "rate": 0.3}
        assert http.post("/_emulator/standins/fail", json=rule).json()["rate"] == 0.3
        failed = sum(add(http, 1).status_code == 503 for _ in range(200))
        assert 30 <= failed <= 90  # about 60 of 200
        for bad in ({"rate": 1.5}, {"rate": -0.1}, {"seconds": "soon"}):
            refused = http.post("/_emulator/standins/fail", json={"system": "counter", **bad})
            assert refused.status_code == 400, bad


def test_failure_rules_are_checked_against_the_registry() -> None:
    with emulator() as http:
        bad = http.post("/_emulator/standins/fail", json={"system": "counter", "status": 200})
        assert bad.status_code == 400
        assert "HTTP error status (400-599)" in bad.json()["error"]
        unknown = http.post("/_emulator/standins/fail", json={"system": "teams"})
        assert unknown.json()["error"] == (
            '"system" must be one of slack, google, drive, hubspot, salesforce, zoho, braintree, '
            "counter, not 'teams'"
        )
    # Without the entry, the same emulator knows no counter: nothing else registered it.
    plain = create_app(EmulatorConfig())
    with TestClient(plain, base_url="http://emulator.test") as http:
        assert http.post("/counter/add", json={"by": 1}).status_code == 404
        refused = http.post("/_emulator/standins/fail", json={"system": "counter"})
        assert refused.status_code == 400
    plain.state.deliveries.close()


def test_two_standins_with_one_name_are_refused() -> None:
    with pytest.raises(ValueError, match=r"registered twice: \['slack'\]"):
        create_app(EmulatorConfig(standins=(*STANDINS, SLACK)))
