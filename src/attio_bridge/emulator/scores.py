"""Score-based limits on record and list-entry queries, as Attio's rate-limiting guide has them.

docs.attio.com/rest-api/guides/rate-limiting, "Score-based rate limits": each query of the List
records and List entries endpoints gets a complexity score, "a function of the request's sorts
and filters as well as the total record/entry count for the object/list". A query whose own
score exceeds the per-query limit, or whose score would take the sum over a 10-second sliding
window (summed across every app and token of the workspace) past the budget, gets 429 with a
``Retry-After`` date, before the plain read budget of 100 per second is spent.

Attio publishes neither the function nor the numbers. Ours: one point, plus one per filter
condition, plus two per sort, all times the size of the object or list in thousands of rows
(at least 1). Both limits are off by default (``EmulatorConfig.query_score_budget`` and
``query_score_max``, ``--query-score-budget`` / ``--query-score-max``), so a run that does not
ask for them is limited by the read budget alone. Every scored answer carries
``X-Attio-Query-Score``, an emulator header (Attio sends none) that lets a client learn what a
query costs and pace itself.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

from .errors import RateLimitError

WINDOW_S = 10.0
SCORE_HEADER = "X-Attio-Query-Score"


def filter_conditions(node: Any) -> int:
    """The conditions a query's ``filter`` holds: each attribute condition counts once, the
    branches of ``$and``/``$or`` and the inside of ``$not`` are counted through."""
    if not isinstance(node, dict):
        return 0
    count = 0
    for key, value in node.items():
        if key in ("$and", "$or") and isinstance(value, list):
            count += sum(filter_conditions(v) for v in value)
        elif key == "$not":
            count += filter_conditions(value)
        else:
            count += 1
    return count


def query_score(body: dict[str, Any], total: int) -> int:
    """The score of one query ``body`` over an object or list of ``total`` rows."""
    sorts = body.get("sorts")
    complexity = (
        1
        + filter_conditions(body.get("filter"))
        + 2 * (len(sorts) if isinstance(sorts, list) else 0)
    )
    return complexity * max(1, math.ceil(total / 1000))


class QueryScoreLimitError(RateLimitError):
    """429 for a query over a score limit; carries its ``Retry-After`` header."""

    def __init__(self, message: str, retry_at: float) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": formatdate(math.ceil(retry_at), usegmt=True)}


class QueryScores:
    """The workspace's sliding window of query scores (one for every token)."""

    def __init__(
        self, budget: float, per_query: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.budget = budget
        self.per_query = per_query
        self.clock = clock
        self._spent: deque[tuple[float, int]] = deque()
        self._sum = 0

    def spend(self, score: int) -> None:
        """Count ``score`` in the window now; ``QueryScoreLimitError`` (nothing counted) when it
        is over the per-query limit or the window's budget."""
        now = self.clock()
        # A query over the whole window's budget could never pass: a per-query limit too.
        limit = min(x for x in (self.per_query, self.budget, math.inf) if x > 0)
        if score > limit:
            raise QueryScoreLimitError(
                f"Rate limit exceeded: this query's score ({score}) is over the per-query limit "
                f"({limit:g}); use fewer filters and sorts, then try again.",
                now + 1,
            )
        if self.budget <= 0:
            return
        while self._spent and self._spent[0][0] <= now - WINDOW_S:
            self._sum -= self._spent.popleft()[1]
        if self._sum + score > self.budget:
            # The moment enough of the window's older scores have left it for this one.
            left = self._sum + score - self.budget
            retry_at = now + WINDOW_S
            for at, spent in self._spent:
                left -= spent
                if left <= 0:
                    retry_at = at + WINDOW_S
                    break
            raise QueryScoreLimitError(
                f"Rate limit exceeded: the queries of the last {WINDOW_S:g} seconds have spent "
                f"the workspace's query score budget ({self.budget:g}); try again later.",
                retry_at,
            )
        self._spent.append((now, score))
        self._sum += score

    def charge(self, body: dict[str, Any], total: int) -> dict[str, str]:
        """Spend the score of query ``body`` over ``total`` rows (``spend``); the header that
        reports it."""
        score = query_score(body, total)
        self.spend(score)
        return {SCORE_HEADER: str(score)}
