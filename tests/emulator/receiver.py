"""A real local HTTP server that records webhook deliveries, for tests of the delivery engine.

``Receiver`` listens on ``127.0.0.1`` on a free port in a background thread and keeps, per
request, the headers and the exact raw body bytes. What it answers is up to a ``respond``
callback, so a test can fail a few tries, hold a request until released, or always fail.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return orjson.loads(self.body)


Respond = Callable[[Received], int]


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST and answers ``respond(request)``."""

    def __init__(self, respond: Respond | None = None) -> None:
        self.requests: list[Received] = []
        self._respond = respond or (lambda _req: 200)
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                req = Received(
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
                with receiver._lock:
                    receiver.requests.append(req)
                status = receiver._respond(req)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """The URL to register as a webhook target (plain http on loopback)."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/attio"

    def received(self) -> list[Received]:
        """A snapshot of the requests so far."""
        with self._lock:
            return list(self.requests)

    def events(self) -> list[dict[str, Any]]:
        """Every event of every delivery so far, in arrival order."""
        return [e for req in self.received() for e in req.json()["events"]]

    def close(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
