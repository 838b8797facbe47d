"""A listening socket for the commands that serve (``emulator``, ``serve``, ``sandbox``): bound
before any banner, so a banner only promises an address that is really served."""

from __future__ import annotations

import errno
import socket
from typing import NoReturn

import typer

from ._common import ExitStatus, error_line

__all__ = ["listener", "url_of"]


def listener(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port`` for the emulator; a usage error (exit 2), one line
    naming the host or port and why, when it cannot be had."""

    def refuse(message: str) -> NoReturn:
        typer.echo(error_line(ExitStatus.USAGE, message, False), err=True)
        raise typer.Exit(ExitStatus.USAGE)

    any_port = "pick another with --port, or 0 for any free port"
    if not 0 <= port <= 65535:
        refuse(f"--port {port} is not a TCP port: give one from 1 to 65535, or 0 for any free port")
    # The family as uvicorn picks it: "localhost" is 127.0.0.1, as clients mostly try first.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        found = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        why = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        refuse(
            f"--host {host} is not an address to listen on ({why}): give an address of this "
            "machine, such as 127.0.0.1, or 0.0.0.0 for all of them"
        )
    _, kind, proto, _, address = found[0]
    listener = socket.socket(family, kind, proto)
    # As uvicorn does: a restarted emulator gets its port back while old connections linger.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(address)
        listener.listen(2048)
    except OSError as exc:
        listener.close()
        if exc.errno == errno.EADDRINUSE:
            refuse(f"port {port} is already in use on {host}: {any_port}")
        if exc.errno == errno.EADDRNOTAVAIL:
            refuse(
                f"--host {host} is not an address of this machine: give one of its own, such "
                "as 127.0.0.1, or 0.0.0.0 for all of them"
            )
        if exc.errno == errno.EACCES:
            refuse(f"port {port} on {host} needs more privileges than this user has: {any_port}")
        refuse(f"cannot listen on {host} port {port}: {exc.strerror}")
    return listener


def url_of(host: str, sock: socket.socket) -> str:
    """``http://host:port`` of a bound socket (the port it got, when 0 was asked)."""
    return f"http://{f'[{host}]' if ':' in host else host}:{sock.getsockname()[1]}"


def emulator_banner(url: str, workspace: str, key: str) -> list[str]:
    """What the emulator's banner says: where it is and what to export to reach it."""
    return [
        f"Attio emulator serving workspace {workspace!r} at {url}/v2",
        f"  export ATTIO_BASE_URL={url}",
        f"  export ATTIO_API_KEY={key}",
        f"  try: curl -H 'Authorization: Bearer {key}' {url}/v2/self",
        "Stand-ins for Slack and Google Drive (for attio-bridge kickoff):",
        f"  export SLACK_API_URL={url}/slack/api/ SLACK_BOT_TOKEN={key}",
        f"  export DRIVE_API_URL={url}/drive/v3 GOOGLE_DRIVE_TOKEN={key}",
    ]
