"""``GroupCommit``: the submits made at the same time stored in one transaction by one thread.

A service acknowledges each webhook delivery once its jobs are stored, and deliveries arrive
concurrently. One transaction per delivery, each on a thread of its own, made SQLite writers
wait for its single write lock in its busy handler (which sleeps 1 to 100 ms between tries)
and made PostgreSQL commit, and flush its log, once per delivery. Here every submit hands its
rows to one writer thread; the writer stores everything waiting in one transaction, then
answers each submitter. A submit still returns only once its rows are durable.

Each batch's ids are stored once (the first submitter of an id in the batch owns it), so of
several submits of one id at once exactly one learns it is new, as with separate transactions.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

__all__ = ["GroupCommit"]

Row = dict[str, Any]
_Entry = tuple[Sequence[Row], "Future[set[str]]"]


class GroupCommit:
    """``store(rows)`` inserts rows (skipping ids already stored) in one transaction and
    returns the ids it inserted; ``submit(rows)`` queues rows for the writer thread and
    returns a future of the ids, among those rows, that were new."""

    def __init__(self, store: Callable[[list[Row]], set[str]], *, name: str) -> None:
        self._store = store
        self._name = name
        self._queue: queue.SimpleQueue[_Entry | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, rows: Sequence[Row]) -> Future[set[str]]:
        """Queue ``rows`` (each with its ``workflow_uuid``) to be stored with the others."""
        done: Future[set[str]] = Future()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._queue.put((rows, done))
        return done

    def close(self, timeout: float = 5.0) -> None:
        """Store what is queued, then stop the writer thread."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is None:
                return
            self._queue.put(None)
        thread.join(timeout)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while True:  # everything that arrived while the last transaction ran
                try:
                    entry = self._queue.get_nowait()
                except queue.Empty:
                    break
                if entry is None:
                    stop = True
                    break
                batch.append(entry)
            self._write(batch)
            if stop:
                return

    def _write(self, batch: list[_Entry]) -> None:
        owned: list[set[str]] = []
        rows: list[Row] = []
        seen: set[str] = set()
        for entry_rows, _ in batch:
            mine = set()
            for row in entry_rows:
                job_id = row["workflow_uuid"]
                if job_id not in seen:
                    seen.add(job_id)
                    mine.add(job_id)
                    rows.append(row)
            owned.append(mine)
        try:
            inserted = self._store(rows)
        except BaseException as exc:  # every submitter of the batch learns it failed
            for _, done in batch:
                done.set_exception(exc)
            return
        for (_, done), mine in zip(batch, owned, strict=True):
            done.set_result(inserted & mine)
