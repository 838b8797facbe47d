"""The snapshot pages, under ``/snapshots``: Connect, Browse, Import selected, Imports.

``Pages(config)`` holds what they share (template environments per language, the running
imports, one client per connection) and ``Pages.mount()`` is their ``Mount``, added to the
service's app by ``create_app(service, pages=...)``:

- ``/snapshots/connect``: the API key (a password field), "Test connection" (``GET /v2/self``
  through the client; the key is never echoed back) and "Save", which writes it to the
  project's ``.attio-bridge/settings.toml`` (0600, in a folder git ignores by its own
  ``.gitignore``). In the sandbox the sandbox's key is connected from the start.
- ``/snapshots/browse/{companies|people|list-entries}``: a table per kind (``browse.py``) with
  a checkbox per row, select all, search, pages of 25 to 500, a link to the record in Attio and
  an "already imported" badge; "Import selected (N)" posts the ids, the import runs as a
  background task (``imports.ImportJobs``) whose progress the page polls (htmx).
- ``/snapshots/imports``: the project's imported records, their status and each one's history
  from git.

Every page speaks English, French or Arabic (``i18n.py``; ``/snapshots/lang/{code}`` sets the
``lang`` cookie). Every POST needs the session's CSRF token; every response carries the security
headers (``security.py``). Served on loopback, the user is ``local`` and the project is
``project_dir``; served on any other address, a login is required (``Users``: ``attio-bridge
users add``) and each user has their own projects under ``projects_root/<user>/``, which nobody
else can see.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import tomllib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import jinja2
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from ..client import APIConnectionError, AsyncAttioClient, AttioAPIError
from ..errors import AttioError, InvalidInputError
from ..services import AsyncServices
from ..state import StateStore, open_store, state_home
from .browse import KINDS, PAGE_SIZES, Kind, browse_page
from .i18n import LOCALES, Languages, negotiate
from .imports import ImportJobs, SnapshotsBackend, SnapshotsPort, default_backend
from .security import (
    Users,
    csrf_ok,
    csrf_token,
    secured_mount,
)

__all__ = ["Connection", "Pages", "PagesConfig", "load_settings", "save_settings"]

PREFIX = "/snapshots"
LOGIN_URL = f"{PREFIX}/login"
"""Where a visitor with no signed-in session goes, from these pages and the others."""
LOCAL_USER = "local"
SETTINGS_DIR = ".attio-bridge"
SETTINGS_FILE = "settings.toml"
PROJECTS_NAMESPACE = "web-projects"
_HERE = Path(__file__).parent
_PROJECT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Connection:
    """An Attio API key and the API's address (None: Attio's own)."""

    api_key: str = field(repr=False)
    base_url: str | None = None


@dataclass
class PagesConfig:
    """How the pages are served; see the module docstring."""

    project_dir: Path
    require_login: bool = False
    projects_root: Path | None = None
    connection: Connection | None = None
    store: StateStore | None = None
    backend: SnapshotsBackend | None = None
    transport: Any = None
    session_key: bytes | None = None
    template_dir: Path | None = None
    sandbox: bool = False
    create_project: bool = False
    """Make ``project_dir`` a project (a git repository) on first use when it is not one."""


def load_settings(project_dir: Path) -> Connection | None:
    """The connection saved in ``project_dir``'s settings file, if any."""
    path = project_dir / SETTINGS_DIR / SETTINGS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(
            f"cannot read {path} ({type(exc).__name__}): fix it, or delete it and connect again"
        ) from None
    key = data.get("api_key")
    if not isinstance(key, str) or not key:
        return None
    base = data.get("base_url")
    return Connection(key, base if isinstance(base, str) and base else None)


def save_settings(project_dir: Path, connection: Connection) -> Path:
    """Write ``connection`` to ``project_dir/.attio-bridge/settings.toml``, readable by this
    user only (0600, folder 0700), in a folder git ignores (its own ``.gitignore``); the path."""
    folder = project_dir / SETTINGS_DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# attio-bridge's local settings hold an API key: never commit them\n*\n")
    lines = [f"api_key = {json.dumps(connection.api_key)}"]
    if connection.base_url:
        lines.append(f"base_url = {json.dumps(connection.base_url)}")
    path = folder / SETTINGS_FILE
    temp = folder / f".{SETTINGS_FILE}.{secrets.token_hex(4)}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    os.replace(temp, path)
    return path


def _safe_url(url: str) -> str:
    """``url`` when it is http(s), else nothing: a link never runs script."""
    return url if urlsplit(url).scheme in ("http", "https") else ""


@dataclass
class _Who:
    """Whom a request is for: the user, their project and its folder."""

    user: str
    project: str
    project_dir: Path
    projects: list[str]


class _NotAProject(Exception):
    """The project folder cannot be opened (not a git repository)."""


class _Redirect(Exception):
    def __init__(self, to: str) -> None:
        self.to = to


class Pages:
    """The snapshot pages of one app; see the module docstring."""

    def __init__(self, config: PagesConfig) -> None:
        self.config = config
        self._backend = config.backend
        loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(_HERE / "templates")]
        if config.template_dir is not None:
            loaders.insert(0, jinja2.FileSystemLoader(config.template_dir))
        self.languages = Languages(jinja2.ChoiceLoader(loaders), filters={"safe_url": _safe_url})
        self.jobs = ImportJobs()
        self._store = config.store
        self._own_store = config.store is None
        self._clients: dict[tuple[str, str | None], tuple[AsyncAttioClient, AsyncServices]] = {}
        self.projects_root = config.projects_root or state_home() / "projects"

    # -- shared parts -------------------------------------------------------------------------

    @property
    def backend(self) -> SnapshotsBackend:
        """The snapshot library (``imports.default_backend`` unless one was given)."""
        if self._backend is None:
            self._backend = default_backend()
        return self._backend

    @property
    def store(self) -> StateStore:
        """The state store (opened on first use when none was given)."""
        if self._store is None:
            self._store = open_store()
        return self._store

    def services(self, connection: Connection) -> tuple[AsyncAttioClient, AsyncServices]:
        """The client and services for ``connection``, made once."""
        key = (connection.api_key, connection.base_url)
        found = self._clients.get(key)
        if found is None:
            client = AsyncAttioClient(
                api_key=connection.api_key,
                base_url=connection.base_url,
                transport=self.config.transport,
            )
            found = (client, AsyncServices(client))
            self._clients[key] = found
        return found

    def connection(self, who: _Who) -> Connection | None:
        """The project's saved connection, else the one the pages were started with."""
        return load_settings(who.project_dir) or self.config.connection

    def snapshots(self, who: _Who, connection: Connection) -> SnapshotsPort:
        """The project's snapshots (close them after use); ``_NotAProject`` when the folder is
        not a git repository (the library's message says so)."""
        _, services = self.services(connection)
        try:
            return self.backend.open(
                who.project_dir,
                services=services,
                store=self.store,
                user=who.user,
                project=who.project,
            )
        except AttioError as exc:
            raise _NotAProject(str(exc)) from exc

    @contextlib.contextmanager
    def opened(self, who: _Who, connection: Connection) -> Iterator[SnapshotsPort]:
        """The project's snapshots for a ``with`` block."""
        snapshots = self.snapshots(who, connection)
        try:
            yield snapshots
        finally:
            snapshots.close()

    async def aclose(self) -> None:
        """Stop running imports, close clients and the store the pages opened."""
        await self.jobs.aclose()
        clients, self._clients = list(self._clients.values()), {}
        for client, _ in clients:
            await client.aclose()
        if self._own_store and self._store is not None:
            self._store.close()
            self._store = None

    # -- users and projects --------------------------------------------------------------------

    def _user_projects(self, user: str) -> list[str]:
        found = self.store.get(PROJECTS_NAMESPACE, user)
        names = found.get("projects") if found else None
        if not isinstance(names, list) or not names:
            names = ["default"]
            self._create_project(user, "default")
        return [str(n) for n in names]

    def _create_project(self, user: str, name: str) -> None:
        folder = self.projects_root / user / name
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / ".git").exists():
            self.backend.init_project(folder)
        found = self.store.get(PROJECTS_NAMESPACE, user) or {}
        names = [n for n in found.get("projects", []) if n != name]
        self.store.put(PROJECTS_NAMESPACE, user, {"projects": [*names, name]})

    def who(self, request: Request) -> _Who:
        """The user and project of ``request`` (``_Redirect`` to the login page if needed)."""
        if not self.config.require_login:
            folder = self.config.project_dir
            if self.config.create_project and not (folder / ".git").exists():
                folder.mkdir(parents=True, exist_ok=True)
                self.backend.init_project(folder)
            return _Who(LOCAL_USER, folder.resolve().name, folder, [folder.resolve().name])
        user = request.session.get("user")
        if not isinstance(user, str):
            raise _Redirect(LOGIN_URL)
        projects = self._user_projects(user)
        chosen = request.session.get("project")
        project = chosen if chosen in projects else projects[0]
        return _Who(user, project, self.projects_root / user / project, projects)

    # -- rendering -----------------------------------------------------------------------------

    def lang(self, request: Request) -> str:
        """The request's language."""
        return negotiate(request.cookies.get("lang"), request.headers.get("accept-language"))

    def render(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        """Template ``template`` in the request's language."""
        lang = self.lang(request)
        context.setdefault("who", None)
        html = self.languages.template(lang, template).render(
            request=request,
            base=request.scope.get("root_path", "").removesuffix(PREFIX) + PREFIX,
            static=request.scope.get("root_path", "").removesuffix(PREFIX) + "/static",
            csrf=csrf_token(request.session),
            require_login=self.config.require_login,
            sandbox=self.config.sandbox,
            here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            **context,
        )
        return HTMLResponse(html, status)

    def _t(self, request: Request, message: str) -> str:
        """``message`` in the request's language (for text made outside a template)."""
        return self.languages.translations[self.lang(request)].gettext(message)

    # -- routes --------------------------------------------------------------------------------

    def mount(self) -> Mount:
        """The pages as one ``Mount`` at ``/snapshots``, with their session and headers."""
        page = self._page
        routes: list[BaseRoute] = [
            Route("/", page(self.home), methods=["GET"]),
            Route("/connect", page(self.connect_page), methods=["GET"]),
            Route("/connect", page(self.connect_post, form=True), methods=["POST"]),
            Route("/browse/{kind}", page(self.browse), methods=["GET"]),
            Route("/import", page(self.start_import, form=True), methods=["POST"]),
            Route("/jobs/{job_id}", page(self.job), methods=["GET"]),
            Route("/imports", page(self.imports), methods=["GET"]),
            Route("/imports/{record_id}/history", page(self.history), methods=["GET"]),
            Route("/projects", page(self.add_project, form=True), methods=["POST"]),
            Route("/init", page(self.init_project, form=True), methods=["POST"]),
            Route("/projects/select", page(self.select_project, form=True), methods=["POST"]),
            Route("/lang/{code}", self.set_lang, methods=["GET"]),
            Route("/login", self.login_page, methods=["GET"]),
            Route("/login", self.login_post, methods=["POST"]),
            Route("/logout", self.logout, methods=["POST"]),
        ]
        return secured_mount(PREFIX, routes, self.config.session_key)

    def _page(
        self,
        handler: Callable[..., Awaitable[Response]],
        *,
        form: bool = False,
    ) -> Callable[[Request], Awaitable[Response]]:
        """A route: the user and project resolved, the CSRF token checked on a form post."""

        async def endpoint(request: Request) -> Response:
            try:
                who = self.who(request)
            except _Redirect as redirect:
                if request.headers.get("hx-request"):
                    return Response(status_code=401, headers={"HX-Redirect": redirect.to})
                return RedirectResponse(redirect.to, 303)
            try:
                if not form:
                    return await handler(request, who)
                data = await read_form(request)
                if not csrf_ok(request, data):
                    return self._forbidden(request)
                return await handler(request, who, data)
            except _NotAProject as problem:
                return self.render(
                    request,
                    "pages/not_a_project.html",
                    409,
                    who=who,
                    message=str(problem),
                    can_init=not self.config.require_login,
                )

        return endpoint

    def _forbidden(self, request: Request) -> Response:
        return self.render(
            request,
            "pages/error.html",
            403,
            message=self._t(
                request,
                "This form has expired or came from another site. Reload the page and try again.",
            ),
        )

    async def home(self, request: Request, who: _Who) -> Response:
        target = "browse/companies" if self.connection(who) else "connect"
        return RedirectResponse(f"{PREFIX}/{target}", 303)

    async def connect_page(self, request: Request, who: _Who) -> Response:
        connection = self.connection(who)
        return self.render(
            request,
            "pages/connect.html",
            who=who,
            connected=connection is not None,
            base_url=(connection.base_url if connection else None) or "",
            settings_path=who.project_dir / SETTINGS_DIR / SETTINGS_FILE,
            result=None,
        )

    async def connect_post(self, request: Request, who: _Who, form: FormData) -> Response:
        given = str(form.get("api_key") or "").strip()
        base_url = str(form.get("base_url") or "").strip() or None
        current = self.connection(who)
        if not given and current is None:
            result = {"ok": False, "message": self._t(request, "Enter an API key first.")}
        else:
            connection = Connection(given, base_url) if given else current
            assert connection is not None
            result = await self._test(request, connection)
            if result["ok"] and form.get("action") == "save":
                save_settings(who.project_dir, connection)
                result["saved"] = True
        return self.render(
            request,
            "pages/connect.html",
            who=who,
            connected=self.connection(who) is not None,
            base_url=base_url or "",
            settings_path=who.project_dir / SETTINGS_DIR / SETTINGS_FILE,
            result=result,
        )

    async def _test(self, request: Request, connection: Connection) -> dict[str, Any]:
        client = AsyncAttioClient(
            api_key=connection.api_key,
            base_url=connection.base_url,
            transport=self.config.transport,
            max_retries=0,
        )
        try:
            found = await client.identify()
        except AttioAPIError as exc:
            status = exc.status_code
            if status in (401, 403):
                message = self._t(
                    request,
                    "Attio refused this API key. Check that it was copied whole and has not been "
                    "revoked.",
                )
            else:
                message = self._t(request, "Attio answered with an error:") + f" {status}"
            return {"ok": False, "message": message}
        except APIConnectionError:
            return {
                "ok": False,
                "message": self._t(
                    request, "Cannot reach the Attio API. Check the address and your network."
                ),
            }
        except AttioError as exc:
            text = str(exc).replace(connection.api_key, "****")
            return {"ok": False, "message": text}
        finally:
            await client.aclose()
        return {"ok": True, "workspace": found.workspace_name or found.workspace_id or ""}

    def _need_connection(self, who: _Who) -> Connection:
        connection = self.connection(who)
        if connection is None:
            raise _Redirect(f"{PREFIX}/connect")
        return connection

    async def browse(self, request: Request, who: _Who) -> Response:
        kind = request.path_params["kind"]
        if kind not in KINDS:
            return self.render(request, "pages/error.html", 404, who=who, message=kind)
        try:
            connection = self._need_connection(who)
        except _Redirect as redirect:
            return RedirectResponse(redirect.to, 303)
        client, _ = self.services(connection)
        query = request.query_params.get("q", "")[:200]
        limit = _int(request.query_params.get("limit"), 50)
        limit = limit if limit in PAGE_SIZES else 50
        offset = max(0, _int(request.query_params.get("offset"), 0))
        list_slug = request.query_params.get("list") or None
        lists: list[Any] = []
        error = ""
        page = None
        try:
            if kind == "list-entries":
                lists = await client.lists.list()
                if list_slug is None and lists:
                    list_slug = lists[0].api_slug
            if kind != "list-entries" or list_slug:
                page = await browse_page(
                    client,
                    _kind(kind),
                    query=query,
                    list_slug=list_slug,
                    offset=offset,
                    limit=limit,
                )
        except AttioError as exc:
            error = str(exc).replace(connection.api_key, "****")
        with self.opened(who, connection) as snapshots:
            imported = snapshots.imported_ids()

        def link(**changes: Any) -> str:
            params = {"q": query, "limit": limit, "offset": offset, "list": list_slug or ""}
            params.update(changes)
            kept = {k: v for k, v in params.items() if v not in ("", None, 0) or k == "offset"}
            if not kept.get("offset"):
                kept.pop("offset", None)
            return f"{PREFIX}/browse/{kind}?{urlencode(kept)}"

        return self.render(
            request,
            "pages/browse.html",
            who=who,
            kind=kind,
            page=page,
            lists=lists,
            list_slug=list_slug,
            query=query,
            limit=limit,
            sizes=PAGE_SIZES,
            imported=imported,
            error=error,
            link=link,
        )

    async def start_import(self, request: Request, who: _Who, form: FormData) -> Response:
        kind = str(form.get("kind") or "")
        ids = [str(i) for i in form.getlist("id") if str(i)]
        if kind not in KINDS or not ids:
            message = self._t(request, "Select at least one record to import.")
            return self.render(request, "pages/_notice.html", 400, message=message)
        try:
            connection = self._need_connection(who)
        except _Redirect as redirect:
            return RedirectResponse(redirect.to, 303)
        snapshots = self.snapshots(who, connection)
        list_slug = str(form.get("list") or "") or None
        key = connection.api_key
        job = self.jobs.start(
            snapshots,
            user=who.user,
            project=who.project,
            kind=_kind(kind),
            ids=ids,
            list_slug=list_slug if kind == "list-entries" else None,
            scrub=lambda text: text.replace(key, "****"),
        )
        if request.headers.get("hx-request"):
            return self.render(request, "pages/_job.html", 202, job=job)
        return RedirectResponse(f"{PREFIX}/jobs/{job.id}", 303)

    async def job(self, request: Request, who: _Who) -> Response:
        job = self.jobs.get(request.path_params["job_id"], who.user)
        if job is None:
            return self.render(request, "pages/error.html", 404, who=who, message="")
        name = "pages/_job.html" if request.headers.get("hx-request") else "pages/job.html"
        return self.render(request, name, who=who, job=job)

    async def imports(self, request: Request, who: _Who) -> Response:
        try:
            connection = self._need_connection(who)
        except _Redirect as redirect:
            return RedirectResponse(redirect.to, 303)
        with self.opened(who, connection) as snapshots:
            rows = sorted(snapshots.list(), key=lambda s: (s.object_type, s.name.casefold()))
        return self.render(request, "pages/imports.html", who=who, rows=rows)

    async def history(self, request: Request, who: _Who) -> Response:
        try:
            connection = self._need_connection(who)
        except _Redirect as redirect:
            return RedirectResponse(redirect.to, 303)
        record_id = request.path_params["record_id"]
        with self.opened(who, connection) as snapshots:
            known = {s.record_id: s for s in snapshots.list()}
            if record_id not in known:
                return self.render(request, "pages/error.html", 404, who=who, message="")
            commits = snapshots.history(record_id)
        name = "pages/_history.html" if request.headers.get("hx-request") else "pages/history.html"
        return self.render(request, name, who=who, snapshot=known[record_id], commits=commits)

    async def init_project(self, request: Request, who: _Who, form: FormData) -> Response:
        """Make the local project folder a git repository (``git init``), as asked."""
        if self.config.require_login:  # users' projects are repositories from the start
            return self.render(request, "pages/error.html", 404, who=who, message="")
        self.backend.init_project(who.project_dir)
        return RedirectResponse(f"{PREFIX}/browse/companies", 303)

    async def add_project(self, request: Request, who: _Who, form: FormData) -> Response:
        name = str(form.get("name") or "").strip().lower()
        if not self.config.require_login or not _PROJECT_NAME.match(name):
            message = self._t(request, "A project name is lowercase letters, digits, '-' or '_'.")
            return self.render(request, "pages/error.html", 400, who=who, message=message)
        self._create_project(who.user, name)
        request.session["project"] = name
        return RedirectResponse(f"{PREFIX}/imports", 303)

    async def select_project(self, request: Request, who: _Who, form: FormData) -> Response:
        name = str(form.get("project") or "")
        if name not in who.projects:
            return self.render(request, "pages/error.html", 404, who=who, message="")
        request.session["project"] = name
        return RedirectResponse(f"{PREFIX}/imports", 303)

    async def set_lang(self, request: Request) -> Response:
        code = request.path_params["code"]
        back = request.query_params.get("next", "")
        # Only a path of these pages: never a redirect to another site.
        if not back.startswith(PREFIX + "/") or back.startswith("//"):
            back = f"{PREFIX}/"
        response = RedirectResponse(back, 303)
        if code in LOCALES:
            response.set_cookie(
                "lang", code, max_age=365 * 24 * 3600, samesite="lax", httponly=True
            )
        return response

    async def login_page(self, request: Request) -> Response:
        return self.render(request, "pages/login.html", failed=False)

    async def login_post(self, request: Request) -> Response:
        form = await read_form(request)
        if not csrf_ok(request, form):
            return self._forbidden(request)
        name = str(form.get("user") or "").strip()
        password = str(form.get("password") or "")
        if not Users(self.store).verify(name, password):
            return self.render(request, "pages/login.html", 401, failed=True, name=name)
        request.session.clear()
        request.session["user"] = name
        csrf_token(request.session)  # a fresh token with the fresh session
        return RedirectResponse(f"{PREFIX}/", 303)

    async def logout(self, request: Request) -> Response:
        form = await read_form(request)
        if not csrf_ok(request, form):
            return self._forbidden(request)
        request.session.clear()
        return RedirectResponse(f"{PREFIX}/login", 303)


MAX_FORM = 1_000_000
"""The largest form body read (bytes); the pages' forms are a few kilobytes."""


async def read_form(request: Request) -> FormData:
    """A url-encoded form (what the pages' forms and htmx send); anything else is empty.

    Parsed here rather than by Starlette, whose parser needs python-multipart, a dependency
    for file uploads these pages never take."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return FormData()
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            return FormData()
    fields: list[tuple[str, str | UploadFile]] = list(
        parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    )
    return FormData(fields)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or "")
    except ValueError:
        return default


def _kind(text: str) -> Kind:
    for kind in KINDS:
        if kind == text:
            return kind
    raise InvalidInputError(f"{text!r} is not a kind: give one of {', '.join(KINDS)}")


def history_link(record_id: str) -> str:
    """Where a record's history is."""
    return f"{PREFIX}/imports/{quote(record_id, safe='')}/history"
