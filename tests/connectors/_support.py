"""Helpers for connector tests: plain HTTP calls to the emulator's control plane and stand-ins.

They use urllib, not the connectors, so a test reads back what a connector did through a path
the connector does not share.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from attio_bridge.testing import EmulatorProcess


def call(
    url: str,
    body: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    method: str | None = None,
) -> tuple[int, Any]:
    """Send JSON ``body`` (GET when None) to ``url``; ``(status, decoded JSON or None)``."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        raw = err.read()
        return err.code, json.loads(raw) if raw else None


def reset(emu: EmulatorProcess) -> None:
    """Empty the emulator (stand-ins included) between tests."""
    status, _ = call(f"{emu.base_url}/_emulator/reset", {})
    assert status == 200


def fail(emu: EmulatorProcess, **rule: Any) -> None:
    """Inject a stand-in failure (``POST /_emulator/standins/fail``)."""
    status, answer = call(f"{emu.base_url}/_emulator/standins/fail", rule)
    assert status == 200, answer
