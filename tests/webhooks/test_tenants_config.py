"""Loading the tenants: a workspaces file (named, or by ATTIO_BRIDGE_WORKSPACES), the state
store, or the default tenant from the environment; secrets come from environment variables and
the secret store, never from the file; errors name the file, the workspace and the field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from attio_bridge.errors import ConfigurationError
from attio_bridge.state import SecretStore, StateStore, open_secrets, open_store
from attio_bridge.webhooks.tenants import (
    DEFAULT_TENANT,
    TENANTS_NAMESPACE,
    WORKSPACES_ENV,
    TenantsFileError,
    UnknownTenantError,
    load_tenants,
)

FILE = """
[workspaces.acme]
api_key_env = "ACME_ATTIO_KEY"
base_url = "http://emulator.test"
webhook_secrets = ["webhook:hook-1"]
webhook_secret_envs = ["ACME_WEBHOOK_SECRET"]
read_rate = 50
write_rate = 5
ignore_actor_ids = ["bot-1"]

[workspaces.globex]
api_key_env = "GLOBEX_ATTIO_KEY"
webhook_secrets = ["webhook:*"]

[workspaces.globex.braintree]
environment = "sandbox"
merchant_id = "m1"
public_key = "pub"
private_key_env = "GLOBEX_BT_PRIVATE"
"""
ENV = {
    "ACME_ATTIO_KEY": "key-acme",
    "ACME_WEBHOOK_SECRET": "env-secret-new, env-secret-old",
    "GLOBEX_ATTIO_KEY": "key-globex",
    "GLOBEX_BT_PRIVATE": "bt-private",
}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with open_store(f"sqlite:///{tmp_path / 'state.sqlite3'}") as opened:
        yield opened


@pytest.fixture
def secrets(store: StateStore) -> SecretStore:
    kept = open_secrets(store, key=Fernet.generate_key().decode())
    kept.put("webhook:hook-1", "stored-1")
    kept.put("webhook:hook-2", "stored-2")
    return kept


def write(tmp_path: Path, text: str, name: str = "workspaces.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_file_configures_each_workspace_without_holding_a_secret(
    tmp_path: Path, secrets: SecretStore
) -> None:
    path = write(tmp_path, FILE)
    tenants = load_tenants(path, environ=ENV, secrets=secrets)
    assert [t.name for t in tenants] == ["acme", "globex"]
    acme = tenants.get("acme")
    assert acme.api_key == "key-acme" and acme.base_url == "http://emulator.test"
    assert acme.attio_secrets == ("env-secret-new", "env-secret-old", "stored-1")
    assert (acme.read_rate, acme.write_rate) == (50.0, 5.0)
    assert acme.ignore_actor_ids == ("bot-1",) and acme.cache_namespace == "t:acme"
    globex = tenants.get("globex")
    assert globex.attio_secrets == ("stored-1", "stored-2")
    assert globex.braintree is not None and globex.braintree.private_key == "bt-private"
    assert (globex.read_rate, globex.write_rate) == (100.0, 25.0)
    for tenant in tenants:
        for secret in ("key-acme", "key-globex", "stored-1", "bt-private", "env-secret-new"):
            assert secret not in repr(tenant)
    with pytest.raises(UnknownTenantError, match="configured: acme, globex"):
        tenants.get("initech")


def test_the_file_may_be_named_by_the_environment_and_be_json(
    tmp_path: Path, secrets: SecretStore
) -> None:
    path = write(
        tmp_path,
        '{"workspaces": {"acme": {"api_key_env": "ACME_ATTIO_KEY"}}}',
        "workspaces.json",
    )
    tenants = load_tenants(environ={**ENV, WORKSPACES_ENV: str(path)}, secrets=secrets)
    assert [t.name for t in tenants] == ["acme"]


def test_without_a_file_the_state_store_then_the_default_tenant(
    store: StateStore, secrets: SecretStore
) -> None:
    env = {"ATTIO_API_KEY": "key-d", "ATTIO_WEBHOOK_SECRET": "s-new,s-old", **ENV}
    default = load_tenants(environ=env, secrets=secrets, store=store)
    (tenant,) = default
    assert tenant.name == DEFAULT_TENANT and tenant.api_key == "key-d"
    # The environment's secrets, then each secret webhooks sync kept.
    assert tenant.attio_secrets == ("s-new", "s-old", "stored-1", "stored-2")
    store.put(TENANTS_NAMESPACE, "acme", {"api_key_env": "ACME_ATTIO_KEY", "write_rate": 2})
    from_store = load_tenants(environ=env, secrets=secrets, store=store)
    assert [t.name for t in from_store] == ["acme"]
    assert from_store.get("acme").write_rate == 2.0
    # Nothing at all: a default tenant with no key and no secret.
    (bare,) = load_tenants(environ={})
    assert bare.api_key is None and bare.attio_secrets == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[workspaces.acme]\napi_key = "sk-live-123"\n',
            "workspace 'acme': api_key would put a secret in the configuration, which holds "
            "none: name its environment variable in api_key_env instead",
        ),
        (
            '[workspaces.acme]\napi_key_env = "MISSING_KEY"\n',
            "workspace 'acme': api_key_env names the environment variable MISSING_KEY, which "
            "is not set",
        ),
        (
            '[workspaces.acme]\napi_key_env = "ACME_ATTIO_KEY"\nwebhook_secrets = ["webhook:x"]\n',
            "workspace 'acme': webhook_secrets names 'webhook:x', which the secret store does "
            "not hold: run attio-bridge webhooks sync",
        ),
        (
            '[workspaces.acme]\napi_key_env = "ACME_ATTIO_KEY"\nwrite_rate = 0\n',
            "workspace 'acme': write_rate must be a number of requests per second above 0",
        ),
        (
            '[workspaces.acme]\napi_key_env = "ACME_ATTIO_KEY"\nreadrate = 3\n',
            "workspace 'acme': readrate is not a workspace setting",
        ),
        ('[workspaces."Acme Corp"]\n', "workspace 'Acme Corp': the name must be lowercase"),
        ("[workspaces]\n", "no workspace is configured"),
        ("[tenants.acme]\n", "a workspaces file has one table, workspaces"),
        ("[workspaces.acme\n", "not valid TOML"),
    ],
)
def test_errors_name_the_file_the_workspace_and_the_field(
    text: str, expected: str, tmp_path: Path, secrets: SecretStore
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(TenantsFileError) as caught:
        load_tenants(path, environ=ENV, secrets=secrets)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert expected in message
    assert "sk-live-123" not in message
    assert isinstance(caught.value, ConfigurationError)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(TenantsFileError, match="no such workspaces file"):
        load_tenants(tmp_path / "nope.toml", environ={})
