"""Which workers are alive: each writes a heartbeat row; a live worker takes over the running
jobs of one whose heartbeat stopped (killed, machine lost), so they finish on another worker
instead of waiting for the dead one to come back.

DBOS recovers a process's own pending workflows when that process starts again; it does not
hand them to other processes. The table here (``attio_bridge_job_executors``, beside DBOS's
tables) closes that gap: ``Heartbeat.beat()`` refreshes this worker's row and returns the
executors whose rows are older than ``dead_after`` (and those holding running work that have
had no row for as long: killed before their first heartbeat); the caller re-enqueues their work
(``DBOS._recover_pending_workflows``, idempotent: a workflow another worker already took is
not touched) and then ``forget()``s them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import sqlalchemy as sa

__all__ = ["Heartbeat"]

_TABLE = "attio_bridge_job_executors"


class Heartbeat:
    """This worker's row in the executors table, and the rows of the others."""

    def __init__(
        self,
        engine: sa.Engine,
        executor_id: str,
        *,
        running: sa.Select[Any] | None = None,
        schema: str | None = None,
        dead_after: float = 15.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.executor_id = executor_id
        self.dead_after = dead_after
        self._clock = clock
        metadata = sa.MetaData(schema=schema)
        self.table = sa.Table(
            _TABLE,
            metadata,
            sa.Column("executor_id", sa.String(200), primary_key=True),
            sa.Column("heartbeat_at", sa.Float, nullable=False),
        )
        self._metadata = metadata
        # The executors that hold running work (a query on DBOS's table), and when each of
        # those without a row here was first seen so.
        self._running = running
        self._rowless: dict[str, float] = {}

    def create(self) -> None:
        """Create the table if it is not there (every worker may race to do so)."""
        # IntegrityError, ProgrammingError: another worker created it meanwhile.
        with suppress(sa.exc.IntegrityError, sa.exc.ProgrammingError):
            self._metadata.create_all(self.engine, checkfirst=True)

    def beat(self) -> list[str]:
        """Refresh this worker's row; the executors whose rows stopped being refreshed."""
        now = self._clock()
        with self.engine.begin() as conn:
            updated = conn.execute(
                sa.update(self.table)
                .where(self.table.c.executor_id == self.executor_id)
                .values(heartbeat_at=now)
            ).rowcount
            if not updated:
                conn.execute(
                    sa.insert(self.table).values(executor_id=self.executor_id, heartbeat_at=now)
                )
            rows = conn.execute(
                sa.select(self.table.c.executor_id).where(
                    self.table.c.heartbeat_at < now - self.dead_after,
                    self.table.c.executor_id != self.executor_id,
                )
            ).fetchall()
            dead = [row[0] for row in rows]
            if self._running is not None:
                known = {row[0] for row in conn.execute(sa.select(self.table.c.executor_id))}
                holding = {str(row[0]) for row in conn.execute(self._running)}
                dead += self._silent(holding - known - {self.executor_id}, now)
        return dead

    def _silent(self, rowless: set[str], now: float) -> list[str]:
        """Executors holding running work without ever having a row here for ``dead_after``
        seconds: killed before their first heartbeat (a live one writes it as it starts)."""
        self._rowless = {e: self._rowless.get(e, now) for e in rowless}
        return [e for e, seen in self._rowless.items() if now - seen > self.dead_after]

    def forget(self, executor_id: str) -> None:
        """Drop a dead executor's row once its work was taken over (if it did not come back)."""
        with self.engine.begin() as conn:
            conn.execute(
                sa.delete(self.table).where(
                    self.table.c.executor_id == executor_id,
                    self.table.c.heartbeat_at < self._clock() - self.dead_after,
                )
            )

    def stop(self, *, hand_back: bool) -> None:
        """This worker leaves: with ``hand_back`` its row is marked expired so another worker
        takes over what it did not finish at once; else its row is removed."""
        with self.engine.begin() as conn:
            if hand_back:
                conn.execute(
                    sa.update(self.table)
                    .where(self.table.c.executor_id == self.executor_id)
                    .values(heartbeat_at=0.0)
                )
            else:
                conn.execute(
                    sa.delete(self.table).where(self.table.c.executor_id == self.executor_id)
                )
