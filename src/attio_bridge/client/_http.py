"""The one module that imports httpx: clients, transports and the mapping of its errors.

Everything else in the client speaks in ``RawResponse`` and the ``AttioError`` tree, so the
transport stays the test seam (``httpx.MockTransport``, ``httpx.ASGITransport``) and nothing
else depends on httpx's types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import httpx

from ._exceptions import APIConnectionError, APITimeoutError, AttioAPIError, make_status_error

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


@dataclass(frozen=True, slots=True)
class Form:
    """A ``multipart/form-data`` body: text ``fields`` and one file (``file_field``)."""

    fields: dict[str, str]
    file_field: str
    file_name: str
    content: bytes
    content_type: str | None = None


def _multipart(form: Form | None) -> dict[str, Any]:
    if form is None:
        return {}
    part = (form.file_name, form.content, form.content_type or "application/octet-stream")
    return {"data": form.fields, "files": {form.file_field: part}}


def _storage_request(client: httpx.AsyncClient | httpx.Client, url: str) -> httpx.Request:
    """A GET of a signed storage URL, without the client's ``Authorization`` header: the URL
    carries its own signature, and the API key must not go to another host."""
    request = client.build_request("GET", url)
    request.headers.pop("authorization", None)
    return request


def _storage_failure(response: httpx.Response, url: str) -> AttioAPIError:
    # The URL's query string is its signature: the error names the path only.
    return make_status_error(
        response.status_code,
        response.content.decode("utf-8", "replace")[:200],
        method="GET",
        path=urlsplit(url).path,
    )


async def download_async(
    client: httpx.AsyncClient, url: str, sink: BinaryIO | None
) -> tuple[bytes, int]:
    """Fetch a signed download URL: the bytes (when ``sink`` is None) or write them to ``sink``
    as they arrive; and how many there were."""
    try:
        response = await client.send(_storage_request(client, url), stream=True)
        try:
            if response.status_code >= 400:
                await response.aread()
                raise _storage_failure(response, url)
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if sink is None:
                    chunks.append(chunk)
                else:
                    sink.write(chunk)
        finally:
            await response.aclose()
    except httpx.TransportError as exc:
        raise _connection_error(exc) from exc
    return b"".join(chunks), size


def download_sync(client: httpx.Client, url: str, sink: BinaryIO | None) -> tuple[bytes, int]:
    """Fetch a signed download URL, sync (see ``download_async``)."""
    try:
        response = client.send(_storage_request(client, url), stream=True)
        try:
            if response.status_code >= 400:
                response.read()
                raise _storage_failure(response, url)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if sink is None:
                    chunks.append(chunk)
                else:
                    sink.write(chunk)
        finally:
            response.close()
    except httpx.TransportError as exc:
        raise _connection_error(exc) from exc
    return b"".join(chunks), size


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
    form: Form | None = None,
) -> RawResponse:
    """One HTTP exchange, async (``form``: a multipart body instead of JSON)."""
    try:
        r = await client.request(
            method,
            path,
            params=params,
            json=json,
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            **_multipart(form),
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
    form: Form | None = None,
) -> RawResponse:
    """One HTTP exchange, sync (``form``: a multipart body instead of JSON)."""
    try:
        r = client.request(
            method,
            path,
            params=params,
            json=json,
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            **_multipart(form),
        )
    except httpx.TransportError as exc:
        raise _connection_error(exc) from exc
    return RawResponse(r.status_code, _headers(r), r.content)
