"""Helpers of the import and export tests, written once (``_sync/_import_support.py`` is
generated from it): a client on an in-process emulator of the test's choosing, and what a
workspace holds, decoded."""

from __future__ import annotations

from typing import Any

from attio_bridge.client import AsyncAttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.values import AsyncSchemaCache, decode_record

from .._clients import async_client
from ..conftest import fresh_app


def client_on(app: EmulatorApp | None = None) -> AsyncAttioClient:
    """A client without rate limits on ``app``, by default a new empty workspace."""
    return async_client(app if app is not None else fresh_app())


async def rows_of(client: AsyncAttioClient, object: str) -> list[dict[str, Any]]:
    """Every record of ``object`` decoded, without ``record_id``."""
    schema = await AsyncSchemaCache(client).get()
    out = []
    async for record in client.records.iter(object):
        row = decode_record(schema, record)
        row.pop("record_id")
        out.append(row)
    return out
