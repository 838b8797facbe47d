"""Helpers of the command tests: the emulator in this process (``InProcessEmulator``) and the
``CliEnvironment`` that points the commands at it (``ENVIRONMENT``), running a command with a
clean environment (and the check that the API key is never printed), the one error line of a
failure, and the writes the emulator's journal holds.

The commands reach an in-process emulator by its base URL, as they would a process: the
environment's client factories look the URL's host up among the emulators made here and give
the client a transport to that app (``SyncASGITransport`` for the sync client,
``httpx.ASGITransport`` for the async one). Any other URL (an ``EmulatorProcess``'s) gets the
library's own client, over the network.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from typer.testing import CliRunner, Result

from attio_bridge.cli import CliEnvironment, main
from attio_bridge.client import AsyncAttioClient, AttioClient
from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.testing import EmulatorControl, SyncASGITransport
from attio_bridge.testing.transport import ASGIApp

READS = ("/query", "/search")

# The in-process apps (emulators, and what tests put in front of them) by their URL's host.
_APPS: dict[str, ASGIApp] = {}
_NUMBERS = itertools.count(1)


def serve(app: ASGIApp, name: str = "emulator") -> str:
    """A base URL at which the commands run in ``ENVIRONMENT`` reach ``app``, in this process."""
    host = f"{name}-{next(_NUMBERS)}.test"
    _APPS[host] = app
    return f"http://{host}"


def forget(base_url: str) -> None:
    """``base_url`` reaches nothing any more."""
    _APPS.pop(urlsplit(base_url).netloc, None)


def _app_of(options: Mapping[str, Any]) -> ASGIApp | None:
    url = options.get("base_url")
    return _APPS.get(urlsplit(url).netloc) if isinstance(url, str) else None


# The emulators here have no rate limits: a client's own budget would only make the tests wait.
_NO_BUDGET: dict[str, Any] = {"rate_limit_backend": "memory", "read_rate": 0, "write_rate": 0}


def _client(cls: type[AttioClient], options: dict[str, Any]) -> AttioClient:
    found = _app_of(options)
    if found is None:
        return cls(**options)
    return cls(**options, transport=SyncASGITransport(found), **_NO_BUDGET)


def _async_client(options: dict[str, Any]) -> AsyncAttioClient:
    found = _app_of(options)
    if found is None:
        return AsyncAttioClient(**options)
    transport = httpx.ASGITransport(app=found)
    return AsyncAttioClient(**options, transport=transport, **_NO_BUDGET)


# The environment every command of the tests runs in.
ENVIRONMENT = CliEnvironment(client=_client, async_client=_async_client)


class InProcessEmulator:
    """The emulator app in this process, without rate limits, accepting ``api_key``: what an
    ``EmulatorProcess`` is, at a base URL that only ``ENVIRONMENT`` reaches."""

    def __init__(self, api_key: str, **config: Any) -> None:
        self.api_key = api_key
        self.app = create_app(
            EmulatorConfig(api_keys=[api_key], **({"read_rate": 0, "write_rate": 0} | config))
        )
        self.base_url = serve(self.app)
        # One control-plane client for the emulator's life (one event-loop thread, not one a call).
        self._control = EmulatorControl(app=self.app)

    def client(self) -> AttioClient:
        """A client of this emulator, to set up and check (close it after use)."""
        return AttioClient(
            api_key=self.api_key,
            base_url=self.base_url,
            transport=SyncASGITransport(self.app),
            **_NO_BUDGET,
        )

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Call the control plane (``/_emulator/...``); its JSON answer."""
        return self._control.call(method, path, body)

    def close(self) -> None:
        """Forget the app: its base URL reaches nothing any more."""
        self._control.close()
        forget(self.base_url)

    def __enter__(self) -> InProcessEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def invoke(
    args: list[str],
    env: Mapping[str, str | None],
    config_home: Path,
    secret: str,
    input: str | None = None,
    columns: int = 160,
) -> Result:
    """Run ``attio-bridge ARGS`` (``main``, the console entry point) in ``ENVIRONMENT`` with
    only ``env`` (and an empty config home) set, on a terminal ``columns`` wide; ``secret``
    must appear in none of the output. An exception that escapes the command is raised."""
    clean: dict[str, str | None] = {"ATTIO_API_KEY": None, "ATTIO_BASE_URL": None}
    clean |= {"XDG_CONFIG_HOME": str(config_home), "COLUMNS": str(columns), **env}
    runner = CliRunner()
    # typer's ``CliRunner.invoke`` builds the app's click command anew each time, the largest
    # cost of a run; ``main`` builds it once.
    with runner.isolation(input=input, env=clean) as (stdout, stderr, output):
        code = 0
        try:
            main(args, env=ENVIRONMENT)
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        result = Result(
            runner, stdout.getvalue(), stderr.getvalue(), output.getvalue(), None, code, None
        )
    assert secret not in result.stdout
    assert secret not in result.stderr
    return result


def one_error_line(result: Result) -> str:
    """The single line a failed command printed on stderr (and nothing on stdout)."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout == ""
    assert lines[0].startswith("error: ")
    return lines[0]


def journal(emu: InProcessEmulator) -> list[dict[str, Any]]:
    """Every API request the emulator kept, oldest first."""
    data: list[dict[str, Any]] = emu.control("GET", "/journal")
    return data


def writes(emu: InProcessEmulator) -> list[str]:
    """``"METHOD path"`` of every write request in the journal."""
    return [
        f"{e['method']} {e['path']}"
        for e in journal(emu)
        if e["method"] != "GET" and not str(e["path"]).endswith(READS)
    ]
