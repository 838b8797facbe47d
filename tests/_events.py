"""Events the in-process emulator emitted, as the receiver would have stored them: shared by
the webhooks and snapshot handler tests."""

from __future__ import annotations

import time
from typing import Any

from attio_bridge.webhooks import Event

__all__ = ["received"]


def received(events: list[dict[str, Any]], event_type: str) -> list[Event]:
    """The emitted events of a type as the receiver would have stored them, received now."""
    now = time.time()
    return [
        Event("attio", "default", e["event_type"], e, "delivery", i, now, "default:x")
        for i, e in enumerate(events)
        if e["event_type"] == event_type
    ]
