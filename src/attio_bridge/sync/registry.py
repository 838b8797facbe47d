"""Connectors chosen by name: a mapping's ``system`` becomes a ``CrmConnector``.

``connector_for("hubspot")`` imports ``attio_bridge.connectors.hubspot`` and calls
``HubSpotConnector.from_env()`` (likewise ``salesforce``, ``zoho``), resolved only when asked so
that a deployment without one system's settings can sync the others. ``spec``, a
``"module:factory"`` (``--connector`` on the command line), names any other factory taking no
arguments: a connector of one's own, or a test's stand-in.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..connectors.crm import CrmConnector
from ..errors import ConfigurationError

__all__ = ["KNOWN", "connector_for"]

KNOWN = {
    "hubspot": "attio_bridge.connectors.hubspot:HubSpotConnector.from_env",
    "salesforce": "attio_bridge.connectors.salesforce:SalesforceConnector.from_env",
    "zoho": "attio_bridge.connectors.zoho:ZohoConnector.from_env",
}


def connector_for(system: str, spec: str | None = None) -> CrmConnector:
    """The connector of ``system`` (module docstring); ``ConfigurationError`` naming the fix."""
    where = spec or KNOWN.get(system)
    if where is None:
        raise ConfigurationError(
            f"no connector for {system!r}; use one of {', '.join(KNOWN)}"
            ' or give --connector "module:factory"'
        )
    module, _, path = where.partition(":")
    try:
        found: Any = importlib.import_module(module)
        for part in path.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(f"cannot load the {system} connector {where!r}: {exc}") from None
    connector = found()
    if getattr(connector, "system", system) != system:
        raise ConfigurationError(
            f"{where} makes a {connector.system} connector, not {system}; fix the mapping's system"
        )
    return connector  # type: ignore[no-any-return]
