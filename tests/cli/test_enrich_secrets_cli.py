"""``attio-bridge enrich --provider`` never prints a provider's token: an error the provider
raises quoting it, when it is made (one error line) or for a record (the report, as a table or
JSON), shows ``***`` in its place, the token given as ``--provider-option token=...`` or read
from ``ATTIO_BRIDGE_PROVIDER_TOKEN``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._support import InProcessEmulator, invoke, one_error_line, writes
from .test_enrich_cli import provider_module

KEY = "enrich-secrets-cli-s3cret-key-c4d1"
TOKEN = "tok-88e1-leaky-secret"

PLUGIN = """
class Leaky:
    name = "Leaky API"

    def __init__(self, token, fail_at="lookup"):
        if fail_at == "start":
            raise RuntimeError(f"cannot sign in with token {token}")
        self.token = token

    def lookup(self, target):
        raise RuntimeError(f"401 for GET /companies?token={self.token}")
"""


@pytest.fixture(scope="module")
def emu() -> Iterator[InProcessEmulator]:
    """The emulator in this process with one company on a ``leaky`` list."""
    with InProcessEmulator(KEY) as process:
        with process.client() as c:
            c.lists.create(name="Leaky", api_slug="leaky", parent_object="companies")
            company = c.records.create("companies", {"domains": ["leaky.com"], "name": "Leaky"})
            c.entries.create("leaky", parent_record_id=company.record_id, parent_object="companies")
        yield process


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The provider above in a module on ``sys.path``, named module:Class."""
    provider_module(tmp_path, monkeypatch, "leaky_provider", PLUGIN)
    return "leaky_provider:Leaky"


# The token as an option, or from the environment (the option names it only).
GIVEN = {
    "option": (["--provider-option", f"token={TOKEN}"], {}),
    "environment": (["--provider-option", "token"], {"ATTIO_BRIDGE_PROVIDER_TOKEN": TOKEN}),
}


@pytest.mark.parametrize("given", GIVEN)
@pytest.mark.parametrize("json_", [False, True])
def test_a_lookup_that_fails_quoting_the_token_is_reported_without_it(
    env: dict[str, str], config_home: Path, plugin: str, given: str, json_: bool
) -> None:
    options, environment = GIVEN[given]
    args = ["enrich", "companies", "--provider", plugin, *options, "--list", "leaky"]

    result = invoke([*args, *(["--json"] if json_ else [])], env | environment, config_home, TOKEN)

    assert result.exit_code == 1, result.stderr
    assert "401 for GET /companies?token=***" in result.stdout
    if json_:
        [record] = json.loads(result.stdout)["records"]
        assert record["outcome"] == "failed"


@pytest.mark.parametrize("given", GIVEN)
def test_a_provider_that_cannot_be_made_is_reported_without_the_token(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, plugin: str, given: str
) -> None:
    options, environment = GIVEN[given]
    args = ["enrich", "companies", "--provider", plugin, *options, "--list", "leaky"]
    before = writes(emu)

    result = invoke(
        [*args, "--provider-option", "fail_at=start"], env | environment, config_home, TOKEN
    )

    assert result.exit_code != 0
    assert "cannot sign in with token ***" in one_error_line(result)
    assert writes(emu) == before
