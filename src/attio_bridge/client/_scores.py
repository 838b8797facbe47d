"""Pacing record and list-entry queries by Attio's score-based limits (client side, no I/O).

docs.attio.com/rest-api/guides/rate-limiting, "Score-based rate limits": every query of
``POST .../records/query`` and ``POST .../entries/query`` has a complexity score (from its filters
and sorts and the size of the object or list), and the scores of a workspace's queries are
summed over a 10-second sliding window; past the workspace's budget Attio answers 429 with
``Retry-After``, which the client honours like any 429. With ``query_score_budget`` set, the
client also spaces its queries so that its own scores in any 10 seconds stay within it.

What a query costs is known when the server says so (the emulator's ``X-Attio-Query-Score``
header; the last score of each path is kept); otherwise it is estimated from the body as
Attio describes it: one, plus one per filter condition, plus two per sort. The window is shared
by every client of the process on the same key (``score_budget_for``).
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._rate import key_fingerprint

WINDOW_S = 10.0
SCORE_HEADER = "x-attio-query-score"
SCORED_PATHS = ("/records/query", "/entries/query")
_REGISTRY: dict[tuple[str, float], QueryScoreBudget] = {}
_REGISTRY_LOCK = threading.Lock()


def is_scored(method: str, path: str) -> bool:
    """Whether a request is a query Attio scores."""
    return method.upper() == "POST" and path.endswith(SCORED_PATHS)


# The emulator counts conditions the same way (emulator/scores.py), on purpose in its own code:
# the emulator shares nothing with the client, so that the two can disagree (STYLE.md).
def _conditions(node: Any) -> int:
    if not isinstance(node, Mapping):
        return 0
    count = 0
    for key, value in node.items():
        if key in ("$and", "$or") and isinstance(value, list):
            count += sum(_conditions(v) for v in value)
        elif key == "$not":
            count += _conditions(value)
        else:
            count += 1
    return count


def estimate_score(body: Any) -> float:
    """A query body's score as far as the body tells: 1 + conditions + 2 x sorts."""
    if not isinstance(body, Mapping):
        return 1.0
    sorts = body.get("sorts")
    return float(
        1 + _conditions(body.get("filter")) + 2 * (len(sorts) if isinstance(sorts, list) else 0)
    )


@dataclass(slots=True, order=True)
class Ticket:
    """One query's place in the window: when it is sent and what it is counted as."""

    at: float
    score: float = field(compare=False)
    path: str = field(compare=False, default="")


class QueryScoreBudget:
    """The sliding window of this process's query scores on one key."""

    def __init__(self, budget: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.budget = budget
        self.clock = clock
        self._tickets: list[Ticket] = []
        self._known: dict[str, float] = {}
        self._lock = threading.Lock()

    def cost(self, path: str, body: Any) -> float:
        """What a query to ``path`` is expected to cost: the last score reported for the path,
        else the estimate from ``body``."""
        return self._known.get(path) or estimate_score(body)

    def reserve(self, path: str, body: Any) -> tuple[float, Ticket]:
        """Seconds to wait before sending the query, and its ticket in the window."""
        with self._lock:
            now = self.clock()
            self._tickets = [t for t in self._tickets if t.at > now - WINDOW_S]
            # A query over the whole budget goes once the window is empty, never waits forever.
            cost = min(self.cost(path, body), self.budget)
            over = sum(t.score for t in self._tickets) + cost - self.budget
            at = now
            for t in self._tickets:
                if over <= 0:
                    break
                over -= t.score
                at = max(at, t.at + WINDOW_S)
            ticket = Ticket(at, cost, path)
            bisect.insort(self._tickets, ticket)
            return at - now, ticket

    def settle(self, ticket: Ticket, headers: Mapping[str, str]) -> None:
        """Count the query as what the server says it cost, and remember that for its path."""
        reported = headers.get(SCORE_HEADER)
        if reported is None:
            return
        try:
            score = float(reported)
        except ValueError:
            return
        with self._lock:
            ticket.score = score
            self._known[ticket.path] = score


def score_budget_for(api_key: str, budget: float) -> QueryScoreBudget:
    """The process-wide query score window for this key and budget (made on first use)."""
    ident = (key_fingerprint(api_key), budget)
    with _REGISTRY_LOCK:
        found = _REGISTRY.get(ident)
        if found is None:
            found = _REGISTRY[ident] = QueryScoreBudget(budget)
        return found
