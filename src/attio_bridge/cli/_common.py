"""Plumbing shared by the commands: connection settings, the client, errors and exit codes.

A command that talks to Attio is ``@connected``: it takes one ``options: ConnectionOptions``,
and its command line the six options ``--api-key``, ``--base-url``, ``--config``,
``--max-retries``, ``--timeout`` and ``--debug`` (``replace_parameter`` does this for other
groups of options).

Settings are taken from, in this order (the first that gives one wins; an API key without the
whitespace around it, and refused at once with inner whitespace, naming where it came from):

1. options: ``--api-key``, ``--base-url``, ``--max-retries``, ``--timeout``;
2. the environment: ``ATTIO_API_KEY``, ``ATTIO_BASE_URL``;
3. a TOML config file: ``--config PATH``, else ``$XDG_CONFIG_HOME/attio-bridge/config.toml``
   (``~/.config/attio-bridge/config.toml``), which may be absent::

       api_key = "..."
       base_url = "https://api.attio.com"
       max_retries = 2
       timeout = 10

4. else the library's defaults, but for the timeout: ``DEFAULT_TIMEOUT`` seconds for each answer
   (the library waits a minute), so a server that takes connections and never answers is given
   up on in about twice that (a request that timed out is tried once more), not minutes.

Every client a command makes comes from the ``CliEnvironment`` of the run, which
``ConnectionOptions`` and ``Settings`` carry: the context object given to the app
(``main(argv, env)``, ``app(obj=CliEnvironment(...))``, ``CliRunner().invoke(app, args,
obj=...)``), else the default one, which makes the library's clients. It is the seam tests
use to run the commands against an in-process emulator, as httpie's ``Environment`` is
httpie's.

Errors are one line, ``error: ...``, on stderr (a traceback only with ``--debug``), and the API
key is never printed. A command asked for JSON (``--json``) prints its error as JSON on that
line, ``{"error": {"type": "auth", "message": "...", "exit_code": 3}}``, ``type`` being the
status's name below in lower case, so a script reads both outcomes the same way. Exit codes
by error class (``ExitStatus``, as httpie's), all in one table
(``error_classes``):

    0    OK
    1    ERROR        anything else: Attio failed (5xx), Slack or Drive failed, a file could
                      not be written, a bug (``internal error: ...; please report it``)
    2    USAGE        bad options or configuration: no API key, an unreadable config file
    3    AUTH         authentication failed (401) or permission denied (403)
    4    NOT_FOUND    an object, list, record or attribute does not exist (404, MissingError)
    5    VALIDATION   Attio refused the values (400, 409), they failed validation, or the input
                      cannot be used as given (InvalidInputError)
    6    RATE_LIMIT   over Attio's rate limit after the retries (429)
    7    CONNECTION   no answer from Attio: connection refused, dropped or timed out; or the
                      rate-limit backend (``ATTIO_RATE_LIMIT_BACKEND``, Redis) cannot be reached
    130  INTERRUPTED  Ctrl-C
    141  BROKEN_PIPE  the reader of stdout went away (``| head``); nothing is printed
    143  TERMINATED   SIGTERM
"""

from __future__ import annotations

import functools
import inspect
import itertools
import json
import logging
import os
import re
import signal
import sys
import threading
import tomllib
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from enum import IntEnum
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any, Final, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption

if TYPE_CHECKING:
    from ..client import AsyncAttioClient, AttioClient


# Help texts are Markdown: docstrings wrap at the line length and paragraphs reflow to the
# terminal, and an example stays a code block (typer keeps single line breaks in "rich" mode).
MARKUP: Final = "markdown"


def _flags_take_no_value(command: TyperCommand | TyperGroup, ctx: Any) -> None:
    """Give ``command``'s flags (``--json``, ``--help`` ...) an empty metavar: typer's rich help
    (modes "rich" and "markdown") fills its type column from ``display_type_rich``, which
    names the type of every option, ``<bool>`` for a flag, as if it took a value; click's own
    help leaves flags bare, and so does this."""
    for param in command.get_params(ctx):
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""


class Command(TyperCommand):
    """A command whose help shows no value after a flag (``_flags_take_no_value``)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _flags_take_no_value(self, ctx)
        super().format_help(ctx, formatter)


class Group(TyperGroup):
    """A group of commands whose help shows no value after a flag (``_flags_take_no_value``)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _flags_take_no_value(self, ctx)
        super().format_help(ctx, formatter)


class App(typer.Typer):
    """``typer.Typer`` for every group of the command line (the app's, ``records``, ``schema``
    ...): Markdown help, errors as ``reporting`` prints them rather than rich tracebacks, and
    the ``Group`` and ``Command`` classes, so no help shows a value after a flag."""

    def __init__(self, **settings: Any) -> None:
        defaults: dict[str, Any] = {
            "cls": Group,
            "pretty_exceptions_enable": False,
            "rich_markup_mode": MARKUP,
        }
        super().__init__(**(defaults | settings))

    def command(  # type: ignore[override]
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **settings: Any
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """typer's ``command`` decorator, making a ``Command`` unless told otherwise."""
        return super().command(name, cls=cls or Command, **settings)


class ExitStatus(IntEnum):
    """The process exit code of a command, by error class."""

    OK = 0
    ERROR = 1
    USAGE = 2
    AUTH = 3
    NOT_FOUND = 4
    VALIDATION = 5
    RATE_LIMIT = 6
    CONNECTION = 7
    INTERRUPTED = 130
    BROKEN_PIPE = 141
    TERMINATED = 143


class CliError(Exception):
    """An error a command reports itself: one line and the exit status of its class."""

    def __init__(self, message: str, status: ExitStatus = ExitStatus.ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# -- options -------------------------------------------------------------------------------------
ApiKeyOpt = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        help="Attio API key (else ATTIO_API_KEY, else the config file).",
        show_default=False,
    ),
]
BaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        help="API base URL, with or without /v2 (else ATTIO_BASE_URL, else the config file, "
        "else Attio's).",
        show_default=False,
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="TOML config file (default: ~/.config/attio-bridge/config.toml).",
        show_default=False,
    ),
]
MaxRetriesOpt = Annotated[
    int | None,
    typer.Option("--max-retries", min=0, help="Retries of a failed request.", show_default=False),
]
# Seconds a command waits for each answer from Attio unless told (the library's is a minute).
DEFAULT_TIMEOUT = 10.0
TimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        metavar="SECONDS",
        help=f"Seconds to wait for each answer from Attio (default {DEFAULT_TIMEOUT:g}); a "
        "request that times out is tried once more.",
        show_default=False,
    ),
]
DebugOpt = Annotated[
    bool, typer.Option("--debug", help="Show tracebacks of errors and each retry of a request.")
]


def _library_client(cls: type[AttioClient], options: dict[str, Any]) -> AttioClient:
    return cls(**options)


def _library_async_client(options: dict[str, Any]) -> AsyncAttioClient:
    from ..client import AsyncAttioClient

    return AsyncAttioClient(**options)


@dataclass(frozen=True, slots=True)
class CliEnvironment:
    """What the commands take from outside their arguments: the clients they talk to Attio
    with (httpie's ``Environment``, datasette's client).

    ``client(cls, options)`` makes every sync client of a run: an instance of ``cls`` (an
    ``AttioClient`` subclass such as the dry run's) made with ``options``, the keyword options
    the settings give (``client_options``). ``async_client(options)`` makes the
    ``AsyncAttioClient`` of ``import`` and ``export``. A test adds a transport::

        env = CliEnvironment(
            client=lambda cls, o: cls(**o, transport=SyncASGITransport(app)),
            async_client=lambda o: AsyncAttioClient(**o, transport=httpx.ASGITransport(app)),
        )
        CliRunner().invoke(app, ["self"], obj=env)
    """

    client: Callable[[type[AttioClient], dict[str, Any]], AttioClient] = _library_client
    async_client: Callable[[dict[str, Any]], AsyncAttioClient] = _library_async_client


@dataclass(frozen=True, slots=True)
class ConnectionOptions:
    """The connection options given on the command line (None: not given)."""

    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    config: Path | None = None
    max_retries: int | None = None
    timeout: float | None = None
    debug: bool = False
    # The command prints JSON (its ``--json``, or ``--format json``): so are its errors.
    json: bool = False
    # Other secrets of the run (a provider's token), masked in errors as the API key is.
    secrets: tuple[str, ...] = field(default=(), repr=False)
    # Where the run's clients come from: the context object the app was given, if any.
    environment: CliEnvironment = field(default_factory=CliEnvironment, compare=False)

    def over(self, fallback: ConnectionOptions) -> ConnectionOptions:
        """These options, with ``fallback``'s where these were not given (a group's options
        under a subcommand's)."""
        return replace(
            self,
            api_key=self.api_key if self.api_key is not None else fallback.api_key,
            base_url=self.base_url if self.base_url is not None else fallback.base_url,
            config=self.config if self.config is not None else fallback.config,
            max_retries=self.max_retries if self.max_retries is not None else fallback.max_retries,
            timeout=self.timeout if self.timeout is not None else fallback.timeout,
            debug=self.debug or fallback.debug,
            json=self.json or fallback.json,
            secrets=(*self.secrets, *fallback.secrets),
        )


# The options every command that talks to Attio takes, in the order --help lists them; their
# names are the fields of ``ConnectionOptions``.
CONNECTION_PARAMETERS = tuple(
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
    for name, kind, default in (
        ("api_key", ApiKeyOpt, None),
        ("base_url", BaseUrlOpt, None),
        ("config", ConfigOpt, None),
        ("max_retries", MaxRetriesOpt, None),
        ("timeout", TimeoutOpt, None),
        ("debug", DebugOpt, False),
    )
)

_T = TypeVar("_T")


def replace_parameter(
    command: Callable[..., _T],
    name: str,
    parameters: Sequence[inspect.Parameter],
    build: Callable[..., Any],
    *,
    shared: Sequence[str] = (),
) -> Callable[..., _T]:
    """``command`` as a typer command that takes ``parameters`` instead of its parameter
    ``name``, which it is given as ``build(**their values)``; the command's parameters named
    in ``shared`` go to ``build`` too, and stay the command's.

    typer reads a command's parameters from ``inspect.signature`` and
    ``typing.get_type_hints``, so the wrapper's ``__signature__`` and ``__annotations__`` are
    the command's with ``name`` replaced by ``parameters`` (appended, keyword-only). They hold
    objects, not the strings ``from __future__ import annotations`` leaves: ``inspect`` returns
    a ``__signature__`` as it is, without evaluating them.
    """
    signature = inspect.signature(command, eval_str=True)
    if name not in signature.parameters:
        raise TypeError(f"{command.__qualname__} has no parameter {name!r} to replace")
    kept = [p for p in signature.parameters.values() if p.name != name]
    shown = signature.replace(parameters=[*kept, *parameters])

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> _T:
        given = {p.name: kwargs.pop(p.name, p.default) for p in parameters}
        given |= {n: kwargs[n] for n in shared}
        return command(*args, **kwargs, **{name: build(**given)})

    wrapper.__signature__ = shown  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in shown.parameters.values()}
    if shown.return_annotation is not inspect.Signature.empty:
        wrapper.__annotations__["return"] = shown.return_annotation
    return wrapper


# typer gives a parameter annotated ``typer.Context`` the click context of the run, whose
# object (``obj=``) is the ``CliEnvironment``.
_CONTEXT = inspect.Parameter(
    "cli_context", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context
)


def _connection_options(*, cli_context: typer.Context, **given: Any) -> ConnectionOptions:
    found = cli_context.find_object(CliEnvironment)
    # The command's own options, parsed: whether it was asked for JSON.
    chosen = cli_context.params.get("format")
    json = cli_context.params.get("json_") is True or getattr(chosen, "value", None) == "json"
    return ConnectionOptions(
        **given, json=json, environment=found if found is not None else CliEnvironment()
    )


def connected(command: Callable[..., _T]) -> Callable[..., _T]:
    """A command that talks to Attio: it takes ``options: ConnectionOptions``, and its command
    line ``--api-key``, ``--base-url``, ``--config``, ``--max-retries``, ``--timeout`` and
    ``--debug``; the options hold the run's ``CliEnvironment``."""
    signature = inspect.signature(command, eval_str=True)
    own = [n for n, p in signature.parameters.items() if p.annotation is typer.Context]
    if not own:
        parameters = (*CONNECTION_PARAMETERS, _CONTEXT)
        return replace_parameter(command, "options", parameters, _connection_options)
    # typer gives its context to one parameter only: the command's own, read here as well.
    context = own[0]

    def build(**given: Any) -> ConnectionOptions:
        return _connection_options(cli_context=given.pop(context), **given)

    return replace_parameter(command, "options", CONNECTION_PARAMETERS, build, shared=own[:1])


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved connection settings; ``repr`` never shows the key."""

    api_key: str = field(repr=False)
    base_url: str | None = None
    max_retries: int | None = None
    timeout: float = DEFAULT_TIMEOUT
    environment: CliEnvironment = field(default_factory=CliEnvironment, compare=False)


def default_config_path(environ: Mapping[str, str]) -> Path:
    """``$XDG_CONFIG_HOME/attio-bridge/config.toml``, or under ``~/.config``."""
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "attio-bridge" / "config.toml"


def load_config(path: Path | None, environ: Mapping[str, str]) -> dict[str, Any]:
    """The config file's table: ``path`` (which must exist) or the default one (which may not)."""
    chosen = path if path is not None else default_config_path(environ)
    try:
        text = chosen.read_text(encoding="utf-8")
    except FileNotFoundError:
        if path is None:
            return {}
        raise CliError(f"config file not found: {chosen}", ExitStatus.USAGE) from None
    except OSError as exc:
        raise CliError(
            f"cannot read config file {chosen}: {exc.strerror}", ExitStatus.USAGE
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CliError(f"config file {chosen} is not valid TOML: {exc}", ExitStatus.USAGE) from None


def _api_key(*sources: tuple[str, Callable[[], str | None]]) -> str | None:
    """The first key one of ``sources`` (where, how to read it) gives, without the whitespace
    around it (a blank one is not given); a usage error naming where it came from, never the
    key, when it holds whitespace inside (``client.clean_api_key``)."""
    from ..client import clean_api_key

    for where, read in sources:
        value = read()
        if value and value.strip():
            return clean_api_key(value, where)
    return None


def resolve_settings(
    options: ConnectionOptions, environ: Mapping[str, str] | None = None
) -> Settings:
    """Settings from the options, then the environment, then the config file."""
    env = os.environ if environ is None else environ
    config = load_config(options.config, env)
    where = str(options.config or default_config_path(env))

    def from_config(key: str, kind: type) -> Any:
        value = config.get(key)
        if value is not None and not isinstance(value, kind):
            raise CliError(
                f"{key} in {where} must be a {kind.__name__}, not {type(value).__name__}",
                ExitStatus.USAGE,
            )
        return value

    api_key = _api_key(
        ("--api-key", lambda: options.api_key),
        ("ATTIO_API_KEY", lambda: env.get("ATTIO_API_KEY")),
        (f"api_key in {where}", lambda: from_config("api_key", str)),
    )
    if not api_key:
        raise CliError(
            "no Attio API key: pass --api-key, set ATTIO_API_KEY or put api_key in " + where,
            ExitStatus.USAGE,
        )
    base_url = options.base_url or env.get("ATTIO_BASE_URL") or from_config("base_url", str)
    retries = options.max_retries
    if retries is None:
        retries = from_config("max_retries", int)
    timeout = options.timeout
    if timeout is None:
        timeout = config.get("timeout", DEFAULT_TIMEOUT)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise CliError(
                f"timeout in {where} must be a number of seconds above 0, not {timeout!r}",
                ExitStatus.USAGE,
            )
    elif timeout <= 0:
        raise CliError(f"--timeout must be above 0 seconds, not {timeout:g}", ExitStatus.USAGE)
    return Settings(
        api_key=api_key,
        base_url=base_url,
        max_retries=retries,
        timeout=float(timeout),
        environment=options.environment,
    )


def client_options(settings: Settings) -> dict[str, Any]:
    """The keyword options of a client (sync or async) for ``settings``: the API key and the
    timeout, and the base URL and retries when they set them (else the library's defaults)."""
    options: dict[str, Any] = {"api_key": settings.api_key, "timeout": settings.timeout}
    if settings.base_url:
        options["base_url"] = settings.base_url
    if settings.max_retries is not None:
        options["max_retries"] = settings.max_retries
    return options


def make_client(settings: Settings, cls: type[AttioClient] | None = None) -> AttioClient:
    """An ``AttioClient`` (or ``cls``, a subclass) for ``settings``, from their environment's
    factory."""
    from ..client import AttioClient

    return settings.environment.client(cls or AttioClient, client_options(settings))


def make_async_client(settings: Settings) -> AsyncAttioClient:
    """An ``AsyncAttioClient`` for ``settings``, from their environment's factory."""
    return settings.environment.async_client(client_options(settings))


# -- errors --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ErrorClass:
    """One row of ``error_classes()``: an error of ``kinds`` exits with ``status`` and prints
    ``describe(error)``."""

    kinds: tuple[type[BaseException], ...]
    status: ExitStatus
    describe: Callable[[Any], str]


def prefixed(prefix: str, message: str) -> str:
    """``prefix: message``, or the message alone (the prefix's case kept) when it begins with
    what the prefix says: Attio's 401 says "Authentication failed: ...", a csv error "Error:
    ...", and a line must not say it twice."""
    if message[: len(prefix)].lower() == prefix.lower():
        return prefix + message[len(prefix) :]
    return f"{prefix}: {message}"


def _os_error(exc: OSError) -> str:
    name = f" {exc.filename}" if exc.filename else ""
    return f"{exc.strerror}:{name}".rstrip(":") if exc.strerror else str(exc) or type(exc).__name__


@functools.cache
def error_classes() -> tuple[ErrorClass, ...]:
    """The errors of the library a command reports, first match wins: the one place where an
    error's class becomes an exit status and a message. Anything else is a bug
    (``classify``)."""
    from ..client import (
        APIConnectionError,
        AttioAPIError,
        AuthenticationError,
        BadRequestError,
        ConflictError,
        NotFoundError,
        PermissionDeniedError,
        RateBackendError,
        RateBudgetError,
        RateLimitError,
    )
    from ..connectors import ConnectorError
    from ..errors import AttioError, ConfigurationError, InvalidInputError, MissingError
    from ..jobs import JobQueueError
    from ..services import ServiceError
    from ..services.urls import AttioUrlError
    from ..sync import MappingError
    from ..values import ValuesError
    from ..workflows.scoring_rules import RulesFileError

    def row(
        kinds: type[BaseException] | tuple[type[BaseException], ...],
        status: ExitStatus,
        describe: Callable[[Any], str] = str,
    ) -> ErrorClass:
        return ErrorClass(kinds if isinstance(kinds, tuple) else (kinds,), status, describe)

    return (
        # Ahead of InvalidInputError: a URL or a rules file given on the command line that
        # cannot be used is a usage error, as a bad configuration file is.
        row((AttioUrlError, RulesFileError, MappingError), ExitStatus.USAGE),
        row(ConfigurationError, ExitStatus.USAGE),
        row(
            AuthenticationError,
            ExitStatus.AUTH,
            lambda e: prefixed("authentication failed", f"{e.message} (check the API key)"),
        ),
        row(
            PermissionDeniedError,
            ExitStatus.AUTH,
            lambda e: prefixed("permission denied", e.message),
        ),
        # Attio's 404 says what it could not find, the library's own MissingError says more.
        row(NotFoundError, ExitStatus.NOT_FOUND, lambda e: prefixed("not found", e.message)),
        row(MissingError, ExitStatus.NOT_FOUND),
        row(
            (BadRequestError, ConflictError, ValuesError),
            ExitStatus.VALIDATION,
            lambda e: prefixed("invalid", str(e)),
        ),
        # Asked for something the workspace cannot do as given: the message names the fix.
        row((InvalidInputError, ServiceError), ExitStatus.VALIDATION),
        row(
            (RateLimitError, RateBudgetError),
            ExitStatus.RATE_LIMIT,
            lambda e: prefixed("rate limited", str(e)),
        ),
        row(
            APIConnectionError,
            ExitStatus.CONNECTION,
            lambda e: prefixed("cannot reach Attio", str(e)),
        ),
        # Its message names the backend and the way around it.
        row(RateBackendError, ExitStatus.CONNECTION),
        # The jobs database could not be opened or read: its message names it (password masked).
        row(JobQueueError, ExitStatus.CONNECTION),
        # Slack or Drive failed: its message names the system and the fix.
        row(ConnectorError, ExitStatus.ERROR),
        row(AttioAPIError, ExitStatus.ERROR, "Attio answered {0}".format),
        row(AttioError, ExitStatus.ERROR),
        # Not a bug: a file that cannot be read or written, a disk that is full.
        row(OSError, ExitStatus.ERROR, _os_error),
    )


def flags_named(message: str, flags: Mapping[str, str]) -> str | None:
    """What the command line calls the arguments a library message names: ``"(words: flag;
    ...)"`` for each of ``flags``' words found in ``message``, or None. The library names its
    own arguments, never a command's flags; a command keeps the glossary of its own."""
    named = [f"{words}: {flag}" for words, flag in flags.items() if words in message]
    return f"({'; '.join(named)})" if named else None


def _connector_status(exc: BaseException) -> ExitStatus | None:
    """The exit status of another system's failure (``ConnectorError``) by what it says, as
    Attio's own: not configured (usage), a refused token (auth), not found, rate limited, no
    answer; None for any other error."""
    from ..connectors import ConnectorError  # an error's path: no cost at start

    if not isinstance(exc, ConnectorError):
        return None
    code, status = exc.code, exc.status
    if code == "not_configured":
        return ExitStatus.USAGE
    if status in (401, 403):
        return ExitStatus.AUTH
    if status == 404:
        return ExitStatus.NOT_FOUND
    if status == 429:
        return ExitStatus.RATE_LIMIT
    if code == "connection":
        return ExitStatus.CONNECTION
    return None


def classify(exc: BaseException) -> tuple[ExitStatus, str]:
    """The exit status and the one-line message for an error: a ``CliError``'s own (what a
    command reports itself), else from ``error_classes()``; an error none of them holds is a
    bug in attio-bridge, and says so."""
    if isinstance(exc, CliError):
        return exc.status, exc.message
    for known in error_classes():
        if isinstance(exc, known.kinds):
            return _connector_status(exc) or known.status, known.describe(exc)
    kind = type(exc)
    name = kind.__qualname__
    if kind.__module__ != "builtins":
        # With its module: csv's "Error" alone would read "internal error: Error: ...".
        name = f"{kind.__module__}.{name}"
    return ExitStatus.ERROR, (
        f"internal error: {name}: {exc}; please report it (--debug shows the traceback)"
    )


def _secrets(options: ConnectionOptions) -> list[str]:
    """Every API key this run may have used, and its other secrets, to be masked in anything
    printed."""
    found = [options.api_key, os.environ.get("ATTIO_API_KEY"), *options.secrets]
    with suppress(CliError):
        found.append(load_config(options.config, os.environ).get("api_key"))
    # As given, and as used: without the whitespace around it.
    keys = [s for s in found if isinstance(s, str)]
    return [s for s in {*keys, *(k.strip() for k in keys)} if s.strip()]


# A secret this long is masked wherever it appears, even inside a longer word: a leak is a
# leak (Attio's keys are 64 characters). A shorter one (a test key, a typo) is masked only as a
# whole token, else every word that holds it would be garbled ("Timed out tal***ing").
WHOLE_TOKEN_BELOW = 8
_TOKEN_CHARS = r"[A-Za-z0-9_.~+/-]"


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with each secret replaced by ``***``: anywhere if it has at least
    ``WHOLE_TOKEN_BELOW`` characters, else only where it stands alone as a token."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= WHOLE_TOKEN_BELOW:
            text = text.replace(secret, "***")
        elif secret.strip():
            alone = rf"(?<!{_TOKEN_CHARS}){re.escape(secret)}(?!{_TOKEN_CHARS})"
            text = re.sub(alone, "***", text)
    return text


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the command is, so it unwinds as for Ctrl-C (a ``KeyboardInterrupt``
    to anything that cleans up on one) and ``reporting`` says so."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


@contextmanager
def _terminable() -> Iterator[None]:
    """SIGTERM raises ``Terminated`` while inside (only the main thread can take signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the flush at exit does not fail again on the closed pipe
    and print "Exception ignored" (as Python's docs on SIGPIPE advise)."""
    with suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def error_line(status: ExitStatus, message: str, as_json: bool) -> str:
    """The one line an error prints on stderr: ``error: ...``, or with ``as_json`` (the command
    prints JSON) ``{"error": {"type", "message", "exit_code"}}``."""
    if as_json:
        error = {"type": status.name.lower(), "message": message, "exit_code": int(status)}
        return json.dumps({"error": error}, ensure_ascii=False)
    return prefixed("error", message)


def asks_for_json(argv: Sequence[str]) -> bool:
    """Whether a command line asks for JSON (``--json``, ``--format json``), read from its
    words: for an error found before its options could be parsed."""
    return (
        "--json" in argv
        or "--format=json" in argv
        or any(a == "--format" and b == "json" for a, b in itertools.pairwise(argv))
    )


def _report(options: ConnectionOptions, status: ExitStatus, message: str) -> typer.Exit:
    """Print the error line of ``message`` on stderr; the exit of ``status`` to raise."""
    typer.echo(error_line(status, message, options.json), err=True)
    return typer.Exit(status)


class _RetryLines(logging.StreamHandler):  # type: ignore[type-arg]
    """The client's retry lines on stderr (the one of the run, which tests swap)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.setStream(sys.stderr)
        super().emit(record)


def _retry_lines(debug: bool) -> None:
    """The client retries a failure its policy calls safe (a refused connection never carried
    the request) and logs each retry: on stderr with ``--debug``, else nowhere, rather than
    Python's last-resort handler printing five lines before the one error line. A handler the
    application configured (the service's logging) still receives them."""
    logger = logging.getLogger("attio_bridge.client")
    for handler in list(logger.handlers):
        if isinstance(handler, _RetryLines | logging.NullHandler):
            logger.removeHandler(handler)
    logger.addHandler(_RetryLines() if debug else logging.NullHandler())


@contextmanager
def reporting(options: ConnectionOptions) -> Iterator[None]:
    """Run a command body: an error becomes one ``error: ...`` line on stderr (or a traceback
    with ``--debug``; JSON for a command asked for JSON) and the exit status of its class, with
    the API key masked.

    Ctrl-C is ``error: interrupted`` (130), SIGTERM ``error: terminated`` (143). A reader that
    closes the pipe early (``| head``) ends the command quietly with 141, the status of a
    process SIGPIPE ends, as any other Unix tool in that pipe gives: the output was cut short,
    which ``set -o pipefail`` should see, but it is no error to report. stdout is flushed
    before the block ends, so that what is still buffered meets a closed pipe here, not at
    exit. The client's "retrying ..." lines show with ``--debug`` only (``_retry_lines``)."""
    _retry_lines(options.debug)
    try:
        with _terminable():
            try:
                yield
            except typer.Exit:
                sys.stdout.flush()
                raise
            sys.stdout.flush()
    except typer.Exit:
        raise
    except Terminated:
        raise _report(options, ExitStatus.TERMINATED, "terminated") from None
    except KeyboardInterrupt:
        raise _report(options, ExitStatus.INTERRUPTED, "interrupted") from None
    except BrokenPipeError:
        _quiet_stdout()
        raise typer.Exit(ExitStatus.BROKEN_PIPE) from None
    except Exception as exc:
        status, message = classify(exc)
        # Notes added on the way up: what a command did before it failed (``_run.session``).
        message = " ".join([message, *getattr(exc, "__notes__", ())])
        secrets = _secrets(options)
        if options.debug:
            sys.stderr.write(redact(traceback.format_exc(), secrets))
        raise _report(options, status, " ".join(redact(message, secrets).split())) from None
