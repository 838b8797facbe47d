"""``attio-bridge serve``, ``sandbox`` and ``worker``: the always-on service.

``serve`` with ``ATTIO_API_KEY`` set (or a workspaces file in ``ATTIO_BRIDGE_WORKSPACES``)
serves the real workspaces (``web.wiring.service_tenants``); without it, and always as
``sandbox``, it runs the sandbox: the emulator in this process, seeded, on the same address as
the service (its API under ``/v2``), with a webhook subscribed to the service's
``/webhooks/attio`` whose secret stays in memory, and a worker in this process running the real
durable queue on a SQLite file of its own in a temporary folder (removed when the sandbox
stops, or by the next sandbox when it was killed: sandbox jobs never mix with the real ones);
the snapshot pages' project is in that folder
too, unless ``--project`` names one (the emulator reseeds with new ids each start, so an import
kept from an earlier run would name records that no longer exist). The service reads the
emulator with a key of its own, whose actor (the token id ``GET /v2/self`` names) it ignores,
so its own writes do not echo back; the banner's line uses the newcomer's key, so the change
it makes arrives on the page. ``worker`` runs jobs only, no HTTP, until SIGTERM or Ctrl-C.

Everything heavy (the emulator, the web app, uvicorn, the queue) is imported inside the
commands: building the command line stays cheap (tests/cli/test_startup_cli.py).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._common import ConnectionOptions, ExitStatus, error_line, reporting
from ._serving import emulator_banner, listener, url_of

if TYPE_CHECKING:
    from ..web.service import Service
    from ..web.snapshots import Pages
    from ..web.sync_pages import ConflictPages

__all__ = ["sandbox_command", "serve_command", "worker_command"]

SANDBOX_RETRIES = (1.0, 5.0, 30.0)
"""The sandbox emulator's delivery retries: seconds, not Attio's three days."""

HostOpt = Annotated[str, typer.Option(help="Address to listen on.")]
PortOpt = Annotated[int, typer.Option(help="Port to listen on (0: any free port).")]
HandlersOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--handlers",
        help="A module of your webhook handlers to load (repeatable).",
        metavar="MODULE",
    ),
]
NoWorkerOpt = Annotated[
    bool, typer.Option("--no-worker", help="Take deliveries only; separate workers run the jobs.")
]
TemplatesOpt = Annotated[
    Path | None,
    typer.Option(help="A folder of templates that replace the events page's (same file names)."),
]
LogFormatOpt = Annotated[
    str, typer.Option(help="Log lines as 'json' or 'console' (default: console on a terminal).")
]
LogLevelOpt = Annotated[
    str | None,
    typer.Option(help="Lowest level logged: debug, info, warning, error (sandbox: warning)."),
]
ProjectOpt = Annotated[
    Path | None,
    typer.Option(
        help="The project folder (a git repository) the snapshot pages import into "
        "(serve: the current folder; sandbox: a new one each run, removed when it stops)."
    ),
]
SyncOpt = Annotated[
    Path | None,
    typer.Option(
        "--sync",
        envvar="ATTIO_BRIDGE_SYNC",
        help="A sync mapping file: keep its mappings in step with the other CRM while the "
        "service runs (docs/SYNC.md).",
        show_default=False,
    ),
]
SyncPeriodOpt = Annotated[
    float,
    typer.Option(
        "--sync-period",
        envvar="ATTIO_BRIDGE_SYNC_PERIOD",
        help="Seconds between two pulls of each mapping: a change whose webhook was lost "
        "arrives within one period.",
    ),
]
DEFAULT_SYNC_PERIOD = 300.0
ReconcilePeriodOpt = Annotated[
    float,
    typer.Option(
        "--reconcile-period",
        envvar="ATTIO_BRIDGE_RECONCILE_PERIOD",
        help="Seconds between two full runs of each mapping: an Attio change whose webhook was "
        "lost (Attio has no modified-since query) arrives within one period.",
    ),
]
DEFAULT_RECONCILE_PERIOD = 86400.0
DbOpt = Annotated[
    Path | None,
    typer.Option(help="Sandbox only: SQLite file that keeps the emulator's workspace."),
]


def _usage(message: str) -> typer.Exit:
    typer.echo(error_line(ExitStatus.USAGE, message, False), err=True)
    return typer.Exit(ExitStatus.USAGE)


def _logging(log_format: str, log_level: str | None, default_level: str, found: list[str]) -> None:
    from ..web.logs import LEVELS, configure_logging

    level = (log_level or default_level).lower()
    if level not in LEVELS:
        raise _usage(f"--log-level {log_level} is not a level: give one of {', '.join(LEVELS)}")
    if log_format not in ("json", "console", ""):
        raise _usage(f"--log-format {log_format} is not a format: give json or console")
    as_json = log_format == "json" or (log_format == "" and not sys.stderr.isatty())
    configure_logging(json=as_json, level=level, secrets=found)


@dataclass(frozen=True)
class _Prepared:
    """A service ready to serve: what ``_serve`` runs once building it raised nothing."""

    service: Service
    sock: socket.socket
    fallback: Any
    banner: list[str]
    pages: Pages | None = None
    scratch: Path | None = None  # a folder removed once the service stopped
    sync_pages: ConflictPages | None = None
    on_stop: Callable[[], None] | None = None  # called once the service stopped


def _serve(prepare: Callable[[], _Prepared]) -> None:
    """Build the service (an error is one line and its exit status, as in every command), then
    serve it until SIGTERM or Ctrl-C: uvicorn takes those signals and shuts down gracefully."""
    import uvicorn

    from ..web.app import create_app

    with reporting(ConnectionOptions()):
        ready = prepare()
    app = create_app(
        ready.service, fallback=ready.fallback, pages=ready.pages, sync_pages=ready.sync_pages
    )
    if ready.scratch is not None:
        _remove_after_shutdown(app, ready.scratch)
    for line in ready.banner:
        typer.echo(line)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=int(ready.service.shutdown_timeout),
    )
    try:
        uvicorn.Server(config).run(sockets=[ready.sock])
    finally:
        if ready.on_stop is not None:
            ready.on_stop()
        if ready.scratch is not None:
            shutil.rmtree(ready.scratch, ignore_errors=True)


SCRATCH_PREFIX = "attio-bridge-sandbox-"
OWNER_FILE = "sandbox.pid"


def _sweep_scratch() -> None:
    """Remove the temporary folders of sandboxes that died without removing their own (killed
    with SIGKILL, or the machine stopped): those whose ``sandbox.pid`` names no live process.
    A folder without one, or of a live sandbox, is left alone."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*"):
        try:
            pid = int((folder / OWNER_FILE).read_text())
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, ValueError):  # no owner file, unreadable, or not ours to signal
            continue


def _own_command() -> str:
    """How a shell runs this installation's ``attio-bridge``: its name when the shell's ``PATH``
    finds this one, else the script beside the interpreter, in full. The shell's ``PATH`` is
    ``ATTIO_BRIDGE_SHELL_PATH`` when set: ``dev.py`` runs the sandbox with ``.venv/bin`` put
    first on the ``PATH`` it gives its children, not on the one of the shell it was run from."""
    script = Path(sys.executable).absolute().parent / "attio-bridge"
    found = shutil.which("attio-bridge", path=os.environ.get("ATTIO_BRIDGE_SHELL_PATH"))
    if not script.is_file() or (found is not None and os.path.samefile(found, script)):
        return "attio-bridge"
    return str(script)


def _remove_after_shutdown(app: Any, scratch: Path) -> None:
    """Remove ``scratch`` once the app's shutdown (the queue, the pages) is done: uvicorn then
    dies of the SIGTERM it caught, so code after ``run`` does not run."""
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        try:
            async with inner(app) as state:
                yield state
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    app.router.lifespan_context = lifespan


def _subscribe(emulator: Any, target: str) -> str:
    """A webhook in the emulator's workspace sending every event type to ``target``; its secret.

    One left by an earlier run for the same target (a kept ``--database``) is removed first:
    its secret is gone with that run, so its deliveries could only be refused."""
    from ..emulator.models.webhooks import EVENT_TYPES, create_webhook

    ws = emulator.state.workspace
    for webhook_id, hook in list(ws.webhooks.items()):
        if hook["target_url"] == target:
            del ws.webhooks[webhook_id]
    subscriptions = [{"event_type": kind, "filter": None} for kind in EVENT_TYPES]
    hook = create_webhook(ws, target, subscriptions)
    return str(hook["secret"])


def _pages(
    host: str, project: Path, *, sandbox: bool, connection: Any = None
) -> tuple[Pages, list[str]]:
    """The snapshot pages for ``project``: a login needed beyond loopback; their banner line."""
    from ..web.security import is_loopback
    from ..web.snapshots import Pages, PagesConfig

    require_login = not is_loopback(host)
    pages = Pages(
        PagesConfig(
            project_dir=project,
            require_login=require_login,
            connection=connection,
            sandbox=sandbox,
            create_project=sandbox,
        )
    )
    who = "users of `attio-bridge users add`, signed in" if require_login else "no login"
    return pages, [f"  they import into the project {project} ({who})"]


def _sandbox(
    host: str,
    port: int,
    database: Path | None,
    handlers: list[str],
    work: bool,
    template_dir: Path | None,
    log_format: str,
    log_level: str | None,
    project: Path | None = None,
) -> _Prepared:
    from ..emulator.app import create_app as emulator_app
    from ..emulator.state import EmulatorConfig
    from ..web.snapshots import Connection
    from ..web.wiring import build_service
    from ..webhooks import BraintreeKeys, Tenant, Tenants

    sock = listener(host, port)
    url = url_of(host, sock)
    key = "sandbox-" + secrets.token_hex(12)
    own_key = "sandbox-service-" + secrets.token_hex(12)  # the service's: its writes are ignored
    # The emulator posts to the service over loopback, whatever address the service listens on.
    loopback = "[::1]" if ":" in host else "127.0.0.1"
    inside = f"http://{loopback}:{sock.getsockname()[1]}"
    hubspot_token = "pat-sandbox-" + secrets.token_hex(12)
    hubspot_secret = secrets.token_hex(24)  # signs HubSpot's webhooks: in memory only
    zoho_token = "1000.sandbox" + secrets.token_hex(12)
    zoho_channel = secrets.token_hex(24)  # Zoho's notification channel token: in memory only
    # Braintree's stand-in signs its notifications with these; the private key in memory only.
    bt = BraintreeKeys(
        "sandbox", "sandbox", "sandbox-" + secrets.token_hex(8), secrets.token_hex(24)
    )
    config = EmulatorConfig(
        api_keys=[key, own_key],
        seed="sandbox",
        database=str(database) if database else None,
        webhook_retry_schedule=SANDBOX_RETRIES,
        hubspot_tokens=[hubspot_token],
        hubspot_client_secret=hubspot_secret,
        hubspot_webhook_url=f"{inside}/webhooks/hubspot",
        zoho_tokens=[zoho_token],
        zoho_notify_url=f"{inside}/webhooks/zoho",
        zoho_notify_token=zoho_channel,
        braintree_merchant_id=bt.merchant_id,
        braintree_public_key=bt.public_key,
        braintree_private_key=bt.private_key,
        braintree_webhook_url=f"{inside}/webhooks/braintree",
    )
    try:
        emulator = emulator_app(config)
    except ValueError as exc:
        sock.close()
        raise _usage(str(exc)) from None
    secret = _subscribe(emulator, f"{inside}/webhooks/attio")
    _logging(
        log_format,
        log_level,
        "warning",
        [
            key,
            own_key,
            secret,
            hubspot_token,
            hubspot_secret,
            zoho_token,
            zoho_channel,
            bt.private_key,
        ],
    )
    _braintree_start(emulator)
    # What GET /v2/self answers with the service's key (its client_id): the actor of its writes.
    # Asked of the emulator's own record, as the server does not answer before it starts.
    own_actor = emulator.state.workspace.tokens[own_key].token_id
    tenant = Tenant(
        api_key=own_key,
        base_url=url,
        attio_secrets=(secret,),
        hubspot_client_secret=hubspot_secret,
        braintree=bt,
        zoho_token=zoho_channel,
        ignore_actor_ids=(own_actor,),
    )
    _sweep_scratch()
    scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
    (scratch / OWNER_FILE).write_text(str(os.getpid()))
    jobs_url = f"sqlite:///{scratch / 'jobs.sqlite3'}"
    sync = _sandbox_sync(inside, own_key, (hubspot_token, zoho_token), scratch)
    service = build_service(
        Tenants([tenant]),
        work=work,
        handlers=handlers,
        template_dir=template_dir,
        jobs_url=jobs_url,
        sync=sync,
    )
    sync_pages = _sandbox_sync_start(service, sync)
    try_line = (
        f"ATTIO_BASE_URL={url} ATTIO_API_KEY={key} {_own_command()} people create "
        "newcomer@example.com --first-name New --last-name Comer"
    )
    sandbox_key = Connection(key, inside)
    pages, pages_line = _pages(
        host, project or scratch / "project", sandbox=True, connection=sandbox_key
    )
    if project is None:  # the emulator's ids change each run: imports of this run only
        pages_line.append("  (a new project each run, removed when the sandbox stops)")
    banner = [
        f"attio-bridge sandbox: the events page is at {url}/",
        f"Browse the sandbox and import records as JSON files in git: {url}/snapshots/",
        *pages_line,
        *emulator_banner(url, emulator.state.workspace.name, key),
        "A webhook of the emulator sends every event to this service's /webhooks/attio.",
        "Change a record and watch its event arrive on the page:",
        f"  {try_line}",
        "See its jobs (a file of this run only, removed when it stops):",
        f"  {_own_command()} jobs list --database {jobs_url}",
        "A sync keeps HubSpot's stand-in (contacts, companies) and Attio in step"
        f" (conflicts: {url}/sync/conflicts). Change a HubSpot contact and see it reach Attio:",
        f"  {_hubspot_line(url, hubspot_token, _ada(emulator))}",
        f"  ATTIO_BASE_URL={url} ATTIO_API_KEY={key} {_own_command()} people get ada@acme.example",
        "The sync's links, last pull and open conflicts (its state is this run's too):",
        f"  ATTIO_BRIDGE_DATABASE_URL=sqlite:///{scratch / 'sync.sqlite3'} {_own_command()}"
        f" sync status {_sandbox_mapping_file()}",
        "Braintree's stand-in bills Juniper Pay (juniperpay.finance) through /webhooks/braintree."
        " Fail a payment and see its company get a note and a task:",
        f"  {_braintree_line(url)}",
        *_zoho_lines(url, key, zoho_token, _onboarding(emulator)),
        "Press Ctrl-C to stop.",
    ]
    return _Prepared(
        service, sock, emulator, banner, pages, scratch, sync_pages, on_stop=sync.close
    )


def _ada(emulator: Any) -> str:
    """The id of the seeded HubSpot contact ada@acme.example in the stand-in."""
    from ..emulator.standins.hubspot.model import HubSpotModel

    model = emulator.state.standins.model("hubspot", HubSpotModel)
    for record in model.records["contacts"].values():
        if record.properties.get("email") == "ada@acme.example":
            return str(record.id)
    return "1003"


def _onboarding(emulator: Any) -> str:
    """The id of the seeded Zoho service "Onboarding" in the stand-in."""
    from ..emulator.standins.zoho import MODULE, ZohoModel

    model = emulator.state.standins.model("zoho", ZohoModel)
    found = [r.id for r in model.live(MODULE) if r.properties.get("Service_Name") == "Onboarding"]
    return str(found[0]) if found else "5725767000000000001"


def _zoho_lines(url: str, key: str, token: str, service_id: str) -> list[str]:
    """The banner's lines: Zoho's services into Attio, a curl repricing one at the stand-in,
    and the command showing them in Attio."""
    body = '{"data":[{"Price":1750}]}'
    return [
        "Zoho's services sync one way into Attio's custom object services. Reprice one:",
        f"  curl -s -X PUT {url}/crm/v7/Services/{service_id}"
        f" -H 'Authorization: Zoho-oauthtoken {token}' -H 'Content-Type: application/json'"
        f" -d '{body}'",
        f"  ATTIO_BASE_URL={url} ATTIO_API_KEY={key} {_own_command()} records query services",
    ]


def _sandbox_mapping_file() -> str:
    """The sandbox's HubSpot mapping file, where the package keeps it."""
    from ..sync.sandbox import MAPPING_FILE

    return str(Path(__file__).resolve().parents[1] / "sync" / MAPPING_FILE)


def _braintree_start(emulator: Any) -> None:
    """Notify the seeded subscription's charge once at start: its company in Attio starts with
    its subscription status, plan and revenue (``sync.handlers``)."""
    from ..emulator.standins.braintree import Change, notify

    notify(emulator.state, Change("subscription_charged_successfully", "juniper-growth"))


def _braintree_line(url: str) -> str:
    """A curl making the Braintree stand-in notify a failed charge of the seeded subscription."""
    body = '{"kind":"subscription_charged_unsuccessfully","subscription_id":"juniper-growth"}'
    return (
        f"curl -s -X POST {url}/_emulator/braintree/notifications"
        f" -H 'Content-Type: application/json' -d '{body}'"
    )


def _hubspot_line(url: str, token: str, contact_id: str) -> str:
    """A curl that updates a seeded contact through HubSpot's API shape at the stand-in."""
    body = '{"properties":{"jobtitle":"Countess of Computing"}}'
    return (
        f"curl -s -X PATCH {url}/crm/v3/objects/contacts/{contact_id}"
        f" -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' -d '{body}'"
    )


def _sandbox_sync(inside: str, own_key: str, tokens: tuple[str, str], scratch: Path) -> Any:
    """The sandbox's sync (``sync.sandbox``) on a state store in ``scratch``, writing to Attio
    with the service's key (its writes do not echo back), reading the stand-ins with
    ``tokens`` (HubSpot's, Zoho's)."""
    from ..sync.sandbox import SandboxSync

    hubspot_token, zoho_token = tokens
    return SandboxSync(
        attio_key=own_key,
        attio_url=inside,
        hubspot_token=hubspot_token,
        hubspot_url=inside,
        zoho_token=zoho_token,
        zoho_url=inside,
        state_url=f"sqlite:///{scratch / 'sync.sqlite3'}",
    )


def _sandbox_sync_start(service: Service, sync: Any) -> ConflictPages:
    """The first full sync of the sandbox's mappings submitted once the queue started (the
    sync's jobs, pulls and event handler are the service's, from ``build_service``); the
    conflicts page over it."""
    from ..jobs import JobQueue
    from ..web.service import Periodic
    from ..web.sync_pages import ConflictPages

    queue = service.jobs
    assert isinstance(queue, JobQueue)
    service.periodic = (
        *service.periodic,
        Periodic("sandbox sync start", 0.2, lambda: sync.start(queue)),
    )
    return ConflictPages(sync.state, sync.resolve)


def _production(
    host: str,
    port: int,
    handlers: list[str],
    work: bool,
    template_dir: Path | None,
    log_format: str,
    log_level: str | None,
    project: Path | None = None,
    sync_file: Path | None = None,
    sync_period: float = DEFAULT_SYNC_PERIOD,
    reconcile_period: float = DEFAULT_RECONCILE_PERIOD,
) -> _Prepared:
    from ..web.service import tenant_secrets
    from ..web.sync_pages import ConflictPages
    from ..web.wiring import build_service, service_tenants

    tenants = service_tenants(os.environ)
    _logging(log_format, log_level, "info", tenant_secrets(tenants))
    redis_url = os.environ.get("REDIS_URL") or None
    sync = _sync(sync_file, (sync_period, reconcile_period), tenants, redis_url)
    try:
        sock = listener(host, port)
        url = url_of(host, sock)
        service = build_service(
            tenants,
            work=work,
            handlers=handlers,
            redis_url=redis_url,
            template_dir=template_dir,
            sync=sync,
        )
    except BaseException:
        if sync is not None:
            sync.close()
        raise
    pages, pages_line = _pages(host, project or Path.cwd(), sandbox=False)
    banner = [
        f"attio-bridge serving at {url}/ (webhooks at {url}/webhooks/attio)",
        f"The snapshot pages: {url}/snapshots/",
        *pages_line,
    ]
    sync_pages = None
    if sync is not None:
        sync_pages = ConflictPages(sync.state, sync.resolve)
        banner.append(_sync_line(sync, sync_file, f"{url}/sync/conflicts"))
    if not any(tenant.attio_secrets for tenant in tenants):
        banner.append(
            "warning: ATTIO_WEBHOOK_SECRET is not set, so every Attio delivery is refused (401): "
            "set it to the secret Attio returned when the webhook was created"
        )
    banner.append("Press Ctrl-C to stop.")
    return _Prepared(service, sock, None, banner, pages, sync_pages=sync_pages)


def _sync(
    sync_file: Path | None, periods: tuple[float, float], tenants: Any, redis_url: str | None
) -> Any:  # SyncService | None, imported only when a sync is configured
    """The sync of ``--sync FILE`` (None without one) with its ``(pull, reconcile)`` periods;
    a bad period is a usage error."""
    if sync_file is None:
        return None
    for option, seconds in zip(("--sync-period", "--reconcile-period"), periods, strict=True):
        if not seconds > 0:
            raise _usage(f"{option} {seconds:g} is not a number of seconds above 0: give one")
    from ..web.wiring import build_sync

    period, reconcile = periods
    return build_sync(
        sync_file,
        tenants,
        period=period,
        reconcile_period=reconcile,
        redis_url=redis_url,
        environ=os.environ,
    )


def _sync_line(sync: Any, sync_file: Path | None, conflicts: str | None) -> str:
    where = f" (conflicts: {conflicts})" if conflicts else ""
    return (
        f"The sync of {sync_file}: {', '.join(sync.engines)}, pulled every {sync.period:g} s"
        f" and on webhooks, reconciled every {sync.reconcile_period:g} s{where}"
    )


def serve_command(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8790,
    handlers: HandlersOpt = None,
    no_worker: NoWorkerOpt = False,
    template_dir: TemplatesOpt = None,
    log_format: LogFormatOpt = "",
    log_level: LogLevelOpt = None,
    database: DbOpt = None,
    project: ProjectOpt = None,
    sync: SyncOpt = None,
    sync_period: SyncPeriodOpt = DEFAULT_SYNC_PERIOD,
    reconcile_period: ReconcilePeriodOpt = DEFAULT_RECONCILE_PERIOD,
) -> None:
    """Serve webhooks, the events page, the snapshot pages, /healthz, /readyz and /metrics
    (and with --sync, a sync and its conflicts page); without ATTIO_API_KEY, the sandbox."""
    modules, work = handlers or [], not no_worker
    if os.environ.get("ATTIO_API_KEY") or os.environ.get("ATTIO_BRIDGE_WORKSPACES"):
        _serve(
            lambda: _production(
                host,
                port,
                modules,
                work,
                template_dir,
                log_format,
                log_level,
                project,
                sync,
                sync_period,
                reconcile_period,
            )
        )
    else:
        if sync is not None:
            raise _usage(
                "--sync needs a real workspace: set ATTIO_API_KEY (or ATTIO_BRIDGE_WORKSPACES); "
                "without one, serve runs the sandbox, which syncs HubSpot's stand-in by itself"
            )
        _serve(
            lambda: _sandbox(
                host, port, database, modules, work, template_dir, log_format, log_level, project
            )
        )


def sandbox_command(
    port: PortOpt = 8790,
    host: HostOpt = "127.0.0.1",
    database: DbOpt = None,
    handlers: HandlersOpt = None,
    template_dir: TemplatesOpt = None,
    log_format: LogFormatOpt = "",
    log_level: LogLevelOpt = None,
    project: ProjectOpt = None,
) -> None:
    """Serve a seeded sandbox: the emulator, a webhook to this service, the events page and
    the snapshot pages."""
    modules = handlers or []
    _serve(
        lambda: _sandbox(
            host, port, database, modules, True, template_dir, log_format, log_level, project
        )
    )


def worker_command(
    handlers: HandlersOpt = None,
    log_format: LogFormatOpt = "",
    log_level: LogLevelOpt = None,
    sync: SyncOpt = None,
    sync_period: SyncPeriodOpt = DEFAULT_SYNC_PERIOD,
    reconcile_period: ReconcilePeriodOpt = DEFAULT_RECONCILE_PERIOD,
) -> None:
    """Run queued jobs (no HTTP) until SIGTERM or Ctrl-C; the queue is shared through
    ATTIO_BRIDGE_DATABASE_URL. With --sync, run the sync's jobs and submit its pulls too."""
    import asyncio

    from ..web.service import tenant_secrets
    from ..web.wiring import build_service, service_tenants

    with reporting(ConnectionOptions()):
        tenants = service_tenants(os.environ)
        _logging(log_format, log_level, "info", tenant_secrets(tenants))
        redis_url = os.environ.get("REDIS_URL") or None
        found = _sync(sync, (sync_period, reconcile_period), tenants, redis_url)
        try:
            service = build_service(
                tenants, work=True, handlers=handlers or [], redis_url=redis_url, sync=found
            )
        except BaseException:
            if found is not None:
                found.close()
            raise
    if found is not None:
        typer.echo(_sync_line(found, sync, None), err=True)
    typer.echo("attio-bridge worker running. Press Ctrl-C to stop.", err=True)
    asyncio.run(_work(service))


async def _work(service: Service) -> None:
    import asyncio
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await asyncio.to_thread(service.start)  # opens the jobs database: off the loop
    try:
        await stop.wait()
    finally:
        await service.stop()
