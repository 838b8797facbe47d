"""``SyncASGITransport``: serve an ASGI app in-process to a *sync* ``httpx.Client``.

httpx ships ``ASGITransport`` for async clients only. This is its sync twin, so ``AttioClient``
(or any ``httpx.Client``) can talk to the emulator without a socket::

    transport = SyncASGITransport(create_app())
    with AttioClient(api_key="test-key", transport=transport) as attio:
        attio.identify()

The app runs on an event loop in a background thread, driven through an anyio blocking portal
(what starlette's ``TestClient`` does internally). One portal serves every request of the
transport, so an app's loop-bound state lives as long as the transport; ``close()`` stops it.

Request bodies are passed to the app chunk by chunk, and response bodies are streamed back as
the app sends them, so ``client.stream(...)`` sees a slow or endless response as it happens.
With ``raise_app_exceptions=False`` the transport answers like a server would: 500 for an app
that fails before responding, and ``httpx.RemoteProtocolError`` for a body cut off mid-way.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from concurrent.futures import Future
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
import httpx
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

__all__ = ["SyncASGITransport"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]

# Response chunks buffered between the app and the reader; a small bound applies backpressure
# to an app that streams faster than the client reads, as a socket would.
_BODY_BUFFER = 16


class _LoopThread:
    """An event loop in a daemon thread, driven through a blocking portal.

    anyio's ``start_blocking_portal`` runs its loop in a pool thread that the interpreter waits
    for at exit, so a transport nobody closed would hang the process; a daemon thread does not.
    """

    def __init__(self, backend: str, options: dict[str, Any] | None) -> None:
        self._backend = backend
        self._options = options
        self._ready: Future[anyio.from_thread.BlockingPortal] = Future()
        self._thread = threading.Thread(target=self._run, name="SyncASGITransport", daemon=True)
        self._thread.start()
        self.portal = self._ready.result()

    def _run(self) -> None:
        async def serve() -> None:
            async with anyio.from_thread.BlockingPortal() as portal:
                self._ready.set_result(portal)
                await portal.sleep_until_stopped()

        try:
            anyio.run(serve, backend=self._backend, backend_options=self._options)
        except BaseException as exc:  # a bad backend name: tell the thread waiting for us
            if not self._ready.done():
                self._ready.set_exception(exc)
            else:
                raise

    def stop(self) -> None:
        """Cancel what still runs on the loop, end it and wait for the thread."""
        with contextlib.suppress(RuntimeError):  # the loop already ended
            self.portal.call(self.portal.stop, True)
        self._thread.join()


class _Exchange:
    """One request/response exchange between the caller's thread and the app's loop."""

    def __init__(self, transport: SyncASGITransport, request: httpx.Request) -> None:
        self.transport = transport
        self.request = request
        if not isinstance(request.stream, httpx.SyncByteStream):
            raise TypeError("SyncASGITransport serves sync clients: use httpx.ASGITransport.")
        self.chunks: Iterator[bytes] = iter(request.stream)
        # An in-memory body (json=, content=bytes) cannot block; anything else may.
        self.in_memory = isinstance(request.stream, httpx.ByteStream)
        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.request_complete = False
        self.body_complete = False
        self.error: Exception | None = None

    async def open(self) -> None:
        """Create the loop-bound primitives (they must be made on the app's loop)."""
        self.started = anyio.Event()
        self.disconnected = anyio.Event()
        self.cancel_scope = anyio.CancelScope()
        streams = anyio.create_memory_object_stream[bytes](_BODY_BUFFER)
        self.body_tx: MemoryObjectSendStream[bytes] = streams[0]
        self.body_rx: MemoryObjectReceiveStream[bytes] = streams[1]

    def scope(self) -> dict[str, Any]:
        """The ASGI HTTP scope of the request."""
        url = self.request.url
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": self.request.method,
            "headers": [(k.lower(), v) for k, v in self.request.headers.raw],
            "scheme": url.scheme,
            "path": url.path,
            "raw_path": url.raw_path.split(b"?")[0],
            "query_string": url.query,
            "server": (url.host, url.port),
            "client": self.transport.client,
            "root_path": self.transport.root_path,
        }

    async def run(self) -> None:
        """Run the app on this exchange; never raises (the caller's thread reports errors)."""
        try:
            with self.cancel_scope:
                async with self.body_tx:
                    await self.transport.app(self.scope(), self.receive, self.send)
        except Exception as exc:
            self.error = exc
        finally:
            self.started.set()
            self.disconnected.set()

    async def receive(self) -> Message:
        """ASGI ``receive``: the request body chunk by chunk, then a disconnect."""
        if self.request_complete:
            # A disconnect only once the app is done or the reader gave up, as a server reports it.
            await self.disconnected.wait()
            return {"type": "http.disconnect"}
        if self.in_memory:
            chunk = next(self.chunks, None)
        else:
            # A streamed body may be a generator doing blocking I/O: pull it off the loop.
            chunk = await anyio.to_thread.run_sync(next, self.chunks, None)
        if chunk is None:
            self.request_complete = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": bytes(chunk), "more_body": True}

    async def send(self, message: Message) -> None:
        """ASGI ``send``: the response start, then its body chunks."""
        if message["type"] == "http.response.start":
            if self.status is not None:
                raise RuntimeError("The ASGI app sent http.response.start twice.")
            self.status = int(message["status"])
            self.headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
            self.started.set()
        elif message["type"] == "http.response.body":
            if self.status is None:
                raise RuntimeError("The ASGI app sent a body before http.response.start.")
            if self.body_complete:
                raise RuntimeError("The ASGI app sent a body after the response was complete.")
            body = bytes(message.get("body", b""))
            if body and self.request.method != "HEAD":
                await self.body_tx.send(body)
            if not message.get("more_body", False):
                self.body_complete = True
                # The body is over for the reader; the app may go on (background tasks).
                await self.body_tx.aclose()

    async def next_chunk(self) -> bytes | None:
        """The next response chunk, or None once the app closed the body."""
        try:
            return await self.body_rx.receive()
        except anyio.EndOfStream:
            return None

    async def abandon(self) -> None:
        """The reader is done: stop an app still streaming, free the buffer."""
        if not self.body_complete:
            self.cancel_scope.cancel()
        self.disconnected.set()
        self.body_rx.close()


class _ResponseStream(httpx.SyncByteStream):
    """The response body, pulled from the app's loop as the reader asks for it."""

    def __init__(
        self, exchange: _Exchange, portal: anyio.from_thread.BlockingPortal, task: Future[None]
    ) -> None:
        self._exchange = exchange
        self._portal = portal
        self._task = task
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        while True:
            chunk = self._portal.call(self._exchange.next_chunk)
            if chunk is None:
                break
            yield chunk
        if not self._exchange.body_complete:
            # The app stopped mid-body: wait for its error and report it as the network would.
            self._task.result()
            self._exchange.transport._raise_app_error(self._exchange)
            raise httpx.RemoteProtocolError(
                "The ASGI app ended the response without completing its body."
            )

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._portal.call(self._exchange.abandon)
        self._task.result()
        if self._exchange.body_complete:
            self._exchange.transport._raise_app_error(self._exchange)


class SyncASGITransport(httpx.BaseTransport):
    """An ``httpx.BaseTransport`` that sends requests straight to an ASGI app, in-process.

    ``raise_app_exceptions`` (default True, as in httpx's ``ASGITransport``) re-raises an error
    the app raised, for easy debugging; set it False to get what a server would send instead.
    ``root_path`` and ``client`` fill the ASGI scope. ``backend`` is the anyio backend the app
    runs on ("asyncio" or "trio") and ``backend_options`` its options.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        raise_app_exceptions: bool = True,
        root_path: str = "",
        client: tuple[str, int] = ("127.0.0.1", 123),
        backend: str = "asyncio",
        backend_options: dict[str, Any] | None = None,
    ) -> None:
        self.app = app
        self.raise_app_exceptions = raise_app_exceptions
        self.root_path = root_path
        self.client = client
        self.backend = backend
        self.backend_options = backend_options
        self._loop: _LoopThread | None = None
        self._lock = threading.Lock()

    def _get_portal(self) -> anyio.from_thread.BlockingPortal:
        # Started on first use and kept: one loop for the app until close(). Like httpx's own
        # connection pool, a closed transport opens again on the next request, so clients that
        # share it (``with_options`` copies) outlive each other.
        with self._lock:
            if self._loop is None:
                self._loop = _LoopThread(self.backend, self.backend_options)
            return self._loop.portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Run the app on ``request``; returns once the response has started."""
        portal = self._get_portal()
        exchange = _Exchange(self, request)
        portal.call(exchange.open)
        task: Future[None] = portal.start_task_soon(exchange.run)
        portal.call(exchange.started.wait)
        if exchange.status is None:
            # The app finished (or failed) without a response.
            task.result()
            portal.call(exchange.abandon)
            self._raise_app_error(exchange)
            if self.raise_app_exceptions:
                raise RuntimeError("The ASGI app returned without sending a response.")
            return httpx.Response(500, headers={"content-type": "text/plain"}, content=b"")
        stream = _ResponseStream(exchange, portal, task)
        return httpx.Response(exchange.status, headers=exchange.headers, stream=stream)

    def _raise_app_error(self, exchange: _Exchange) -> None:
        if exchange.error is not None and self.raise_app_exceptions:
            raise exchange.error

    def close(self) -> None:
        """Stop the app's event loop and its thread (pending requests are cancelled)."""
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.stop()
