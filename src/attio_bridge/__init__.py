"""attio-bridge: a library, command line and service for Attio CRM integrations.

The everyday names are here::

    from attio_bridge import AttioClient, Services

    with AttioClient() as attio:
        person = Services(attio).people.upsert(email="ada@example.com", name="Ada Lovelace")

``AttioClient`` / ``AsyncAttioClient`` talk to Attio's REST API (``client``); ``Services`` /
``AsyncServices`` are the domain operations on top (``services``); ``AttioError`` is the root of
every error raised on purpose (``errors``), with ``ConfigurationError``, ``InvalidInputError``
and ``MissingError`` below it. The package is laid out by dependency order (see
docs/ARCHITECTURE.md); each package's ``__all__`` is its public surface.

The clients and services are imported when first used, so ``import attio_bridge`` stays cheap
(the CLI's start-up, a worker that only needs the errors).
"""

from __future__ import annotations

from .errors import AttioError, ConfigurationError, InvalidInputError, MissingError

# Not ``typing.TYPE_CHECKING``: this module imports as little as it can, ``typing`` included.
# Type checkers treat any constant of this name the same way.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from .client import AsyncAttioClient, AttioClient
    from .services import AsyncServices, Services

__version__ = "0.1.0"

__all__ = [
    "AsyncAttioClient",
    "AsyncServices",
    "AttioClient",
    "AttioError",
    "ConfigurationError",
    "InvalidInputError",
    "MissingError",
    "Services",
]

# Name -> the package it comes from, imported on first access (PEP 562).
_LAZY = {
    "AsyncAttioClient": "client",
    "AttioClient": "client",
    "AsyncServices": "services",
    "Services": "services",
}


def __getattr__(name: str) -> object:
    package = _LAZY.get(name)
    if package is None:
        # The attribute protocol: Python turns this into "cannot import name" where fitting.
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module  # here: only when a lazy name is first used

    value = getattr(import_module(f"{__name__}.{package}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
