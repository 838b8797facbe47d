"""What a handler works with, per workspace: its client, services and cache, and the state store.

``TenantResources.parts(name)`` makes, on a workspace's first event, an ``AsyncAttioClient`` with
that workspace's key, base URL and read and write budgets (shared through Redis when
``redis_url`` is given, so every process spends one budget), the ``AsyncServices`` on it and a
cache under the workspace's own namespace (in Redis when configured, so an invalidation reaches
every process; in memory otherwise). The state store is opened once and shared. Each part
remembers the event loop it was made on (the job queue's, for the handlers): an async client is
closed on that loop, by ``close_on_their_loops()`` while the loop still runs (the service calls it
once the queue's jobs are done, before the queue stops its loop); ``aclose()`` closes the rest.
A ``HandlerContext`` is these parts with the hooks.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..cache import DEFAULT_PREFIX, Cache, create_cache
from ..client import AsyncAttioClient
from ..services import AsyncServices
from ..state import StateStore, open_store
from ..webhooks import Tenant, Tenants

__all__ = ["TenantParts", "TenantResources"]


@dataclass(frozen=True, slots=True)
class TenantParts:
    """One workspace's client, services and cache, and the shared state store."""

    tenant: Tenant
    client: AsyncAttioClient
    services: AsyncServices
    cache: Cache
    store: StateStore
    loop: asyncio.AbstractEventLoop | None = None  # the event loop the client was made on

    async def aclose(self) -> None:
        """Close the client and the cache (on ``loop``); the cache is closed even if the client
        fails to."""
        try:
            await self.client.aclose()
        finally:
            await self.cache.aclose()


class TenantResources:
    """Each tenant's parts, made on first use and kept until ``aclose``."""

    def __init__(
        self,
        tenants: Tenants,
        *,
        redis_url: str | None = None,
        store_url: str | None = None,
        environ: Mapping[str, str] | None = None,
        transport: Any = None,
    ) -> None:
        self._tenants = tenants
        self._redis_url = redis_url
        self._store_url = store_url
        self._environ = environ
        self._transport = transport  # the test seam: an httpx transport to an emulator
        self._lock = threading.Lock()
        self._store: StateStore | None = None
        self._parts: dict[str, TenantParts] = {}

    def store(self) -> StateStore:
        """The state store the handlers share (opened on first use)."""
        with self._lock:
            return self._open_store()

    def _open_store(self) -> StateStore:
        if self._store is None:
            self._store = open_store(self._store_url, environ=self._environ)
        return self._store

    def parts(self, name: str) -> TenantParts:
        """The parts of the tenant ``name`` (``UnknownTenantError`` if none is configured)."""
        with self._lock:
            found = self._parts.get(name)
            if found is not None:
                return found
            tenant = self._tenants.get(name)
            store = self._open_store()
            client = AsyncAttioClient(
                api_key=tenant.api_key,
                base_url=tenant.base_url,
                read_rate=int(tenant.read_rate),
                write_rate=int(tenant.write_rate),
                rate_limit_backend=self._redis_url,
                transport=self._transport,
            )
            cache = create_cache(
                self._redis_url, prefix=f"{DEFAULT_PREFIX}{tenant.cache_namespace}:"
            )
            found = TenantParts(
                tenant, client, AsyncServices(client, cache=cache), cache, store, _running_loop()
            )
            self._parts[name] = found
            return found

    def close_on_their_loops(self, timeout: float = 5.0) -> None:
        """Close, from a thread that runs no event loop, each part made on an event loop that
        still runs, on that loop (a client's connections belong to the loop that opened them).
        The first error is raised once all are tried; the parts are forgotten either way."""
        here = _running_loop()
        with self._lock:
            elsewhere = {
                n: p for n, p in self._parts.items() if _running(p.loop) and p.loop is not here
            }
            for name in elsewhere:
                del self._parts[name]
        failed: list[BaseException] = []
        for part in elsewhere.values():
            assert part.loop is not None
            try:
                asyncio.run_coroutine_threadsafe(part.aclose(), part.loop).result(timeout)
            except Exception as exc:
                failed.append(exc)
        if failed:
            raise failed[0]

    async def aclose(self) -> None:
        """Close every client, cache and the store; each is closed even if one before it fails.
        A part made on another event loop that still runs is closed on it; one whose loop has
        stopped cannot be closed cleanly (``close_on_their_loops`` should have run before). The
        first error is raised once all are closed."""
        with self._lock:
            parts, self._parts = list(self._parts.values()), {}
            store, self._store = self._store, None
        here = asyncio.get_running_loop()
        failed: list[BaseException] = []
        for part in parts:
            try:
                if part.loop is None or part.loop is here:
                    await part.aclose()
                elif _running(part.loop):
                    await asyncio.wrap_future(
                        asyncio.run_coroutine_threadsafe(part.aclose(), part.loop)
                    )
                else:
                    raise RuntimeError(
                        f"the client of workspace {part.tenant.name!r} was made on an event loop "
                        "that has stopped; close it before that loop stops"
                    )
            except Exception as exc:
                failed.append(exc)
        if store is not None:
            store.close()
        if failed:
            raise failed[0]


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _running(loop: asyncio.AbstractEventLoop | None) -> bool:
    return loop is not None and loop.is_running() and not loop.is_closed()
