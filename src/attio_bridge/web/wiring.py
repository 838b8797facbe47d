"""Where the service's real pieces are chosen: the one place ``serve``, ``worker`` and the sandbox
build a ``Service`` from.

``tenants_from_env`` reads the one workspace of a deployment configured by environment variables
(``ATTIO_API_KEY``, ``ATTIO_BASE_URL``, ``ATTIO_WEBHOOK_SECRET``: several secrets separated by
commas while one is rotated). ``build_service`` composes the queue, the receiver and the
processor. Until the durable queue (``attio_bridge.jobs.JobQueue``) and the receiver core
(``attio_bridge.webhooks.Receiver``, ``EventProcessor``, ``load_handlers``) are in, it uses the
in-memory stand-ins of ``web/interim.py``: nothing received survives a restart.
``app_from_env`` is the whole app from the environment, for an ASGI server started by hand.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from starlette.applications import Starlette

from ..errors import ConfigurationError
from ..webhooks import DEFAULT_TENANT, Tenant, Tenants
from .app import create_app
from .interim import AttioReceiver, MemoryJobQueue, describe_event
from .logs import configure_logging
from .service import Service, tenant_secrets
from .tenancy import TenantResources

# Handlers the service always has, beside the webhooks package's defaults.
BUILT_IN_HANDLERS = "attio_bridge.sync.handlers"

__all__ = ["app_from_env", "build_service", "load_handler_modules", "tenants_from_env"]


def tenants_from_env(environ: Mapping[str, str]) -> Tenants:
    """The deployment's one workspace, ``default``, from the environment."""
    api_key = environ.get("ATTIO_API_KEY", "")
    if not api_key:
        raise ConfigurationError("ATTIO_API_KEY is not set: set it to serve a real workspace")
    secrets = tuple(
        s.strip() for s in environ.get("ATTIO_WEBHOOK_SECRET", "").split(",") if s.strip()
    )
    return Tenants(
        [
            Tenant(
                name=DEFAULT_TENANT,
                api_key=api_key,
                base_url=environ.get("ATTIO_BASE_URL") or None,
                attio_secrets=secrets,
            )
        ]
    )


def load_handler_modules(modules: Sequence[str]) -> None:
    """Import each of the user's handler modules (they register their handlers on import); the
    current folder is searched first, as ``python -m`` does."""
    if modules and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ConfigurationError(
                f"cannot import the handler module {name!r} ({exc}): give a module importable "
                "from here, such as my_handlers for my_handlers.py in the current folder"
            ) from exc


def build_service(
    tenants: Tenants,
    *,
    work: bool = True,
    handlers: Sequence[str] = (),
    redis_url: str | None = None,
    template_dir: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Service:
    """The service for ``tenants``: a queue that runs jobs when ``work``, the receiver, the
    processor with the built-in Braintree handlers (``attio_bridge.sync.handlers``) and the
    user's ``handlers`` modules loaded."""
    load_handler_modules([BUILT_IN_HANDLERS, *handlers])
    # What the handlers' context is made of, per workspace (``HandlerContext`` once it exists:
    # ``EventProcessor(router, context_for)`` with context_for(name) built on resources.parts).
    resources = TenantResources(tenants, redis_url=redis_url, environ=environ)
    return Service(
        tenants,
        MemoryJobQueue(),
        AttioReceiver,
        processor=describe_event,
        work=work,
        redis_url=redis_url,
        template_dir=template_dir,
        resources=resources,
    )


def app_from_env(environ: Mapping[str, str] | None = None) -> Starlette:
    """The service's app configured from the environment alone, for an ASGI server run by hand:
    ``uvicorn --factory attio_bridge.web.wiring:app_from_env``. Logs are JSON lines at
    ``ATTIO_BRIDGE_LOG_LEVEL`` (default info); handler modules are named, comma-separated, in
    ``ATTIO_BRIDGE_HANDLERS``."""
    env = os.environ if environ is None else environ
    tenants = tenants_from_env(env)
    level = env.get("ATTIO_BRIDGE_LOG_LEVEL", "info")
    configure_logging(json=True, level=level, secrets=tenant_secrets(tenants))
    handlers = [m.strip() for m in env.get("ATTIO_BRIDGE_HANDLERS", "").split(",") if m.strip()]
    service = build_service(
        tenants, handlers=handlers, redis_url=env.get("REDIS_URL") or None, environ=env
    )
    return create_app(service)
