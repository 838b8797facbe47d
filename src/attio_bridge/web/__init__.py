"""The ASGI app: webhook endpoints, the events page, health and metrics; ``serve`` runs it."""

from __future__ import annotations

__all__: list[str] = []
