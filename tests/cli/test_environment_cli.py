"""The ``CliEnvironment`` seam: ``main(argv, env)`` and the app's context object give every
command its clients, sync (``self``, ``records``, ``schema``) and async (``import``,
``export``); a command without one gets the library's clients."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from attio_bridge.cli import CliEnvironment, app, main
from attio_bridge.client import AsyncAttioClient, AttioClient

from ._support import ENVIRONMENT, InProcessEmulator, invoke, writes

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
    ``--max-retries``); ``schema`` and ``export`` use them as ``self`` does."""
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
    expected = {"api_key": KEY, "base_url": emu.base_url}
    assert made[0][1] == expected | {"max_retries": 1}
    assert [options for _, options in made[1:]] == [expected, expected]


def test_a_dry_run_asks_the_factory_for_the_dry_run_client(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path
) -> None:
    before = writes(emu)
    result = invoke(["companies", "create", "seam.example", "--dry-run"], env, config_home, KEY)
    assert result.exit_code == 0, result.stderr
    assert "PUT /v2/objects/companies/records" in result.stdout
    assert writes(emu) == before


def test_without_an_environment_the_library_clients_are_used(config_home: Path) -> None:
    """No context object: the base URL is the network's, where nothing answers on port 9."""
    env = {"XDG_CONFIG_HOME": str(config_home), "ATTIO_API_KEY": KEY, "ATTIO_BASE_URL": None}
    args = ["self", "--base-url", "http://127.0.0.1:9", "--max-retries", "0"]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 7
    assert result.stderr.startswith("error: cannot reach Attio")
