"""Workspaces (tenants): what one deployment knows of each Attio workspace it serves.

Each ``Tenant`` has its own API key, webhook secrets (several at once, for rotation), read and
write budgets, cache namespace and queue partitions. Secrets never show in ``repr``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from ..errors import MissingError

__all__ = ["DEFAULT_TENANT", "BraintreeKeys", "Tenant", "Tenants", "UnknownTenantError"]

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
