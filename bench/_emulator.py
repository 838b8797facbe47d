"""What the benchmarks against an emulator with Attio's limits share: the emulator process with
its control plane, Attio's rates (API-NOTES §8) and how a goal is printed."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

from attio_bridge.testing import EmulatorProcess

READ_RATE, WRITE_RATE = 100, 25


class Emulator:
    """The emulator process plus its control plane."""

    def __init__(self, latency_ms: float, api_key: str) -> None:
        self.proc = EmulatorProcess(
            api_key=api_key, read_rate=READ_RATE, write_rate=WRITE_RATE, latency_ms=latency_ms
        )
        self.control = httpx.Client(timeout=30)

    def __enter__(self) -> Emulator:
        self.proc.start()
        self.control.base_url = httpx.URL(f"{self.proc.base_url}/_emulator")
        return self

    def __exit__(self, *exc: object) -> None:
        self.control.close()
        self.proc.stop()

    def reset(self) -> None:
        """An empty workspace, no faults, an empty journal."""
        for method, path in (("POST", "/reset"), ("DELETE", "/faults"), ("DELETE", "/journal")):
            self.control.request(method, path).raise_for_status()

    def fault(self, **rule: Any) -> None:
        """Inject a fault rule."""
        self.control.post("/faults", json=rule).raise_for_status()

    def statuses(self) -> Counter[int]:
        """How many answers of each status the emulator gave."""
        journal = self.control.get("/journal").json()
        return Counter(entry["status"] for entry in journal)


def verdict(ok: bool) -> str:
    """How a goal went, as printed."""
    return "ok" if ok else "MISSED"
