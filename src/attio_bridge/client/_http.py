"""The one module that imports httpx: clients, transports and the mapping of its errors.

Everything else in the client speaks in ``RawResponse`` and the ``AttioError`` tree, so the
transport stays the test seam (``httpx.MockTransport``, ``httpx.ASGITransport``) and nothing
else depends on httpx's types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from ._exceptions import APIConnectionError, APITimeoutError

AsyncTransport = httpx.AsyncBaseTransport
SyncTransport = httpx.BaseTransport
Timeout = httpx.Timeout


@dataclass(slots=True)
class RawResponse:
    """What the client needs of an HTTP answer."""

    status_code: int
    headers: dict[str, str]
    content: bytes


def _headers(response: httpx.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items()}


def _connection_error(exc: Exception) -> APIConnectionError:
    # A failure to connect, or a wait for a free pooled connection that ran out, means no byte of
    # the request left: safe to retry any method.
    sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"Timed out talking to Attio: {exc}", request_sent=sent)
    return APIConnectionError(f"Connection to Attio failed: {exc}", request_sent=sent)


def make_async_client(
    base_url: str, headers: dict[str, str], timeout: float, transport: Any | None
) -> httpx.AsyncClient:
    """The async HTTP client under an ``AsyncAttioClient``."""
    return httpx.AsyncClient(
        base_url=base_url,
        headers=headers,
        timeout=timeout,
        transport=transport,
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
    )


def make_sync_client(
    base_url: str, headers: dict[str, str], timeout: float, transport: Any | None
) -> httpx.Client:
    """The sync HTTP client under an ``AttioClient``."""
    return httpx.Client(base_url=base_url, headers=headers, timeout=timeout, transport=transport)


async def send_async(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    params: dict[str, Any] | None,
    json: Any,
    timeout: float | None,
) -> RawResponse:
    """One HTTP exchange, async."""
    try:
        r = await client.request(
            method,
            path,
            params=params,
            json=json,
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )
    except httpx.TransportError as exc:
        raise _connection_error(exc) from exc
    return RawResponse(r.status_code, _headers(r), r.content)


def send_sync(
    client: httpx.Client,
    method: str,
    path: str,
    params: dict[str, Any] | None,
    json: Any,
    timeout: float | None,
) -> RawResponse:
    """One HTTP exchange, sync."""
    try:
        r = client.request(
            method,
            path,
            params=params,
            json=json,
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )
    except httpx.TransportError as exc:
        raise _connection_error(exc) from exc
    return RawResponse(r.status_code, _headers(r), r.content)
