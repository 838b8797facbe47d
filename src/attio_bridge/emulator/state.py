"""What one running emulator holds: its settings, the workspace, rate budgets, faults, journal.

``EmulatorConfig`` is everything the command line and tests can set. ``EmulatorState`` is built
from it and shared by every route; the control plane (``/_emulator/...``) changes it at run time.
"""

from __future__ import annotations

import fnmatch
import random
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .delivery import DeliveryEngine
from .http import RateBudget, jitter
from .models.sql import DEFAULT_ROW_LIMIT as DEFAULT_SQL_ROW_LIMIT
from .models.sql import DEFAULT_TIMEOUT_S as DEFAULT_SQL_TIMEOUT_S
from .scores import QueryScores
from .seed import apply_seed
from .standins import STANDINS, StandIn, Standins
from .workspace import Workspace

if TYPE_CHECKING:
    from starlette.requests import Request

    from .http import RouteSpec
    from .persistence import Persistence

MERGE_RATE = 5.0  # record merges per second per token, as Attio documents
DEFAULT_RETRY_SCHEDULE = (
    60.0,
    300.0,
    900.0,
    3600.0,
    7200.0,
    14400.0,
    28800.0,
    43200.0,
    86400.0,
    86400.0,
)  # ten tries over about three days, as Attio documents


@dataclass
class EmulatorConfig:
    """Settings of one emulator instance."""

    api_keys: list[str] = field(default_factory=lambda: ["test-key"])
    # Scopes per API key (``scopes.parse_scopes`` spellings); a key not named has every scope.
    scopes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    read_rate: float = 100.0
    write_rate: float = 25.0
    latency_ms: float = 0.0
    latency_jitter_ms: float | None = None
    seed: str | None = None
    seed_size: int = 0
    database: str | None = None
    workspace_name: str = "Sandbox"
    workspace_slug: str = "sandbox"
    webhook_retry_schedule: tuple[float, ...] = DEFAULT_RETRY_SCHEDULE
    webhook_timeout_s: float = 10.0
    random_seed: int | None = None
    # How long a record merge takes to apply: 0 answers 200 at once, more answers 202 and
    # reads of the records answer 404 merge_in_progress meanwhile (control plane: /merges).
    merge_delay_s: float = 0.0
    # Events of one API call that one delivery may carry in its events[] (Attio sends one
    # today and documents that batching may come; see delivery.py).
    max_events_per_delivery: int = 1
    # Tokens the Slack and Drive stand-ins accept besides api_keys (see emulator/standins).
    slack_tokens: list[str] = field(default_factory=lambda: ["xoxb-sandbox"])
    google_tokens: list[str] = field(default_factory=lambda: ["ya29.sandbox"])
    # Tokens the CRM stand-ins (HubSpot, Salesforce, Zoho) accept besides api_keys.
    hubspot_tokens: list[str] = field(default_factory=lambda: ["pat-sandbox"])
    salesforce_tokens: list[str] = field(default_factory=lambda: ["00Dsandbox!session"])
    zoho_tokens: list[str] = field(default_factory=lambda: ["1000.sandbox"])
    # Their rate limits, system -> (requests, seconds), off when absent (HubSpot's private apps:
    # 100 per 10 s; Salesforce: its API request allowance; Zoho: credits per minute).
    crm_rate_limits: dict[str, tuple[int, float]] = field(default_factory=dict)
    # HubSpot's webhooks: the app's client secret signs them (v3); sent when a target is set.
    hubspot_client_secret: str = "hubspot-sandbox-secret"
    hubspot_webhook_url: str | None = None
    # Braintree's webhook notifications: the gateway's keys sign them (the private key is a
    # secret: never shown); sent to the destination when one is set (standins/braintree).
    braintree_merchant_id: str = "sandbox-merchant"
    braintree_public_key: str = "sandbox-public-key"
    braintree_private_key: str = field(default="sandbox-private-key", repr=False)
    braintree_webhook_url: str | None = None
    # Zoho CRM's notifications (a Notifications API channel on Services): each insert, update
    # and delete, with the channel's token, sent when a notify URL is set (standins/zoho).
    zoho_notify_url: str | None = None
    zoho_notify_token: str = field(default="zoho-sandbox-channel-token", repr=False)
    # The systems served beside Attio: the registry, or a longer tuple with a stand-in of one's own.
    standins: tuple[StandIn[Any], ...] = STANDINS
    # POST /v2/sql (routes/sql.py): on the Enterprise plan or not, its own rate, timeout, row cap.
    sql_enabled: bool = True
    sql_rate: float = 2.0
    sql_timeout_s: float = DEFAULT_SQL_TIMEOUT_S
    sql_row_limit: int = DEFAULT_SQL_ROW_LIMIT
    # Score-based limits on record and entry queries (scores.py); 0 is off, the default.
    query_score_budget: float = 0.0
    query_score_max: float = 0.0


@dataclass(slots=True)
class Fault:
    """One injected fault rule, matched against an operation name with shell wildcards."""

    fault_id: int
    match: str
    kind: str  # error | rate_limit | drop | drop_after | slow
    rate: float = 1.0
    status: int = 500
    seconds: float = 0.0
    remaining: int | None = None

    def render(self) -> dict[str, Any]:
        """The rule as the control plane shows it."""
        return {
            "id": self.fault_id,
            "match": self.match,
            "kind": self.kind,
            "rate": self.rate,
            "status": self.status,
            "seconds": self.seconds,
            "remaining": self.remaining,
        }


FAULT_KINDS = ("error", "rate_limit", "drop", "drop_after", "slow")


class Faults:
    """The fault rules in force; ``pick()`` decides, per request, which one fires."""

    def __init__(self, rng: random.Random) -> None:
        self.rules: list[Fault] = []
        self.rng = rng
        self._next = 1

    def add(self, match: str, kind: str, **opts: Any) -> Fault:
        """A new rule; ``match`` is an operation such as ``PUT /v2/objects/*`` or ``*``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}, not {kind!r}")
        rule = Fault(self._next, match, kind, **opts)
        self._next += 1
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        self.rules.clear()

    def pick(self, spec: RouteSpec) -> Fault | None:
        """The rule that fires for this request, if any (each rule draws independently)."""
        for rule in self.rules:
            if rule.remaining == 0:
                continue
            if not fnmatch.fnmatchcase(spec.operation, rule.match):
                continue
            if self.rng.random() < rule.rate:
                if rule.remaining is not None:
                    rule.remaining -= 1
                return rule
        return None


@dataclass(slots=True)
class JournalEntry:
    """One request the emulator received (never the token itself)."""

    at: float
    method: str
    path: str
    query: str
    operation: str
    status: int
    duration_ms: float


class Journal:
    """The most recent requests received, for tests that check what a client sent."""

    def __init__(self, size: int = 10_000) -> None:
        self.entries: deque[JournalEntry] = deque(maxlen=size)

    def record(self, request: Request, operation: str, status: int, started: float) -> None:
        """Keep one request."""
        self.entries.append(
            JournalEntry(
                at=time.time(),
                method=request.method,
                path=request.url.path,
                query=request.url.query,
                operation=operation,
                status=status,
                duration_ms=(time.perf_counter() - started) * 1000,
            )
        )

    def render(self) -> list[dict[str, Any]]:
        """Every kept entry, oldest first."""
        return [
            {
                "at": e.at,
                "method": e.method,
                "path": e.path,
                "query": e.query,
                "operation": e.operation,
                "status": e.status,
                "duration_ms": round(e.duration_ms, 3),
            }
            for e in self.entries
        ]


class EmulatorState:
    """The live state of one emulator: workspace, budgets, faults, journal."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.rng = random.Random(config.random_seed)
        self.budget = RateBudget(config.read_rate, config.write_rate)
        # Record merge's own limit (5/s per token), dated by the same clock as the budgets.
        self.merge_budget = RateBudget(MERGE_RATE, MERGE_RATE, lambda: self.budget.clock())
        self.sql_budget = RateBudget(config.sql_rate, 0)
        self.scores = QueryScores(config.query_score_budget, config.query_score_max)
        self.faults = Faults(self.rng)
        self.journal = Journal()
        self.latency_ms = config.latency_ms
        self.latency_jitter_ms = (
            config.latency_jitter_ms
            if config.latency_jitter_ms is not None
            else config.latency_ms * 0.1
        )
        # Built before the first workspace, which new_workspace() attaches it to.
        self.deliveries = DeliveryEngine(config)
        self.standins = Standins(config, config.standins)  # Slack, Drive ..., beside Attio
        self.persistence: Persistence | None = None
        if config.database:
            from .persistence import Persistence

            self.persistence = Persistence(config.database)
            # Replays the operation log, or starts it; sets self.workspace either way.
            self.persistence.restore(self)
        else:
            self.workspace = self.fresh_workspace(config.seed, config.seed_size)

    def new_workspace(self) -> Workspace:
        """A fresh workspace with the configured keys and a first member."""
        ws = Workspace(self.config.workspace_name, self.config.workspace_slug)
        ws.add_member("Ada", "Admin", "ada@example.com", "admin")
        ws.merge_delay_s = self.config.merge_delay_s
        # Tokens last: a persisted workspace restarted with other keys keeps every other id.
        for key in self.config.api_keys:
            ws.add_token(key, self.config.scopes.get(key))
        self.deliveries.attach(ws)
        return ws

    def start_over(self) -> Workspace:
        """A new workspace (``new_workspace``) and empty stand-ins: what an ``init`` operation does.

        The stand-ins start over on the same tape as the workspace (Drive's root folder id, the
        time Slack's ``#general`` was made ...), after it and in registry order, so a replayed
        ``init`` gives both the same ids.
        """
        ws = self.new_workspace()
        self.standins.reset()
        return ws

    def fresh_workspace(self, seed: str | None = None, size: int = 0) -> Workspace:
        """A new workspace (``new_workspace``) filled with seed dataset ``seed``, if given."""
        ws = self.new_workspace()
        if seed:
            apply_seed(ws, seed, size, seed=self.config.random_seed or 0)
        return ws

    def latency_s(self) -> float:
        """This request's added latency, in seconds."""
        return jitter(self.latency_ms, self.latency_jitter_ms, self.rng)
