"""``attio-bridge webhooks sync FILE``: make the workspace's webhooks match a file.

This module owns the ``webhooks`` group. ``sync`` reads the subscriptions file (TOML, or JSON
for ``.json``; docs/SERVICE.md "Subscriptions"), compares it with the workspace's webhooks and
creates, updates and deletes the managed ones (``attio_bridge.webhooks.subscriptions``); each
signing secret Attio returns goes into the secret store of the state store
(``ATTIO_BRIDGE_DATABASE_URL``, else the local SQLite file), and only its name is printed.
``--dry-run`` prints the plan and changes nothing in the workspace; ``--json`` prints
``{"dry_run", "changes": [{action, webhook_id, target_url, subscriptions, ...}], "unmanaged",
"notes"}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import ConnectionOptions, connected
from ._run import Run, emit_json, group, session, writes

webhooks_app = group("webhooks", "The workspace's webhook subscriptions.")

_VERBS = {"create": "create", "update": "update", "delete": "delete", "keep": "keep  "}


@webhooks_app.command("sync")
@connected
@writes
def webhooks_sync(
    file: Annotated[
        Path,
        typer.Argument(help="The subscriptions file (TOML, or JSON when it ends in .json)."),
    ],
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Create, update and delete webhooks so the workspace matches FILE; secrets Attio returns
    are kept in the secret store, never printed."""
    from ..state import open_secrets, open_store
    from ..webhooks.subscriptions import load_subscriptions, sync_webhooks

    with session(options, run) as client:
        spec = load_subscriptions(file)
        with open_store() as store:
            secrets = open_secrets(store)
            plan = sync_webhooks(client, spec, secrets, dry_run=run.dry_run)
        if run.json:
            emit_json({"dry_run": run.dry_run, **plan.as_json()})
        else:
            label = "Plan (dry run)" if run.dry_run else "Done"
            writes_ = len(plan.writes)
            typer.echo(
                f"{label}: {writes_} change{'s' if writes_ != 1 else ''} to the webhooks under "
                f"{', '.join(spec.manage)}"
            )
            for change in plan.changes:
                events = ", ".join(str(s["event_type"]) for s in change.subscriptions)
                hook = change.webhook_id or "(new)"
                line = f"  {_VERBS[change.action]} {hook}  {change.target_url}  [{events}]"
                if change.reason:
                    line += f"  ({change.reason})"
                if change.secret_name:
                    line += f"  secret kept as {change.secret_name}"
                typer.echo(line)
            if plan.unmanaged:
                typer.echo(f"  left alone: {plan.unmanaged} webhook(s) outside these prefixes")
            for note in plan.notes:
                typer.echo(f"note: {note}", err=True)
        if run.dry_run:
            typer.echo("nothing was changed (dry run)", err=True)
