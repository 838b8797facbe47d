"""Where the service's real pieces are chosen: the one place ``serve``, ``worker`` and the sandbox
build a ``Service`` from.

``service_tenants`` finds the workspaces served (``webhooks.tenants.load_tenants``: the file
``ATTIO_BRIDGE_WORKSPACES`` names, the state store's ``tenants``, else one workspace from
``ATTIO_API_KEY``, ``ATTIO_BASE_URL`` and ``ATTIO_WEBHOOK_SECRET``) and refuses a workspace
without a key. ``build_service`` composes:

- the durable queue, ``jobs.JobQueue`` (``ATTIO_BRIDGE_DATABASE_URL``, else a SQLite file beside
  the state store; ``jobs_url`` overrides both, as the sandbox does with a file of its own);
- the receiver, ``webhooks.Receiver``, whose events ``Service.submit`` turns into jobs;
- the processor, ``webhooks.EventProcessor`` over the router the handler modules registered on,
  each workspace's ``HandlerContext`` built from ``TenantResources.parts``; every event of a
  workspace runs inside its Attio circuit (``jobs.circuits``): once Attio failed ``fail_max``
  times in a row for that workspace, its events wait on their retry schedule
  (``CircuitOpenError``, retryable) instead of calling Attio again;
- the alerts (``alerts_from_env``): with ``ATTIO_BRIDGE_ALERT_SLACK_CHANNEL`` (and
  ``SLACK_BOT_TOKEN``) or ``ATTIO_BRIDGE_ALERT_WEBHOOK_URL``, dead letters and open circuits
  notify, and every ``ATTIO_BRIDGE_ALERT_CHECK_INTERVAL`` seconds (60) the workspaces' webhooks
  are checked for Attio's ``degraded`` mark and dead-letter incidents with no dead job left are
  closed. Nothing configured: no alert is sent and nothing fails;
- the sync, when one is given (``build_sync``: a mapping file's ``sync.service.SyncService`` on
  the served workspace, its Attio client at the workspace's budgets, shared through Redis when
  configured, its state in the state store): its jobs and event handler registered, its pulls
  submitted every tick, closed when the service stops.

``app_from_env`` is the whole app from the environment, for an ASGI server started by hand.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette

from ..client import AttioClient
from ..errors import ConfigurationError
from ..jobs import JobQueue, Processor, RetrySchedule
from ..jobs.circuits import Circuits
from ..state import open_secrets, open_store
from ..webhooks import (
    DEFAULT_TENANT,
    EventProcessor,
    HandlerContext,
    Hooks,
    Receiver,
    Router,
    Tenant,
    Tenants,
    load_handlers,
    router,
)
from ..webhooks.alerts import Alerts, Notifier, SlackNotifier, WebhookNotifier
from ..webhooks.tenants import load_tenants
from .app import create_app
from .logs import configure_logging, get_logger
from .service import Periodic, Service, tenant_secrets
from .tenancy import TenantResources

if TYPE_CHECKING:  # the sync is imported when one is built: a service without one never loads it
    from ..sync.service import SyncService

__all__ = [
    "ALERT_CHECK_INTERVAL_ENV",
    "ALERT_SLACK_CHANNEL_ENV",
    "ALERT_WEBHOOK_URL_ENV",
    "BUILT_IN_HANDLERS",
    "RECONCILE_PERIOD_ENV",
    "SYNC_ENV",
    "SYNC_PERIOD_ENV",
    "SYNC_WORKSPACE_ENV",
    "alerts_from_env",
    "app_from_env",
    "build_service",
    "build_sync",
    "guarded",
    "load_handler_modules",
    "service_tenants",
]

ALERT_SLACK_CHANNEL_ENV = "ATTIO_BRIDGE_ALERT_SLACK_CHANNEL"
ALERT_WEBHOOK_URL_ENV = "ATTIO_BRIDGE_ALERT_WEBHOOK_URL"
ALERT_CHECK_INTERVAL_ENV = "ATTIO_BRIDGE_ALERT_CHECK_INTERVAL"
SYNC_ENV = "ATTIO_BRIDGE_SYNC"
SYNC_PERIOD_ENV = "ATTIO_BRIDGE_SYNC_PERIOD"
RECONCILE_PERIOD_ENV = "ATTIO_BRIDGE_RECONCILE_PERIOD"
SYNC_WORKSPACE_ENV = "ATTIO_BRIDGE_SYNC_WORKSPACE"

_log = get_logger("attio_bridge.web")

# Handlers the service always has, beside the webhooks package's defaults: Braintree into
# Attio, and snapshots refreshed on record events.
BUILT_IN_HANDLERS = ("attio_bridge.sync.handlers", "attio_bridge.snapshot.handlers")


def service_tenants(environ: Mapping[str, str] | None = None) -> Tenants:
    """The workspaces this deployment serves (see the module docstring); each needs a key."""
    env = os.environ if environ is None else environ
    store = open_store(environ=env)
    try:
        tenants = load_tenants(environ=env, secrets=open_secrets(store, environ=env), store=store)
    finally:
        store.close()
    for tenant in tenants:
        if not tenant.api_key:
            if tenant.name == DEFAULT_TENANT and len(tenants) == 1:
                raise ConfigurationError(
                    "ATTIO_API_KEY is not set: set it to serve a real workspace (or name a "
                    "workspaces file in ATTIO_BRIDGE_WORKSPACES)"
                )
            raise ConfigurationError(
                f"workspace {tenant.name!r} has no API key: set its api_key_env variable"
            )
    return tenants


def load_handler_modules(modules: Sequence[str]) -> None:
    """Import each of the user's handler modules (their ``@on`` handlers register on the
    default router); the current folder is searched first, as ``python -m`` does."""
    if modules and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    load_handlers(modules)


def guarded(processor: Processor, circuits: Circuits) -> Processor:
    """``processor`` run inside the Attio circuit of each event's workspace."""

    async def run(payload: dict[str, Any]) -> dict[str, Any] | None:
        workspace = str(payload.get("workspace") or DEFAULT_TENANT)
        circuit = circuits.breaker_for("attio", workspace)
        call: Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]] = processor
        return await circuit.call_async(call, payload)

    return run


def alerts_from_env(resources: TenantResources, environ: Mapping[str, str]) -> Alerts | None:
    """The alerts the environment configures (module docstring), or None when none is."""
    notifiers: list[Notifier] = []
    channel = environ.get(ALERT_SLACK_CHANNEL_ENV, "").strip()
    if channel:
        from ..connectors import SlackConnector  # here: slack_sdk only when alerts use Slack

        slack = SlackConnector(
            environ.get("SLACK_BOT_TOKEN", ""), base_url=environ.get("SLACK_API_URL") or None
        )
        notifiers.append(SlackNotifier(slack, channel))
    url = environ.get(ALERT_WEBHOOK_URL_ENV, "").strip()
    if url:
        notifiers.append(WebhookNotifier(url))
    return Alerts(resources.store(), notifiers) if notifiers else None


def _interval(environ: Mapping[str, str]) -> float:
    return _seconds(environ, ALERT_CHECK_INTERVAL_ENV, "60")


def _seconds(environ: Mapping[str, str], name: str, default: str) -> float:
    """The number of seconds above 0 in the variable ``name`` (``default`` when unset)."""
    raw = environ.get(name, "").strip() or default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if seconds <= 0:
        raise ConfigurationError(f"{name} is a number of seconds above 0, not {raw!r}")
    return seconds


def _alert_loops(
    alerts: Alerts, tenants: Tenants, queue: JobQueue, interval: float
) -> list[Periodic]:
    def check_webhooks() -> None:
        for tenant in tenants:
            with AttioClient(api_key=tenant.api_key, base_url=tenant.base_url) as client:
                alerts.check_webhooks(client.webhooks.iter(), tenant=tenant.name)

    def sweep() -> None:
        alerts.sweep_dead_letters(info.partition for info in queue.list(status="dead", limit=None))

    return [
        Periodic("webhooks check", interval, check_webhooks),
        Periodic("dead letter sweep", interval, sweep),
    ]


def build_service(
    tenants: Tenants,
    *,
    work: bool = True,
    handlers: Sequence[str] = (),
    redis_url: str | None = None,
    template_dir: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    jobs_url: str | None = None,
    retry: RetrySchedule | None = None,
    concurrency: int = 8,
    partition_concurrency: int | None = None,
    hooks: Hooks | None = None,
    handler_router: Router | None = None,
    transport: Any = None,
    circuits: Circuits | None = None,
    sync: SyncService | None = None,
) -> Service:
    """The service for ``tenants`` (module docstring): a queue that runs jobs when ``work``,
    the receiver, the processor with the built-in Braintree and snapshot handlers
    (``BUILT_IN_HANDLERS``) and the user's ``handlers`` modules loaded, and ``sync``
    (``build_sync``) registered on the queue and the router, its pulls among the periodic
    tasks, closed when the service stops. ``transport`` (an httpx transport to an emulator) is
    the tests' seam to Attio."""
    env = os.environ if environ is None else environ
    load_handler_modules([*BUILT_IN_HANDLERS, *handlers])
    resources = TenantResources(tenants, redis_url=redis_url, environ=env, transport=transport)
    queue = JobQueue(
        jobs_url,
        environ=env,
        retry=retry,
        concurrency=concurrency,
        partition_concurrency=partition_concurrency,
    )
    contexts: dict[str, HandlerContext] = {}

    def context_for(name: str) -> HandlerContext:
        found = contexts.get(name)
        if found is None:
            parts = resources.parts(name)
            found = HandlerContext.build(parts.tenant, parts.services, parts.store, hooks)
            contexts[name] = found
        return found

    circuits = circuits or Circuits(redis_url=redis_url or "", environ=env)
    processor = guarded(EventProcessor(handler_router or router, context_for), circuits)
    alerts = alerts_from_env(resources, env)
    periodic: list[Periodic] = []
    if alerts is not None:
        queue.subscribe(alerts.on_job_event)
        circuits.add_listener(alerts.on_circuit_change)
        if work:
            periodic = _alert_loops(alerts, tenants, queue, _interval(env))
    on_stop = circuits.close
    if sync is not None:
        sync.register(queue, handler_router or router)
        periodic += [Periodic(name, every, run) for name, every, run in sync.periodic(queue)]
        on_stop = _both(circuits.close, sync.close)
    return Service(
        tenants,
        queue,
        Receiver,
        processor=processor,
        work=work,
        redis_url=redis_url,
        template_dir=template_dir,
        resources=resources,
        periodic=periodic,
        on_stop=on_stop,
    )


def _both(first: Callable[[], None], then: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            first()
        finally:
            then()

    return run


def build_sync(
    path: str | Path,
    tenants: Tenants,
    *,
    period: float,
    reconcile_period: float | None = 86400.0,
    redis_url: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> SyncService:
    """The sync of the mapping file ``path`` for the served workspace (the only one, else the
    one ``ATTIO_BRIDGE_SYNC_WORKSPACE`` names): its client at the workspace's key, URL and
    budgets (shared through Redis at ``redis_url``), the state store of ``environ``, pulls every
    ``period`` seconds and reconciles every ``reconcile_period`` seconds, each other system's
    connector from ``environ`` (``HubSpotConnector.from_env`` ...). Errors name what is wrong
    and the fix."""
    from ..sync.service import SyncService

    env = os.environ if environ is None else environ
    if not Path(path).is_file():
        raise ConfigurationError(
            f"the sync's mapping file {path} does not exist: give the path of a mapping file "
            "(docs/SYNC.md)"
        )
    tenant = _sync_tenant(tenants, env)
    assert tenant.api_key is not None  # service_tenants refuses a workspace without a key
    return SyncService.from_file(
        path,
        api_key=tenant.api_key,
        base_url=tenant.base_url,
        read_rate=tenant.read_rate,
        write_rate=tenant.write_rate,
        redis_url=redis_url,
        environ=env,
        period=period,
        reconcile_period=reconcile_period,
        workspace=tenant.name,
    )


def _sync_tenant(tenants: Tenants, environ: Mapping[str, str]) -> Tenant:
    names = [tenant.name for tenant in tenants]
    chosen = environ.get(SYNC_WORKSPACE_ENV, "").strip()
    if not chosen:
        if len(names) == 1:
            return tenants.get(names[0])
        raise ConfigurationError(
            f"the sync runs on one workspace and this service serves {len(names)} "
            f"({', '.join(names)}): name one in {SYNC_WORKSPACE_ENV}"
        )
    if chosen not in names:
        raise ConfigurationError(
            f"{SYNC_WORKSPACE_ENV} names the workspace {chosen!r}, which is not served; "
            f"give one of {', '.join(names)}"
        )
    return tenants.get(chosen)


def app_from_env(environ: Mapping[str, str] | None = None) -> Starlette:
    """The service's app configured from the environment alone, for an ASGI server run by hand:
    ``uvicorn --factory attio_bridge.web.wiring:app_from_env``. Logs are JSON lines at
    ``ATTIO_BRIDGE_LOG_LEVEL`` (default info); handler modules are named, comma-separated, in
    ``ATTIO_BRIDGE_HANDLERS``; a sync mapping file in ``ATTIO_BRIDGE_SYNC`` (pulled every
    ``ATTIO_BRIDGE_SYNC_PERIOD`` seconds, 300; reconciled every ``ATTIO_BRIDGE_RECONCILE_PERIOD``
    seconds, 86400) runs with its conflicts page."""
    from .sync_pages import ConflictPages

    env = os.environ if environ is None else environ
    tenants = service_tenants(env)
    level = env.get("ATTIO_BRIDGE_LOG_LEVEL", "info")
    configure_logging(json=True, level=level, secrets=tenant_secrets(tenants))
    handlers = [m.strip() for m in env.get("ATTIO_BRIDGE_HANDLERS", "").split(",") if m.strip()]
    redis_url = env.get("REDIS_URL") or None
    sync = None
    if env.get(SYNC_ENV, "").strip():
        sync = build_sync(
            env[SYNC_ENV].strip(),
            tenants,
            period=_seconds(env, SYNC_PERIOD_ENV, "300"),
            reconcile_period=_seconds(env, RECONCILE_PERIOD_ENV, "86400"),
            redis_url=redis_url,
            environ=env,
        )
    service = build_service(tenants, handlers=handlers, redis_url=redis_url, environ=env, sync=sync)
    pages = None if sync is None else ConflictPages(sync.state, sync.resolve)
    return create_app(service, sync_pages=pages)
