"""What a handler works with, per workspace: its client, services and cache, and the state store.

``TenantResources.parts(name)`` makes, on a workspace's first event, an ``AsyncAttioClient`` with
that workspace's key, base URL and read and write budgets (shared through Redis when
``redis_url`` is given, so every process spends one budget), the ``AsyncServices`` on it and a
cache under the workspace's own namespace (in Redis when configured, so an invalidation reaches
every process; in memory otherwise). The state store is opened once and shared. ``aclose()``
closes them all. A ``HandlerContext`` is these parts with the hooks.
"""

from __future__ import annotations

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
            found = TenantParts(tenant, client, AsyncServices(client, cache=cache), cache, store)
            self._parts[name] = found
            return found

    async def aclose(self) -> None:
        """Close every client, cache and the store; each is closed even if one before it fails
        (in the service the handlers made them on the job queue's event loop, which has stopped
        by now: a connection bound to it may refuse to close cleanly). The first error is raised
        once all are closed."""
        with self._lock:
            parts, self._parts = list(self._parts.values()), {}
            store, self._store = self._store, None
        failed: list[BaseException] = []
        for part in parts:
            for close in (part.client.aclose, part.cache.aclose):
                try:
                    await close()
                except Exception as exc:
                    failed.append(exc)
        if store is not None:
            store.close()
        if failed:
            raise failed[0]
