"""Durable work on DBOS: jobs stored before they are acknowledged, run once, retried, dead-lettered.

A job is ``(id, kind, partition, payload)``; the queue knows nothing of what a payload means.
A processor registered for a kind runs it. SQLite embedded by default, PostgreSQL for many
workers (``ATTIO_BRIDGE_DATABASE_URL``).
"""

from __future__ import annotations

__all__: list[str] = []
