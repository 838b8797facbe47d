"""``attio-bridge people get EMAIL`` and ``companies get DOMAIN``: a person or company found by
its unique key (an email address; a domain or website URL), printed as its values.

They register on the ``people`` and ``companies`` groups of ``cli/activity.py`` and find the
record through ``services`` (``people.find_by_email``, ``companies.find_by_domain``), which
normalise the key first; none found is a not-found error that says how to create one.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..client.models import Record
from ..services import Services
from ..values import decode_record
from ._common import CliError, ConnectionOptions, ExitStatus, connected
from ._run import Run, reads, session, show
from .activity import companies_app, people_app


def _show(services: Services, record: Record | None, title: str, missing: str, run: Run) -> None:
    """The record's values under ``title``, or the not-found error ``missing``."""
    if record is None:
        raise CliError(missing, ExitStatus.NOT_FOUND)
    show(title, decode_record(services.schema, record), run)


@people_app.command("get")
@connected
@reads
def people_get(
    email: Annotated[str, typer.Argument(help="Email address (the person's unique key).")],
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print the values of the person with EMAIL."""
    with session(options, run) as client:
        services = Services(client)
        record = services.people.find_by_email(email)
        missing = (
            f"no person has the email address {email!r}; "
            f"create one with: attio-bridge people create {email}"
        )
        _show(services, record, "person", missing, run)


@companies_app.command("get")
@connected
@reads
def companies_get(
    domain: Annotated[str, typer.Argument(help="Domain or website URL (the company's key).")],
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print the values of the company with DOMAIN."""
    with session(options, run) as client:
        services = Services(client)
        record = services.companies.find_by_domain(domain)
        missing = (
            f"no company has the domain {domain!r}; "
            f"create one with: attio-bridge companies create {domain}"
        )
        _show(services, record, "company", missing, run)
