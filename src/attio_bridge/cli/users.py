"""``attio-bridge users add|list|remove``: who may sign in to the web pages.

The pages ask for a login when ``serve`` listens on an address other than loopback; each user
sees only their own projects. Passwords are hashed with argon2 (``web.security.Users``) and kept
in the state store (``ATTIO_BRIDGE_DATABASE_URL``, else the local SQLite file); a password is
asked for twice without echo, or read from the first line of stdin with ``--password-stdin``
(for scripts), and never printed.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ._common import ConnectionOptions, reporting
from ._run import group

users_app = group("users", "Who may sign in to the web pages when served beyond this machine.")

NameArg = Annotated[str, typer.Argument(help="The user name (lowercase letters, digits, . _ -).")]


@users_app.command("add")
def users_add(
    name: NameArg,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
) -> None:
    """Add a user, or set a user's new password."""
    from ..state import open_store
    from ..web.security import Users

    with reporting(ConnectionOptions()):
        Users.check_name(name)
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        with open_store() as store:
            new = Users(store).add(name, password)
    typer.echo(f"{'Added' if new else 'Changed the password of'} {name}.")


@users_app.command("list")
def users_list() -> None:
    """Name every user."""
    from ..state import open_store
    from ..web.security import Users

    with reporting(ConnectionOptions()), open_store() as store:
        for name in Users(store).names():
            typer.echo(name)


@users_app.command("remove")
def users_remove(name: NameArg) -> None:
    """Remove a user (their projects' files stay where they are)."""
    from ..state import open_store
    from ..web.security import Users

    with reporting(ConnectionOptions()), open_store() as store:
        Users(store).remove(name)
    typer.echo(f"Removed {name}.")
