"""Workspaces (tenants): what one deployment knows of each Attio workspace it serves.

Each ``Tenant`` has its own API key, webhook secrets (several at once, for rotation), read and
write budgets, cache namespace and queue partitions. Secrets never show in ``repr``.

``load_tenants()`` finds them in one place: the workspaces file named by the caller or by
``ATTIO_BRIDGE_WORKSPACES`` (TOML, or JSON for ``.json``), else the state store's ``tenants``
namespace (one document per workspace, the same fields), else one ``default`` tenant from
``ATTIO_API_KEY``, ``ATTIO_BASE_URL`` and ``ATTIO_WEBHOOK_SECRET`` (comma-separated: several
secrets during a rotation) plus the webhook secrets ``webhooks sync`` kept. The file holds no
secret: API keys and tokens are named by environment variable (``api_key_env``), webhook
secrets by name in the secret store (``webhook_secrets``) or by environment variable
(``webhook_secret_envs``)::

    [workspaces.acme]
    api_key_env = "ACME_ATTIO_KEY"
    webhook_secrets = ["webhook:5f1c..."]      # "webhook:*": every secret webhooks sync kept
    webhook_secret_envs = ["ACME_WEBHOOK_SECRET"]
    read_rate = 50
    write_rate = 10

Every problem is a ``TenantsFileError`` naming the file, the workspace and the field.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._files import read_settings_file
from ..errors import ConfigurationError, MissingError

if TYPE_CHECKING:
    from ..state import SecretStore, StateStore

__all__ = [
    "DEFAULT_TENANT",
    "TENANTS_NAMESPACE",
    "WORKSPACES_ENV",
    "BraintreeKeys",
    "Tenant",
    "Tenants",
    "TenantsFileError",
    "UnknownTenantError",
    "load_tenants",
    "parse_tenants",
]

DEFAULT_TENANT = "default"


@dataclass(frozen=True, slots=True)
class BraintreeKeys:
    """The Braintree gateway keys its SDK verifies webhook notifications with."""

    environment: str
    merchant_id: str
    public_key: str
    private_key: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Tenant:
    """One Attio workspace served by this deployment.

    ``name`` routes deliveries (``/webhooks/attio/<name>``; the one named ``default`` also
    answers at ``/webhooks/attio``) and prefixes the cache namespace and queue partitions.
    """

    name: str = DEFAULT_TENANT
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    attio_secrets: tuple[str, ...] = field(default=(), repr=False)
    hubspot_client_secret: str | None = field(default=None, repr=False)
    zoho_token: str | None = field(default=None, repr=False)
    braintree: BraintreeKeys | None = None
    read_rate: float = 100.0
    write_rate: float = 25.0
    ignore_actor_ids: tuple[str, ...] = ()
    """Actors whose events are our own writes echoing back: ignored, not handled."""

    @property
    def cache_namespace(self) -> str:
        """The prefix of this tenant's cache keys."""
        return f"t:{self.name}"


class UnknownTenantError(MissingError):
    """A delivery or command named a workspace this deployment is not configured for."""


class Tenants:
    """The configured tenants, by name."""

    def __init__(self, tenants: Iterable[Tenant]) -> None:
        self._by_name: dict[str, Tenant] = {}
        for tenant in tenants:
            self._by_name[tenant.name] = tenant

    def get(self, name: str) -> Tenant:
        """The tenant called ``name``; ``UnknownTenantError`` naming the configured ones if none."""
        try:
            return self._by_name[name]
        except KeyError:
            known = ", ".join(sorted(self._by_name)) or "none"
            raise UnknownTenantError(
                f"no workspace named {name!r} is configured (configured: {known})"
            ) from None

    def __iter__(self) -> Iterator[Tenant]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def as_mapping(self) -> Mapping[str, Tenant]:
        """The tenants by name."""
        return dict(self._by_name)


# -- configuration --------------------------------------------------------------------------------
WORKSPACES_ENV = "ATTIO_BRIDGE_WORKSPACES"
TENANTS_NAMESPACE = "tenants"
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
_FIELDS = {
    "api_key_env",
    "base_url",
    "webhook_secrets",
    "webhook_secret_envs",
    "hubspot_client_secret_env",
    "zoho_token_env",
    "braintree",
    "read_rate",
    "write_rate",
    "ignore_actor_ids",
}
# What someone may write who has not read that the file holds no secrets.
_SECRET_FIELDS = {
    "api_key": "api_key_env",
    "webhook_secret": "webhook_secret_envs",
    "secret": "webhook_secret_envs",
    "hubspot_client_secret": "hubspot_client_secret_env",
    "zoho_token": "zoho_token_env",
}
_BRAINTREE = {"environment", "merchant_id", "public_key", "private_key_env"}


_DEFAULTS = Tenant()


class TenantsFileError(ConfigurationError):
    """The workspaces configuration cannot be used: the message names where (the file, or the
    state store), the workspace, the field, and the fix."""


def _stored_under(secrets: SecretStore, prefix: str) -> list[str]:
    """Every value ``secrets`` keeps under a name starting with ``prefix``."""
    values = (secrets.get(name) for name in secrets.names(prefix))
    return [v for v in values if v]


class _Reader:
    """Reads one workspace's fields, raising errors that name where, the workspace and field."""

    def __init__(
        self,
        source: str,
        name: str,
        raw: Mapping[str, Any],
        environ: Mapping[str, str],
        secrets: SecretStore | None,
    ) -> None:
        self.source, self.name, self.raw = source, name, raw
        self.environ, self.secrets = environ, secrets

    def error(self, field_name: str, problem: str) -> TenantsFileError:
        return TenantsFileError(f"{self.source}: workspace {self.name!r}: {field_name} {problem}")

    def text(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise self.error(key, "must be a non-empty string")
        return value

    def texts(self, key: str) -> list[str]:
        value = self.raw.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(key, "must be a list of strings")
        return list(value)

    def env(self, key: str, variable: str | None) -> str | None:
        """The value of the environment variable named in field ``key``."""
        if variable is None:
            return None
        value = self.environ.get(variable, "").strip()
        if not value:
            raise self.error(
                key, f"names the environment variable {variable}, which is not set: set it"
            )
        return value

    def rate(self, key: str, default: float) -> float:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.error(
                key, f"must be a number of requests per second above 0 (got {value!r})"
            )
        return float(value)

    def webhook_secrets(self) -> tuple[str, ...]:
        found: list[str] = []
        for variable in self.texts("webhook_secret_envs"):
            value = self.env("webhook_secret_envs", variable) or ""
            found.extend(s.strip() for s in value.split(",") if s.strip())
        for name in self.texts("webhook_secrets"):
            found.extend(self._stored(name))
        return tuple(dict.fromkeys(found))

    def _stored(self, name: str) -> list[str]:
        if self.secrets is None:
            raise self.error(
                "webhook_secrets", "names stored secrets, but no secret store was given"
            )
        if name.endswith("*"):
            return _stored_under(self.secrets, name[:-1])
        value = self.secrets.get(name)
        if value is None:
            raise self.error(
                "webhook_secrets",
                f"names {name!r}, which the secret store does not hold: run attio-bridge "
                "webhooks sync to create the webhook and keep its secret, or fix the name "
                "(it is printed by the sync as secret_name)",
            )
        return [value]

    def braintree(self) -> BraintreeKeys | None:
        raw = self.raw.get("braintree")
        if raw is None:
            return None
        if not isinstance(raw, Mapping) or set(raw) != _BRAINTREE:
            raise self.error(
                "braintree",
                "must be a table of exactly environment, merchant_id, public_key and "
                "private_key_env (the private key's environment variable)",
            )
        private = self.env("braintree.private_key_env", str(raw["private_key_env"]))
        return BraintreeKeys(
            str(raw["environment"]), str(raw["merchant_id"]), str(raw["public_key"]), private or ""
        )

    def tenant(self) -> Tenant:
        for key, instead in _SECRET_FIELDS.items():
            if key in self.raw:
                raise self.error(
                    key,
                    f"would put a secret in the configuration, which holds none: name its "
                    f"environment variable in {instead} instead",
                )
        unknown = sorted(set(self.raw) - _FIELDS)
        if unknown:
            raise self.error(
                unknown[0], f"is not a workspace setting (settings: {', '.join(sorted(_FIELDS))})"
            )
        actors = self.texts("ignore_actor_ids")
        return Tenant(
            name=self.name,
            api_key=self.env("api_key_env", self.text("api_key_env")),
            base_url=self.text("base_url"),
            attio_secrets=self.webhook_secrets(),
            hubspot_client_secret=self.env(
                "hubspot_client_secret_env", self.text("hubspot_client_secret_env")
            ),
            zoho_token=self.env("zoho_token_env", self.text("zoho_token_env")),
            braintree=self.braintree(),
            read_rate=self.rate("read_rate", _DEFAULTS.read_rate),
            write_rate=self.rate("write_rate", _DEFAULTS.write_rate),
            ignore_actor_ids=tuple(actors),
        )


def parse_tenants(
    workspaces: Mapping[str, Any],
    source: str,
    *,
    environ: Mapping[str, str] | None = None,
    secrets: SecretStore | None = None,
) -> Tenants:
    """The tenants of ``workspaces`` (name -> settings), read as a workspaces file's
    ``[workspaces.NAME]`` tables; ``source`` names where they came from in errors."""
    env = os.environ if environ is None else environ
    if not isinstance(workspaces, Mapping) or not workspaces:
        raise TenantsFileError(
            f"{source}: no workspace is configured: add a [workspaces.NAME] table with "
            'api_key_env = "..." for each Attio workspace'
        )
    tenants = []
    for name, raw in workspaces.items():
        if not _NAME.fullmatch(str(name)):
            raise TenantsFileError(
                f"{source}: workspace {name!r}: the name must be lowercase letters, digits, "
                "- and _ (it is a URL path part: /webhooks/attio/NAME)"
            )
        if not isinstance(raw, Mapping):
            raise TenantsFileError(f"{source}: workspace {name!r} must be a table of settings")
        tenants.append(_Reader(source, str(name), raw, env, secrets).tenant())
    return Tenants(tenants)


def _default_tenant(environ: Mapping[str, str], secrets: SecretStore | None) -> Tenant:
    raw = environ.get("ATTIO_WEBHOOK_SECRET", "")
    found = [s.strip() for s in raw.split(",") if s.strip()]
    if secrets is not None:
        found.extend(_stored_under(secrets, "webhook:"))
    return Tenant(
        name=DEFAULT_TENANT,
        api_key=environ.get("ATTIO_API_KEY") or None,
        base_url=environ.get("ATTIO_BASE_URL") or None,
        attio_secrets=tuple(dict.fromkeys(found)),
    )


def load_tenants(
    path: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    secrets: SecretStore | None = None,
    store: StateStore | None = None,
) -> Tenants:
    """The tenants this deployment serves, from the first place that has them: the workspaces
    file ``path``, or the one ``ATTIO_BRIDGE_WORKSPACES`` names; the ``tenants`` namespace of
    ``store``; else one ``default`` tenant from ``ATTIO_API_KEY``, ``ATTIO_BASE_URL`` and
    ``ATTIO_WEBHOOK_SECRET`` (comma-separated), with every webhook secret kept in ``secrets``.
    Webhook secrets named in the configuration are read from ``secrets``."""
    env = os.environ if environ is None else environ
    given = path if path is not None else env.get(WORKSPACES_ENV) or None
    if given is not None:
        doc = read_settings_file(given, TenantsFileError, "workspaces file")
        if not isinstance(doc, Mapping) or set(doc) != {"workspaces"}:
            raise TenantsFileError(
                f"{given}: a workspaces file has one table, workspaces, with a "
                "[workspaces.NAME] table for each Attio workspace"
            )
        return parse_tenants(doc["workspaces"], str(given), environ=env, secrets=secrets)
    if store is not None:
        stored = dict(store.items(TENANTS_NAMESPACE))
        if stored:
            where = f"the state store ({TENANTS_NAMESPACE} namespace)"
            return parse_tenants(stored, where, environ=env, secrets=secrets)
    return Tenants([_default_tenant(env, secrets)])
