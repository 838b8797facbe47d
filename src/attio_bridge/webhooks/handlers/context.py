"""What a handler is given: ``HandlerContext`` (the tenant, its services, cache, state store and
hooks) and ``Hooks``, the places where a deployment plugs in its own work; and ``Coalescer``,
which turns a burst of events about one thing into one piece of work.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from ...cache import Cache
from ...errors import ConfigurationError
from ...services import AsyncServices
from ...state import StateStore
from ..references import References
from ..tenants import Tenant

if TYPE_CHECKING:
    from ..events import Event

__all__ = ["Coalescer", "HandlerContext", "Hook", "Hooks"]

T = TypeVar("T")

Hook = Callable[["Event", "HandlerContext"], Awaitable[Mapping[str, Any] | None]]
"""``async def hook(event, ctx) -> effect | None``; like a handler it must be idempotent."""


@dataclass(frozen=True, slots=True)
class Hooks:
    """A deployment's own work on some events; None leaves it out.

    ``external_sync`` runs on ``record.created`` (push the new record to another system);
    ``stage_automation`` on ``list-entry.created`` (e.g. a workflow's stage automation).
    """

    external_sync: Hook | None = None
    stage_automation: Hook | None = None


@dataclass(slots=True)
class _Run:
    started: float
    done: asyncio.Future[None]


class Coalescer:
    """One piece of work per key for every event received before it started.

    Attio fires one ``record.updated`` per changed attribute, and another when the system actor
    recalculates a formula: a burst of events about one record. ``run(key, received_at, work)``
    starts ``work`` unless a run of ``key`` started after ``received_at`` (Unix time): that run
    reads the state the event announced, so the event is satisfied by it (its caller waits for
    it to finish, and shares its failure). A failed run satisfies nothing. State is per process;
    ``received_at`` of 0 (unknown) always starts work.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        *,
        horizon: float = 600.0,
        max_keys: int = 10_000,
    ) -> None:
        self.clock = clock
        self.horizon = horizon
        self.max_keys = max_keys
        self._runs: dict[str, _Run] = {}

    async def run(
        self, key: str, received_at: float, work: Callable[[], Awaitable[T]]
    ) -> tuple[bool, T | None]:
        """``(True, result)`` when ``work`` ran; ``(False, None)`` when an earlier run covers it."""
        last = self._runs.get(key)
        if last is not None and received_at > 0 and last.started > received_at:
            await asyncio.shield(last.done)
            return False, None
        self._prune()
        run = _Run(self.clock(), asyncio.get_running_loop().create_future())
        self._runs[key] = run
        try:
            result = await work()
        except BaseException as exc:
            if self._runs.get(key) is run:
                del self._runs[key]
            run.done.set_exception(exc)
            run.done.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        run.done.set_result(None)
        return True, result

    def _prune(self) -> None:
        if len(self._runs) < self.max_keys:
            return
        cutoff = self.clock() - self.horizon
        for key, run in list(self._runs.items()):
            if run.done.done() and run.started < cutoff:
                del self._runs[key]
        while len(self._runs) >= self.max_keys:
            del self._runs[next(iter(self._runs))]


SHARED_COALESCER = Coalescer()
"""The process's coalescer, shared by every context that is not given its own."""


@dataclass(slots=True)
class HandlerContext:
    """A handler's view of one tenant: ``services`` (whose ``cache`` must be ``cache``: the
    handlers invalidate what the services cached), the state ``store``, the ``hooks``, and the
    ``coalescer`` that merges bursts of updates of one record into one re-read."""

    tenant: Tenant
    services: AsyncServices
    cache: Cache
    store: StateStore
    hooks: Hooks = field(default_factory=Hooks)
    coalescer: Coalescer = field(default_factory=lambda: SHARED_COALESCER)

    def __post_init__(self) -> None:
        if self.cache is not self.services.cache:
            raise ConfigurationError(
                "HandlerContext.cache must be the services' own cache (services.cache), or "
                "handlers would invalidate one cache while the services read another"
            )

    @classmethod
    def build(
        cls,
        tenant: Tenant,
        services: AsyncServices,
        store: StateStore,
        hooks: Hooks | None = None,
    ) -> HandlerContext:
        """A context whose cache is ``services.cache``."""
        return cls(tenant, services, services.cache, store, hooks or Hooks())

    @property
    def references(self) -> References:
        """The tenant's local references to records (rewritten on merges)."""
        return References(self.store, self.tenant.name)
