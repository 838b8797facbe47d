"""The workspace kept across restarts (``--database FILE``): an operation log in SQLite.

What is stored is not the workspace but every operation that changed it, in order: the first
workspace (``init``), seeds and resets from the control plane, and each API write that
succeeded (method, path, query, raw body, path parameters and the id of the token, never the
API key). With each operation goes its tape: the ids, timestamps and secrets ``clock`` made while
it ran. On startup the log is replayed with ``clock.replaying()`` feeding the tapes back, so the
rebuilt workspace has the same ids and ``created_at`` times as before.

The stand-ins (``standins``: Slack, Google, Drive and any other registered) are kept in the
same log, in order with the Attio operations: an ``init`` (first start or reset) starts them
over too (``EmulatorState.start_over``), and each stand-in write that succeeded is an operation
of its own, whose kind is the stand-in's name and whose params are what its route logged (the
method and its arguments, never a token sent; see ``logged_write`` and ``Standins.replay``).
Not kept: Attio faults, stand-in failures, latency and the request journal, which are test
controls and records, not state.

The file is in WAL mode and each operation is committed (``synchronous=FULL``) before its
response is sent, so a crash, ``kill -9`` included, loses nothing that was acknowledged.
Webhook listeners are detached while replaying: old events are not delivered twice.

Limits: state that changes without an operation (a webhook turning ``degraded`` after failed
deliveries) is not kept; a value made outside ``clock`` (``secrets.token_hex``) differs after a
replay; a write handler must make its changes after its last ``await`` (all of them read the
body first), so that log order is the order in which the changes happened.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import orjson
from starlette.requests import Request
from starlette.responses import Response

from .clock import Tape, recording, replaying
from .errors import EmulatorError
from .seed import apply_seed
from .workspace import Listener, Token

if TYPE_CHECKING:
    from .http import Call, RouteSpec
    from .state import EmulatorState

log = logging.getLogger(__name__)
T = TypeVar("T")
FORMAT_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ops (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    params BLOB NOT NULL,
    body BLOB,
    tape BLOB NOT NULL
);
"""


class Persistence:
    """One database file: appends operations and replays them into an ``EmulatorState``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        # Requests may arrive on another thread than the one that opened the file (Starlette's
        # TestClient runs the app in a portal thread); the lock keeps appends one at a time.
        self._lock = threading.Lock()
        try:
            # A new file may go in a new directory (``--database var/ws.sqlite3``).
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(
                f"cannot use {self.path} as the emulator's database: cannot make its directory "
                f"{self.path.parent}: {exc.strerror}"
            ) from None
        try:
            self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.executescript(_SCHEMA)
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except sqlite3.Error as exc:
            raise ValueError(f"cannot use {self.path} as the emulator's database: {exc}") from None
        if row is None:
            self._conn.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT_VERSION,))
        elif row[0] != FORMAT_VERSION:
            raise ValueError(
                f"{self.path} holds emulator log format {row[0]}, not {FORMAT_VERSION}: "
                "start with a new --database file"
            )
        self.replayed = 0
        self.replay_failures = 0

    def close(self) -> None:
        """Close the file (appends after this fail)."""
        self._conn.close()

    def count(self) -> int:
        """How many operations the log holds."""
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM ops").fetchone()[0])

    # -- writing ------------------------------------------------------------------------------
    def append(
        self, kind: str, params: dict[str, Any], tape: Tape, body: bytes | None = None
    ) -> None:
        """Commit one operation to the log (durable when this returns)."""
        packed = zlib.compress(orjson.dumps(tape.as_dict()), 1)
        with self._lock:
            self._conn.execute(
                "INSERT INTO ops (at, kind, params, body, tape) VALUES (?, ?, ?, ?, ?)",
                (time.time(), kind, orjson.dumps(params), body, packed),
            )

    def logged(self, kind: str, params: dict[str, Any], fn: Callable[[], T]) -> T:
        """Run ``fn`` (an ``init`` or ``seed``) recording its tape, and log it.

        The operation is logged even when ``fn`` raises part way: it is deterministic given its
        tape, so replaying it makes the same partial change and meets the same error.
        """
        with recording() as tape:
            try:
                return fn()
            finally:
                self.append(kind, params, tape)

    def logged_write(self, kind: str, params: dict[str, Any], fn: Callable[[], T]) -> T:
        """Run a stand-in write ``fn`` recording its tape, and log it if it returned.

        Unlike ``logged``, a write that raised is not kept: the stand-ins' writes check
        everything before they change anything, so a refused one changed nothing.
        """
        with recording() as tape:
            result = fn()
        self.append(kind, params, tape)
        return result

    async def run_request(self, spec: RouteSpec, call: Call) -> Any:
        """Run an API write's handler and log the request if it succeeded."""
        with recording() as tape:
            result = await spec.handler(call)
        if isinstance(result, Response) and result.status_code >= 400:
            return result
        request = call.request
        params = {
            "operation": spec.operation,
            "method": request.method,
            "path": request.url.path,
            "path_params": call.path,
            "query": request.url.query,
            "content_type": request.headers.get("content-type", ""),
            "token_id": call.token.token_id,
        }
        self.append("request", params, tape, await request.body())
        return result

    # -- reading ------------------------------------------------------------------------------
    def restore(self, state: EmulatorState) -> None:
        """Set ``state.workspace``: replay the log, or start it with a new (seeded) workspace."""
        rows = self._conn.execute(
            "SELECT kind, params, body, tape FROM ops ORDER BY seq"
        ).fetchall()
        if not rows:
            state.workspace = self.logged("init", {}, state.start_over)
            config = state.config
            if config.seed:
                self.log_seed(state, config.seed, config.seed_size, config.random_seed or 0)
            return
        if rows[0][0] != "init":
            raise ValueError(f"{self.path} is not an emulator operation log (no init first)")
        _run_blocking(lambda: self._replay(state, rows))

    def log_seed(self, state: EmulatorState, dataset: str, size: int, seed: int) -> None:
        """Seed the current workspace with a dataset, as a logged operation."""
        params = {"dataset": dataset, "size": size, "seed": seed}
        ws = state.workspace
        self.logged("seed", params, lambda: apply_seed(ws, dataset, size, seed=seed))

    async def _replay(self, state: EmulatorState, rows: list[tuple[Any, ...]]) -> None:
        from .app import route_tables

        specs = {spec.operation: spec for table in route_tables() for spec in table.specs}
        started = time.perf_counter()
        # Rate limits held for the original requests; handlers that check the budget themselves
        # (call recordings) must not refuse a replay that runs faster than the client did.
        budget = state.budget
        rates = budget.read_rate, budget.write_rate
        budget.read_rate = budget.write_rate = 0
        try:
            await self._replay_rows(state, specs, rows)
        finally:
            budget.read_rate, budget.write_rate = rates
        log.info(
            "emulator log: replayed %d operations from %s in %.1fs",
            self.replayed,
            self.path,
            time.perf_counter() - started,
        )

    async def _replay_rows(
        self, state: EmulatorState, specs: dict[str, RouteSpec], rows: list[tuple[Any, ...]]
    ) -> None:
        listeners: list[Listener] = []
        try:
            for kind, raw_params, body, raw_tape in rows:
                params = orjson.loads(raw_params)
                kept = orjson.loads(zlib.decompress(raw_tape))
                try:
                    with replaying(kept):
                        if kind == "init":
                            state.workspace = state.start_over()
                            # Replayed changes are history: nobody hears of them again.
                            listeners, state.workspace.listeners = state.workspace.listeners, []
                        elif kind == "seed":
                            apply_seed(
                                state.workspace,
                                params["dataset"],
                                params["size"],
                                seed=params["seed"],
                            )
                        elif kind == "request":
                            status = await _replay_request(state, specs, params, body or b"")
                            if status >= 400:
                                raise ValueError(f"answered {status}")
                        else:
                            # A stand-in write, kind its name; ValueError if none has it.
                            state.standins.replay(kind, params)
                except (EmulatorError, ValueError, KeyError) as exc:
                    # The operation failed when first run too (a seed meeting a conflict), or
                    # the code changed since; either way the rest of the log still applies.
                    self.replay_failures += 1
                    log.warning("emulator log: %s %s did not replay: %s", kind, params, exc)
                self.replayed += 1
        finally:
            state.workspace.listeners = listeners


async def _replay_request(
    state: EmulatorState, specs: dict[str, RouteSpec], params: dict[str, Any], body: bytes
) -> int:
    """Run one logged API write again; the status its handler answered."""
    from .http import Call

    spec = specs.get(params["operation"])
    if spec is None:
        raise KeyError(f"no route {params['operation']!r}")
    token_id = params["token_id"]
    token = next((t for t in state.workspace.tokens.values() if t.token_id == token_id), None)
    if token is None:
        # The key that wrote this is no longer configured; its writes still stand, as its actor.
        token = Token(key="", token_id=token_id, created_at="")
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": params["method"],
        "scheme": "http",
        "server": ("emulator.replay", 80),
        "root_path": "",
        "path": params["path"],
        "raw_path": params["path"].encode(),
        "query_string": params["query"].encode(),
        "headers": [(b"content-type", params["content_type"].encode())],
        "path_params": params["path_params"],
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    request = Request(scope, receive)
    result = await spec.handler(Call(request, state, token, dict(params["path_params"])))
    return result.status_code if isinstance(result, Response) else 200


def logged(state: EmulatorState, kind: str, params: dict[str, Any], fn: Callable[[], T]) -> T:
    """Run ``fn`` as a logged operation when ``state`` persists, else just run it."""
    if state.persistence is None:
        return fn()
    return state.persistence.logged(kind, params, fn)


def logged_write(state: EmulatorState, kind: str, params: dict[str, Any], fn: Callable[[], T]) -> T:
    """Run stand-in write ``fn``, logged when ``state`` persists (``Persistence.logged_write``)."""
    if state.persistence is None:
        return fn()
    return state.persistence.logged_write(kind, params, fn)


def _run_blocking(factory: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a coroutine to the end from synchronous code, whether or not a loop is running.

    A thread of its own with its own loop: the caller may be inside an event loop (an app built
    in an async test), and the calling thread's event-loop setting is left alone.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="emulator-replay") as pool:
        pool.submit(lambda: asyncio.run(factory())).result()
