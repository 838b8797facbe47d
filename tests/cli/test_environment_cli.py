"""The ``CliEnvironment`` seam: ``main(argv, env)`` and the app's context object give every
command its clients, sync (``self``, ``records``, ``schema``) and async (``import``,
``export``); a command without one gets the library's clients. Through it, each class of the
library's errors (and a bug) is made to reach the one table of exit statuses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from attio_bridge.cli import CliEnvironment, app, main
from attio_bridge.cli._common import DEFAULT_TIMEOUT
from attio_bridge.client import (
    APIConnectionError,
    AsyncAttioClient,
    AttioClient,
    AuthenticationError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateBudgetError,
    RateLimitError,
)
from attio_bridge.connectors import ConnectorError
from attio_bridge.errors import AttioError, ConfigurationError, InvalidInputError, MissingError
from attio_bridge.services.urls import AttioUrlError

from ._support import ENVIRONMENT, InProcessEmulator, writes

KEY = "environment-cli-s3cret-key-0e1f"


def test_main_runs_a_command_in_the_environment_given(
    emu: InProcessEmulator, config_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["self", "--json", "--api-key", KEY, "--base-url", emu.base_url]
    with pytest.raises(SystemExit) as done:
        main(argv, env=ENVIRONMENT)
    assert done.value.code == 0
    assert json.loads(capsys.readouterr().out)["active"] is True


def test_each_client_is_made_by_the_factory_with_the_settings(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, tmp_path: Path
) -> None:
    """The factories get the class to make and the settings' options (the key, the base URL,
    the timeout, ``--max-retries``); ``schema`` and ``export`` use them as ``self`` does."""
    made: list[tuple[str, dict[str, Any]]] = []

    def client(cls: type[AttioClient], options: dict[str, Any]) -> AttioClient:
        made.append((cls.__name__, options))
        return ENVIRONMENT.client(cls, options)

    def async_client(options: dict[str, Any]) -> AsyncAttioClient:
        made.append(("AsyncAttioClient", options))
        return ENVIRONMENT.async_client(options)

    counting = CliEnvironment(client=client, async_client=async_client)
    clean = {"XDG_CONFIG_HOME": str(config_home), **env}
    runner = CliRunner()
    for args in (["self", "--max-retries", "1"], ["schema", "--json"], ["export", "people"]):
        result = runner.invoke(app, args, env=clean, obj=counting)
        assert result.exit_code == 0, result.stderr
    assert [name for name, _ in made] == ["RecordingClient", "AttioClient", "AsyncAttioClient"]
    expected = {"api_key": KEY, "base_url": emu.base_url, "timeout": DEFAULT_TIMEOUT}
    assert made[0][1] == expected | {"max_retries": 1}
    assert [options for _, options in made[1:]] == [expected, expected]


def test_a_dry_run_asks_the_factory_for_the_dry_run_client(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path
) -> None:
    """The class the factory is asked for is the dry run's, which sends no write."""
    asked: list[str] = []

    def client(cls: type[AttioClient], options: dict[str, Any]) -> AttioClient:
        asked.append(cls.__name__)
        return ENVIRONMENT.client(cls, options)

    dry = CliEnvironment(client=client, async_client=ENVIRONMENT.async_client)
    before = writes(emu)
    clean = {"XDG_CONFIG_HOME": str(config_home), **env}
    args = ["companies", "create", "seam.example", "--dry-run"]
    result = CliRunner().invoke(app, args, env=clean, obj=dry)
    assert result.exit_code == 0, result.stderr
    assert asked == ["DryRunClient"]
    assert "PUT /v2/objects/companies/records" in result.stdout
    assert writes(emu) == before


def test_without_an_environment_the_library_clients_are_used(config_home: Path) -> None:
    """No context object: the base URL is the network's, where nothing answers on port 9."""
    env = {"XDG_CONFIG_HOME": str(config_home), "ATTIO_API_KEY": KEY, "ATTIO_BASE_URL": None}
    args = ["self", "--base-url", "http://127.0.0.1:9", "--max-retries", "0"]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 7
    assert result.stderr.startswith("error: cannot reach Attio")


def failing(error: Exception) -> CliEnvironment:
    """An environment whose clients cannot be made: making one raises ``error``."""

    def client(cls: type[AttioClient], options: dict[str, Any]) -> AttioClient:
        raise error

    def async_client(options: dict[str, Any]) -> AsyncAttioClient:
        raise error

    return CliEnvironment(client=client, async_client=async_client)


def run_failing(error: Exception, args: list[str], config_home: Path) -> Result:
    """``attio-bridge ARGS`` in an environment that raises ``error``."""
    env = {"XDG_CONFIG_HOME": str(config_home), "ATTIO_API_KEY": KEY, "ATTIO_BASE_URL": None}
    return CliRunner().invoke(app, args, env=env, obj=failing(error))


@pytest.mark.parametrize(
    ("error", "status", "line"),
    [
        (ConfigurationError("base_url must be http(s)"), 2, "base_url must be http(s)"),
        (AttioUrlError("not an Attio URL"), 2, "not an Attio URL"),
        (
            AuthenticationError("bad key", status_code=401),
            3,
            "authentication failed: bad key (check the API key)",
        ),
        (PermissionDeniedError("no scope", status_code=403), 3, "permission denied: no scope"),
        (NotFoundError("Record not found.", status_code=404), 4, "not found: Record not found."),
        (MissingError("no list 'nope'; the workspace has: a, b"), 4, "no list 'nope'; the"),
        (InvalidInputError("a mapping file must be JSON"), 5, "a mapping file must be JSON"),
        (ConflictError("slug taken", status_code=409), 5, "invalid: "),
        (RateLimitError("slow down", status_code=429), 6, "rate limited: "),
        (RateBudgetError("no permit in 5 s"), 6, "rate limited: no permit in 5 s"),
        (APIConnectionError("refused"), 7, "cannot reach Attio: refused"),
        (InternalServerError("oops", status_code=500), 1, "Attio answered "),
        (AttioError("the lock is held by another run"), 1, "the lock is held by another run"),
        (PermissionError(13, "Permission denied", "/out.csv"), 1, "Permission denied: /out.csv"),
    ],
)
def test_each_error_class_has_its_exit_status_and_line(
    error: Exception, status: int, line: str, config_home: Path
) -> None:
    """The library's errors, raised where a command makes its client (``self``, sync, and
    ``export``, async): the exit status of their class and one line."""
    for args in (["self"], ["export", "people"]):
        result = run_failing(error, args, config_home)
        assert result.exit_code == status, result.stderr
        assert result.stderr.startswith(f"error: {line}"), result.stderr
        assert len(result.stderr.splitlines()) == 1


def test_a_connector_error_is_its_own_message(config_home: Path) -> None:
    error = ConnectorError("slack", "not_authed", "Slack refused the token: set SLACK_BOT_TOKEN")
    result = run_failing(error, ["self"], config_home)
    assert result.exit_code == 1
    assert result.stderr == "error: Slack refused the token: set SLACK_BOT_TOKEN\n"


def test_a_bug_is_one_line_that_says_so_and_debug_shows_where(config_home: Path) -> None:
    """An error the library does not raise on purpose, a ``KeyError`` included, is no "not
    found": one line calling it an internal error to report, exit 1; ``--debug`` adds the
    traceback."""
    for error in (RuntimeError("boom"), KeyError("record_id")):
        result = run_failing(error, ["self"], config_home)
        assert result.exit_code == 1
        assert result.stderr == (
            f"error: internal error: {type(error).__name__}: {error}; please report it "
            "(--debug shows the traceback)\n"
        )
    debug = run_failing(RuntimeError("boom"), ["self", "--debug"], config_home)
    assert debug.exit_code == 1
    assert "Traceback" in debug.stderr and "RuntimeError: boom" in debug.stderr
    assert debug.stderr.splitlines()[-1].startswith("error: internal error: RuntimeError: boom")


def test_an_import_error_naming_an_argument_names_its_flag(
    config_home: Path, tmp_path: Path
) -> None:
    """The library names the import's arguments, never flags; the command adds the flag."""
    path = tmp_path / "deals.csv"
    path.write_text("Name\nPilot\n")
    error = InvalidInputError(
        "say what identifies a deals record: match on one or more of its attributes (the "
        "match argument), e.g. one of name"
    )
    result = run_failing(error, ["import", "deals", str(path)], config_home)
    assert result.exit_code == 5
    assert result.stderr == f"error: {error} (the match argument: --match)\n"


def test_a_refused_connection_is_retried_quietly_unless_debug(config_home: Path) -> None:
    """A refused connect is retried (the request never left), but its retry lines are for
    ``--debug``: without it the one error line is all stderr holds."""
    env = {"XDG_CONFIG_HOME": str(config_home), "ATTIO_API_KEY": KEY, "ATTIO_BASE_URL": None}
    args = ["self", "--base-url", "http://127.0.0.1:1", "--max-retries", "1"]
    quiet = CliRunner().invoke(app, args, env=env)
    assert quiet.exit_code == 7
    assert quiet.stderr.splitlines() == [quiet.stderr.strip()]
    assert quiet.stderr.startswith("error: cannot reach Attio")
    loud = CliRunner().invoke(app, [*args, "--debug"], env=env)
    assert loud.exit_code == 7
    assert "retrying GET /v2/self after APIConnectionError (retry 1" in loud.stderr
