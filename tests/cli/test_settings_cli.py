"""Settings and errors of every command that talks to Attio, run against the emulator in this
process: an API key with whitespace around it (from the option, the environment or the config
file) is used without it, one with whitespace inside is refused at once naming where it came
from; an unreachable rate-limit backend, a server that accepts and never answers
(``--timeout``); errors as JSON with ``--json``; no word said twice in an error line."""

from __future__ import annotations

import csv
import json
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from attio_bridge.cli._common import (
    DEFAULT_TIMEOUT,
    CliError,
    ConnectionOptions,
    ExitStatus,
    classify,
    client_options,
    prefixed,
    resolve_settings,
)
from attio_bridge.testing import EmulatorProcess

from ._support import InProcessEmulator, forget, invoke, one_error_line, serve

KEY = "settings-cli-s3cret-key-4b8e"


def config_file(config_home: Path, text: str) -> None:
    """``text`` as the default config file under ``config_home``."""
    folder = config_home / "attio-bridge"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(text, encoding="utf-8")


def given(source: str, key: str, env: dict[str, str], config_home: Path) -> list[str]:
    """Give ``key`` from ``source`` (option, environment or config): the options to add."""
    if source == "option":
        return ["--api-key", key]
    if source == "environment":
        env["ATTIO_API_KEY"] = key
    else:
        config_file(config_home, f"api_key = {json.dumps(key)}\n")
    return []


@pytest.fixture
def recording(emu: InProcessEmulator) -> Iterator[tuple[str, list[bytes]]]:
    """A base URL reaching ``emu`` that keeps the Authorization header of each request as
    sent (the emulator itself would forgive whitespace a real server refuses)."""
    seen: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.extend(v for k, v in scope["headers"] if k == b"authorization")
        await emu.app(scope, receive, send)

    url = serve(app, "recording")
    yield url, seen
    forget(url)


@pytest.mark.parametrize("padded", [f" {KEY}", f"{KEY}\n", f"\t{KEY}  "])
@pytest.mark.parametrize("source", ["option", "environment", "config"])
def test_whitespace_around_the_key_is_dropped(
    recording: tuple[str, list[bytes]], config_home: Path, source: str, padded: str
) -> None:
    """The key as pasted with a space or a newline around it works from each source, and is
    sent without it."""
    url, seen = recording
    env = {"ATTIO_BASE_URL": url}
    args = ["self", "--json", "--max-retries", "0", *given(source, padded, env, config_home)]

    result = invoke(args, env, config_home, KEY)

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["active"] is True
    assert seen == [f"Bearer {KEY}".encode()]


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("option", "from --api-key"),
        ("environment", "from ATTIO_API_KEY"),
        ("config", "from api_key in "),
    ],
)
def test_a_key_with_whitespace_inside_is_refused_at_once(
    emu: InProcessEmulator, config_home: Path, source: str, named: str
) -> None:
    """Exit 2 before any request, naming where the key came from and not the key."""
    broken = f"{KEY[:10]} {KEY[10:]}"
    env = {"ATTIO_BASE_URL": emu.base_url}
    args = ["self", *given(source, broken, env, config_home)]

    result = invoke(args, env, config_home, KEY)

    assert result.exit_code == 2
    line = one_error_line(result)
    assert named in line and "inside" in line
    assert KEY[:10] not in line and KEY[10:] not in line


@pytest.mark.parametrize(
    ("backend", "shown"),
    [
        ("redis://127.0.0.1:1", "redis://127.0.0.1:1"),
        ("redis://:pw-9c1d-secret@127.0.0.1:1/0", "redis://:***@127.0.0.1:1/0"),
    ],
)
def test_a_rate_limit_backend_that_is_down_is_named_and_exits_7(
    config_home: Path, backend: str, shown: str
) -> None:
    """Redis refuses the connection: one line naming the backend (not its password) and the
    way around it, exit 7 (CONNECTION), before any request to Attio."""
    env = {
        "ATTIO_API_KEY": KEY,
        # A client made by the library itself (the tests' own emulators have no budget);
        # nothing listens at port 9, and nothing is asked of it.
        "ATTIO_BASE_URL": "http://127.0.0.1:9",
        "ATTIO_RATE_LIMIT_BACKEND": backend,
    }

    result = invoke(["self"], env, config_home, KEY)

    assert result.exit_code == 7, result.stderr
    line = one_error_line(result)
    assert f"rate-limit backend {shown} cannot be used" in line
    assert "sqlite" in line
    assert "pw-9c1d-secret" not in line


@pytest.fixture
def silent() -> Iterator[tuple[str, list[socket.socket]]]:
    """A server that accepts every connection and never answers: its base URL, and the
    connections it took."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    taken: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                taken.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", taken
    finally:
        done.set()
        thread.join()
        for conn in [*taken, server]:
            conn.close()


@pytest.mark.parametrize("given", ["option", "config"])
def test_a_server_that_never_answers_is_given_up_on_after_the_timeout(
    silent: tuple[str, list[socket.socket]], config_home: Path, given: str
) -> None:
    """``--timeout 0.3`` (or ``timeout`` in the config file): two tries, whatever
    ``--max-retries`` allows (each would cost the whole timeout), then exit 7 saying so."""
    url, taken = silent
    env = {"ATTIO_API_KEY": KEY, "ATTIO_BASE_URL": url, "ATTIO_RATE_LIMIT_BACKEND": "memory"}
    args = ["self", "--max-retries", "5"]
    if given == "option":
        args += ["--timeout", "0.3"]
    else:
        config_file(config_home, "timeout = 0.3\n")

    result = invoke(args, env, config_home, KEY)

    assert result.exit_code == 7, result.stderr
    assert "Timed out" in one_error_line(result)
    assert len(taken) == 2


def test_the_default_timeout_gives_up_well_within_a_minute(config_home: Path) -> None:
    """Without ``--timeout``, a command's clients wait ``DEFAULT_TIMEOUT`` for each answer, and
    a request that times out is tried twice: well under a minute in all (the library's own
    defaults, a minute times six tries, took six)."""
    settings = resolve_settings(
        ConnectionOptions(api_key=KEY), {"XDG_CONFIG_HOME": str(config_home)}
    )
    assert client_options(settings)["timeout"] == DEFAULT_TIMEOUT
    # Two tries, as the test above counts.
    assert DEFAULT_TIMEOUT * 2 <= 30


@pytest.mark.parametrize(
    ("args", "config", "words"),
    [
        (["--timeout", "0"], "", "--timeout must be above 0 seconds"),
        ([], 'timeout = "soon"', "must be a number of seconds above 0, not 'soon'"),
    ],
)
def test_a_timeout_that_is_no_number_of_seconds_is_a_usage_error(
    emu: InProcessEmulator, config_home: Path, args: list[str], config: str, words: str
) -> None:
    config_file(config_home, config + "\n")
    env = {"ATTIO_API_KEY": KEY, "ATTIO_BASE_URL": emu.base_url}
    result = invoke(["self", *args], env, config_home, KEY)
    assert result.exit_code == 2
    assert words in one_error_line(result)


def json_error(result: Result) -> dict[str, Any]:
    """The one line a command asked for JSON printed on stderr when it failed, parsed."""
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    parsed: dict[str, Any] = json.loads(lines[0])
    return parsed


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["self", "--json"], {"ATTIO_API_KEY": "wrong-key-0f3e"}, ("auth", 3, "check the API key")),
        (["records", "get", "people", "nope", "--json"], {}, ("not_found", 4, "nope")),
        (["records", "query", "people", "--json", "--filter", "[]"], {}, ("usage", 2, "--filter")),
        (["schema", "--format", "json"], {"ATTIO_API_KEY": ""}, ("usage", 2, "no Attio API key")),
    ],
)
def test_with_json_errors_are_json_on_stderr(
    emu: InProcessEmulator,
    config_home: Path,
    args: list[str],
    env: dict[str, str],
    expected: tuple[str, int, str],
) -> None:
    """``{"error": {"type", "message", "exit_code"}}``, the type the exit status's name."""
    kind, status, words = expected
    full = {"ATTIO_API_KEY": KEY, "ATTIO_BASE_URL": emu.base_url} | env

    result = invoke(args, full, config_home, KEY)

    assert result.exit_code == status, result.stderr
    error = json_error(result)["error"]
    assert (error["type"], error["exit_code"]) == (kind, status)
    assert words in error["message"]
    assert "wrong-key-0f3e" not in result.stderr


def test_json_cut_short_by_a_closed_pipe_exits_141(tmp_path: Path) -> None:
    """``records query --all --json | head -c 100``: more JSON than a pipe holds, whose reader
    goes away after 100 bytes. The command ends quietly with 141, as a table does."""
    with EmulatorProcess(
        api_key=KEY, read_rate=0, write_rate=0, seed="generated", seed_size=300
    ) as emu:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATTIO_")}
        env |= {
            "ATTIO_API_KEY": KEY,
            "ATTIO_BASE_URL": emu.base_url,
            "XDG_CONFIG_HOME": str(tmp_path),
        }
        args = ["records", "query", "people", "--all", "--json"]
        child = subprocess.Popen(
            [sys.executable, "-m", "attio_bridge.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert child.stdout is not None and child.stderr is not None
        assert len(child.stdout.read(100)) == 100
        child.stdout.close()
        err = child.stderr.read()
        child.stderr.close()
        assert child.wait(timeout=60) == 141
    assert err.decode() == ""


def said_twice(line: str) -> str | None:
    """Words said twice around a colon ("failed: Authentication failed", "error: Error"), or
    None."""
    found = re.search(r"(?i)\b(\w+(?: \w+)?):\s+\1\b", line)
    return found.group(0) if found else None


def test_an_error_line_never_says_a_word_twice(emu: InProcessEmulator, config_home: Path) -> None:
    """A refused key: the emulator, as Attio, says "Authentication failed: ..." itself."""
    env = {"ATTIO_API_KEY": "wrong-key-77aa", "ATTIO_BASE_URL": emu.base_url}
    result = invoke(["self"], env, config_home, KEY)
    assert result.exit_code == 3
    line = one_error_line(result)
    assert line.startswith("error: authentication failed: ")
    assert said_twice(line) is None, line


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (csv.Error("field larger than field limit (131072)"), "internal error: _csv.Error: field"),
        (CliError("Error: the file is empty", ExitStatus.USAGE), "Error: the file is empty"),
    ],
)
def test_a_message_is_not_prefixed_with_what_it_says(error: Exception, line: str) -> None:
    """The one table's lines, and the ``error:`` before them, as composed."""
    _, message = classify(error)
    assert message.startswith(line)
    assert said_twice(prefixed("error", message)) is None
