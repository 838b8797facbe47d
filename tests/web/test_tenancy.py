"""Each workspace's parts for its handlers: its own client (against the in-process emulator),
its own cache namespace (in the real Redis, seen by every process), one state store shared."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import httpx
import pytest
import redis

from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.web.tenancy import TenantResources
from attio_bridge.webhooks import Tenant, Tenants, UnknownTenantError
from tests._servers import server_absent

from ..conftest import API_KEY

REDIS_URL = os.environ.get("ATTIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _tenants(*names: str) -> Tenants:
    return Tenants(Tenant(name, api_key=API_KEY, base_url="http://emulator.test") for name in names)


def test_each_workspace_has_its_own_client_and_cache_and_shares_the_store(
    emulator: EmulatorApp, tmp_path: Path
) -> None:
    resources = TenantResources(
        _tenants("a", "b"),
        store_url=f"sqlite:///{tmp_path / 'state.sqlite3'}",
        transport=httpx.ASGITransport(app=emulator),
    )

    async def scenario() -> str:
        a, b = resources.parts("a"), resources.parts("b")
        assert resources.parts("a") is a
        assert a.store is b.store
        a.cache.set("rec-1", {"name": "Ada"}, "records")
        assert a.cache.get("rec-1", "records") == {"name": "Ada"}
        assert b.cache.get("rec-1", "records") is None
        me = await a.client.identify()
        await resources.aclose()
        return str(me.workspace_name)

    assert asyncio.run(scenario()) == emulator.state.workspace.name
    with pytest.raises(UnknownTenantError, match="no workspace named 'c'"):
        resources.parts("c")


def test_a_workspace_cache_in_redis_lives_under_its_own_namespace(tmp_path: Path) -> None:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        server_absent(f"Redis is not reachable at {REDIS_URL} ({exc})", "start it to run this")
    name = f"web-test-{uuid.uuid4().hex[:12]}"
    resources = TenantResources(
        _tenants(name), redis_url=REDIS_URL, store_url=f"sqlite:///{tmp_path / 's.sqlite3'}"
    )
    try:
        resources.parts(name).cache.set("rec-9", {"n": 9}, "records")
        keys = [k.decode() for k in client.scan_iter(match=f"attio-bridge:cache:t:{name}:*")]
        assert len(keys) == 1
        other = TenantResources(
            _tenants(name), redis_url=REDIS_URL, store_url=f"sqlite:///{tmp_path / 's.sqlite3'}"
        )
        assert other.parts(name).cache.get("rec-9", "records") == {"n": 9}  # another process
        asyncio.run(other.aclose())
    finally:
        for key in client.scan_iter(match=f"attio-bridge:cache:t:{name}:*"):
            client.delete(key)
        asyncio.run(resources.aclose())
        client.close()
