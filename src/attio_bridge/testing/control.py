"""``EmulatorControl``: the emulator's control plane (``/_emulator/...``) as Python calls.

One class for both ways of running the emulator: in-process (``EmulatorControl(app=app)``,
served through ``SyncASGITransport``) or as a separate process or any URL
(``EmulatorControl(base_url=process.base_url)``). It resets and seeds the workspace, injects
faults into Attio's API and failures into the stand-ins (Slack, Google, Drive ...), adds
latency, and reads what the emulator saw (state counts, the request journal). A request the
control plane refuses raises ``InvalidInputError`` with the emulator's reason.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

from ..errors import InvalidInputError
from .transport import ASGIApp, SyncASGITransport

FAULT_KINDS = ("error", "rate_limit", "drop", "drop_after", "slow")


class EmulatorControl:
    """Steer one emulator: ``EmulatorControl(app=app)`` or ``EmulatorControl(base_url=url)``."""

    def __init__(
        self, *, app: ASGIApp | None = None, base_url: str | None = None, timeout: float = 30
    ) -> None:
        if (app is None) == (base_url is None):
            raise InvalidInputError(
                "EmulatorControl needs exactly one of app= (an in-process emulator) and "
                "base_url= (a running one, such as EmulatorProcess.base_url)"
            )
        if app is not None:
            transport = SyncASGITransport(app)
            self._http = httpx.Client(
                base_url="http://emulator.test", transport=transport, timeout=timeout
            )
        else:
            self._http = httpx.Client(base_url=str(base_url), timeout=timeout)

    def close(self) -> None:
        """Release the HTTP client (and, in-process, the app's event loop thread)."""
        self._http.close()

    def __enter__(self) -> EmulatorControl:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """``method /_emulator{path}`` with a JSON ``body``; the JSON answer."""
        response = self._http.request(method, f"/_emulator{path}", json=body)
        if response.status_code >= 400:
            try:
                reason = response.json().get("error", response.text)
            except ValueError:
                reason = response.text
            raise InvalidInputError(f"the emulator refused {method} /_emulator{path}: {reason}")
        return response.json()

    # -- the workspace ---------------------------------------------------------------------------
    def reset(self, seed: str | None = None, size: int = 0, random_seed: int = 0) -> Any:
        """A fresh, empty workspace and stand-ins (same API keys); seeded with ``seed``
        (``"sandbox"`` or ``"generated"`` with ``size`` people) if given. Also clears the
        faults, stand-in failures, latency and journal, so the next test starts clean.
        Returns the counts of what the workspace holds."""
        self.clear_faults()
        self.latency(0)
        self.call("DELETE", "/journal")
        body: dict[str, Any] = {}
        if seed is not None:
            body = {"seed": seed, "size": size, "random_seed": random_seed}
        return self.call("POST", "/reset", body)

    def seed(self, dataset: str = "sandbox", size: int = 0, random_seed: int = 0) -> Any:
        """Add a dataset to the current workspace: ``"sandbox"`` (a small curated workspace) or
        ``"generated"`` (``size`` people, size/10 companies, size/20 deals); the counts after."""
        return self.call("POST", "/seed", {"dataset": dataset, "size": size, "seed": random_seed})

    def state(self) -> Any:
        """Counts of what the workspace holds: records per object, entries per list, ..."""
        return self.call("GET", "/state")

    def journal(self) -> list[dict[str, Any]]:
        """The API requests received, oldest first: method, path, query, operation, status."""
        entries: list[dict[str, Any]] = self.call("GET", "/journal")
        return entries

    # -- faults ----------------------------------------------------------------------------------
    def fault(
        self,
        match: str = "*",
        kind: str = "error",
        *,
        status: int = 500,
        count: int | None = None,
        rate: float = 1.0,
        seconds: float = 0.0,
    ) -> Any:
        """Make Attio operations matching ``match`` (``"PUT /v2/objects/*"``, ``"*"``) fail.

        ``kind``: ``error`` (answer ``status``), ``rate_limit`` (429 with ``Retry-After``),
        ``drop`` (close the connection before answering), ``drop_after`` (after the change is
        made) or ``slow`` (wait ``seconds``). ``count`` limits how many requests it hits (all by
        default), ``rate`` the share of them (0-1). Returns the rule.
        """
        if kind not in FAULT_KINDS:
            raise InvalidInputError(f"kind must be one of {', '.join(FAULT_KINDS)}, not {kind!r}")
        body: dict[str, Any] = {
            "match": match,
            "kind": kind,
            "status": status,
            "rate": rate,
            "seconds": seconds,
        }
        if count is not None:
            body["count"] = count
        return self.call("POST", "/faults", body)

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.call("DELETE", "/faults")

    def latency(self, ms: float, jitter_ms: float | None = None) -> Any:
        """Add ``ms`` milliseconds to every API request (jitter 10% of it unless given)."""
        body: dict[str, Any] = {"ms": ms}
        if jitter_ms is not None:
            body["jitter_ms"] = jitter_ms
        return self.call("POST", "/latency", body)

    def merge_delay(self, seconds: float) -> Any:
        """Make record merges take ``seconds`` to apply from now on: answered 202, and reads of
        the records answer 404 ``merge_in_progress`` meanwhile (0: done at once, answered 200)."""
        return self.call("POST", "/merges", {"delay_s": seconds})

    def finish_merges(self) -> Any:
        """Finish every merge still applying now."""
        return self.call("POST", "/merges/finish")

    def fail_standin(
        self,
        system: str,
        method: str = "*",
        error: str | None = None,
        *,
        status: int | None = None,
        count: int | None = None,
        rate: float | None = None,
        seconds: float | None = None,
    ) -> Any:
        """Make calls of ``method`` on stand-in ``system`` (``slack``, ``google``, ``drive``,
        ``hubspot`` ...) fail, answered in that system's shape (Slack needs ``error``, its error
        code). ``rate`` is the share of the calls hit (all by default); ``seconds`` a 429's asked
        wait, or a CRM stand-in's delay for ``error="slow"``. Returns the rule."""
        body: dict[str, Any] = {"system": system, "method": method}
        options = (
            ("error", error),
            ("status", status),
            ("count", count),
            ("rate", rate),
            ("seconds", seconds),
        )
        for key, value in options:
            if value is not None:
                body[key] = value
        return self.call("POST", "/standins/fail", body)

    def clear_standin_failures(self) -> None:
        """Remove every stand-in failure."""
        self.call("DELETE", "/standins/fail")
