"""Score-based limits on record and list-entry queries (``emulator/scores.py``).

docs.attio.com/rest-api/guides/rate-limiting, "Score-based rate limits": List records and List
entries queries each get a complexity score from their sorts and filters and the size of the
object or list; a query over the per-query limit, or one that takes the scores summed over a
10-second sliding window across every token past the limit, gets 429 with ``Retry-After``.
Attio publishes neither the function nor the numbers; the emulator's are in ``scores.py``, and
both limits are off unless configured.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.emulator.scores import SCORE_HEADER, filter_conditions, query_score

KEY_A, KEY_B = "score-key-a", "score-key-b"
START = 1_700_000_000.0
# Four conditions: 1 + 4 = 5 points on an object under 1000 records.
HEAVY = {
    "filter": {
        "$and": [
            {"job_title": {"$contains": "a"}},
            {"job_title": {"$contains": "b"}},
            {"$or": [{"job_title": "c"}, {"$not": {"job_title": "d"}}]},
        ]
    }
}


class Clock:
    """A settable clock."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def scored_app(**config: Any) -> tuple[EmulatorApp, Clock]:
    app = create_app(EmulatorConfig(api_keys=[KEY_A, KEY_B], read_rate=100, **config))
    clock = Clock(START)
    app.state.scores.clock = clock
    app.state.budget.clock = clock
    return app, clock


@pytest.fixture
def api() -> Iterator[tuple[TestClient, Clock]]:
    """A budget of 10 points per 10 s (two heavy queries), 100 reads a second per token."""
    app, clock = scored_app(query_score_budget=10)
    with TestClient(app, base_url="http://emulator.test") as c:
        yield c, clock


def query(c: TestClient, key: str, body: dict[str, Any], path: str = "people") -> Any:
    return c.post(
        f"/v2/objects/{path}/records/query",
        json=body,
        headers={"Authorization": f"Bearer {key}"},
    )


def test_the_score_counts_filters_sorts_and_size() -> None:
    """rate-limiting guide: "a function of the requests' sorts and filters as well as the total
    record/entry count" (the emulator's function: 1 + conditions + 2 x sorts, times thousands)."""
    assert filter_conditions(HEAVY["filter"]) == 4
    assert query_score({}, 10) == 1
    assert query_score(HEAVY, 999) == 5
    assert query_score({**HEAVY, "sorts": [{"attribute": "name", "direction": "asc"}]}, 10) == 7
    assert query_score({}, 2500) == 3


@pytest.mark.operation("POST /v2/objects/{object}/records/query")
def test_heavy_queries_are_429_before_the_read_budget_is_spent(
    api: tuple[TestClient, Clock],
) -> None:
    """rate-limiting guide: the summed scores of a 10-second window past the limit give 429 with
    ``Retry-After`` (a date: when enough of the window has passed), long before 100 reads a
    second; light queries still pass, and the window slides."""
    c, clock = api
    assert [query(c, KEY_A, HEAVY).status_code for _ in range(2)] == [200, 200]
    clock.now += 4
    refused = query(c, KEY_A, HEAVY)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limit_exceeded"
    assert parsedate_to_datetime(refused.headers["Retry-After"]).timestamp() == START + 10
    clock.now = START + 10
    assert query(c, KEY_A, HEAVY).status_code == 200


@pytest.mark.operation("POST /v2/objects/{object}/records/query")
def test_scores_are_summed_across_tokens(api: tuple[TestClient, Clock]) -> None:
    """rate-limiting guide: "Scores are summed across all apps and access tokens using the API"."""
    c, _ = api
    assert query(c, KEY_A, HEAVY).status_code == 200
    assert query(c, KEY_B, HEAVY).status_code == 200
    assert query(c, KEY_B, HEAVY).status_code == 429
    assert query(c, KEY_A, {}).status_code == 429  # even a light one: the window is full


@pytest.mark.operation("POST /v2/objects/{object}/records/query")
def test_a_refused_query_spends_nothing(api: tuple[TestClient, Clock]) -> None:
    """A 429 means the request was not processed (rate-limiting guide): it takes no score."""
    c, _ = api
    assert query(c, KEY_A, HEAVY).status_code == 200
    assert (
        query(c, KEY_A, {"filter": {"$and": [{"name": str(i)} for i in range(9)]}}).status_code
        == 429
    )
    assert query(c, KEY_A, HEAVY).status_code == 200  # 5 + 5: the refused 10 was not counted


def test_a_query_over_the_per_query_limit_is_429() -> None:
    """rate-limiting guide: "The score for an individual query may exceed the per-query limit"
    (``query_score_max``)."""
    app, _ = scored_app(query_score_max=4)
    with TestClient(app, headers={"Authorization": f"Bearer {KEY_A}"}) as c:
        assert query(c, KEY_A, {}).status_code == 200
        refused = query(c, KEY_A, HEAVY)
    assert refused.status_code == 429
    assert "per-query limit" in refused.json()["message"]
    assert "Retry-After" in refused.headers


def test_entry_queries_are_scored_and_report_their_score() -> None:
    """rate-limiting guide: List entries too. Every scored answer carries the emulator's
    ``X-Attio-Query-Score`` (an emulator header, not Attio's)."""
    app, _ = scored_app(query_score_budget=2)
    auth = {"Authorization": f"Bearer {KEY_A}"}
    with TestClient(app, headers=auth) as c:
        c.post(
            "/v2/lists",
            json={
                "data": {
                    "name": "Scored",
                    "api_slug": "scored",
                    "parent_object": "people",
                    "workspace_access": "full-access",
                    "workspace_member_access": [],
                }
            },
        ).raise_for_status()
        first = c.post("/v2/lists/scored/entries/query", json={})
        second = c.post("/v2/lists/scored/entries/query", json={})
        third = c.post("/v2/lists/scored/entries/query", json={})
        records = query(c, KEY_A, {})
    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]
    assert first.headers[SCORE_HEADER] == "1"
    assert records.status_code == 429  # one window for records and entries


def test_scores_are_off_by_default() -> None:
    """No ``query_score_budget``: queries are limited by the read budget alone."""
    app = create_app(EmulatorConfig(api_keys=[KEY_A], read_rate=0))
    with TestClient(app) as c:
        statuses = {query(c, KEY_A, HEAVY).status_code for _ in range(30)}
    assert statuses == {200}
