"""``attio-bridge people`` and ``companies``: ``ls``, ``get``, ``create``, ``update`` and
``delete`` people and companies by their unique key (an email address; a domain or website URL).

This module owns the ``people`` and ``companies`` groups and their commands, each calling
``services``. ``people create EMAIL`` and ``companies create DOMAIN`` upsert by that key, so
running one again updates instead of duplicating (``people create --company DOMAIN`` links the
company with that domain, made if missing; ``--company-id`` links one by id). ``get``,
``update`` and ``delete`` find the record by the key (``people.find_by_email``,
``companies.find_by_domain``, which normalise it first); none found is a not-found error that
says how to create one. ``ls`` lists them as ``records query`` does (``records.ls_command``).
Every write takes ``--dry-run``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from ._common import CliError, ConnectionOptions, ExitStatus, connected, reporting
from ._run import (
    Run,
    SetOpt,
    ValuesOpt,
    emit_json,
    group,
    planned,
    reads,
    session,
    values_from,
    writes,
)
from .records import ls_command, show_record

# The services, values and client (httpx, pydantic) are imported by the commands that use them:
# building the app, and --help, go without them.
if TYPE_CHECKING:
    from ..client.models import Record
    from ..services import Services


people_app = group("people", "People, identified by email address.")
companies_app = group("companies", "Companies, identified by domain.")

EmailArg = Annotated[str, typer.Argument(help="Email address (the person's unique key).")]
DomainArg = Annotated[str, typer.Argument(help="Domain or website URL (the company's key).")]


Kind = Literal["person", "company"]
# Per kind: the object, the group of commands, what the key is.
_KINDS: dict[str, tuple[str, str, str]] = {
    "person": ("people", "people", "email address"),
    "company": ("companies", "companies", "domain"),
}


def _show(services: Services, record: Record, title: str, run: Run) -> None:
    """The record's values under ``title``."""
    show_record(services, record, title, run)


def _find(services: Services, kind: Kind, key: str) -> Record:
    """The person or company (``kind``) whose unique key is ``key``; a not-found error that
    says how to create one if none has it."""
    if kind == "person":
        record = services.people.find_by_email(key)
    else:
        record = services.companies.find_by_domain(key)
    if record is None:
        _, group_, what = _KINDS[kind]
        how = f"create one with: attio-bridge {group_} create {key}"
        raise CliError(f"no {kind} has the {what} {key!r}; {how}", ExitStatus.NOT_FOUND)
    return record


def _get(kind: Kind, key: str, options: ConnectionOptions, run: Run) -> None:
    """Print the person or company (``kind``) whose unique key is ``key``."""
    from ..services import Services

    with session(options, run) as client:
        services = Services(client)
        _show(services, _find(services, kind, key), kind, run)


def _update(
    kind: Kind, key: str, data: dict[str, Any], options: ConnectionOptions, run: Run
) -> None:
    """Change ``data`` (values by attribute slug) of the person or company whose key is
    ``key``; multiselect values are added to."""
    from ..services import Services

    with session(options, run) as client:
        if not data:
            raise CliError("no values: pass --values JSON or --set slug=value", ExitStatus.USAGE)
        services = Services(client)
        record = _find(services, kind, key)
        if kind == "person":
            record = services.people.update(record, **data)
        else:
            record = services.companies.update(record, **data)
        if planned(client, run):
            return
        _show(services, record, kind, run)


def _delete(kind: Kind, key: str, options: ConnectionOptions, run: Run) -> None:
    """Delete the person or company whose key is ``key``."""
    from ..services import Services

    with session(options, run) as client:
        services = Services(client)
        record = _find(services, kind, key)
        if kind == "person":
            services.people.delete(record)
        else:
            services.companies.delete(record)
        if planned(client, run):
            return
        object = _KINDS[kind][0]
        if run.json:
            emit_json({"deleted": True, "object": object, "record_id": record.record_id})
        else:
            typer.echo(f"deleted {kind} {key} ({object} {record.record_id})")


people_app.command("ls")(ls_command("people", "people"))
companies_app.command("ls")(ls_command("companies", "companies"))


@people_app.command("create")
@connected
@writes
def people_create(
    email: EmailArg,
    first_name: Annotated[str | None, typer.Option("--first-name")] = None,
    last_name: Annotated[str | None, typer.Option("--last-name")] = None,
    company_id: Annotated[
        str | None, typer.Option("--company-id", help="Link to this company record id.")
    ] = None,
    company: Annotated[
        str | None,
        typer.Option("--company", help="Link to the company with this domain (made if missing)."),
    ] = None,
    job_title: Annotated[str | None, typer.Option("--job-title")] = None,
    values: ValuesOpt = None,
    set_: SetOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Create or update the person with EMAIL (asserted by email address)."""
    from ..services import Services

    with session(options, run) as client:
        if company_id is not None and company is not None:
            raise CliError("give --company-id or --company, not both", ExitStatus.USAGE)
        services = Services(client)
        name = None
        if first_name is not None or last_name is not None:
            name = {"first_name": first_name or "", "last_name": last_name or ""}
        linked = company_id or company
        if company is not None:
            # A company that exists is linked by id, so it is not asserted again.
            found = services.companies.find_by_domain(company)
            linked = found.record_id if found is not None else company
        record = services.people.upsert(
            email,
            name=name,
            company=linked,
            job_title=job_title,
            **values_from(values, set_),
        )
        if planned(client, run):
            return
        _show(services, record, "person", run)


@people_app.command("get")
@connected
@reads
def people_get(
    email: EmailArg,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print the values of the person with EMAIL."""
    _get("person", email, options, run)


@companies_app.command("create")
@connected
@writes
def companies_create(
    domain: DomainArg,
    name: Annotated[str | None, typer.Option("--name")] = None,
    values: ValuesOpt = None,
    set_: SetOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Create or update the company with DOMAIN (asserted by domain)."""
    from ..services import Services

    with session(options, run) as client:
        services = Services(client)
        record = services.companies.upsert(domain, name=name, **values_from(values, set_))
        if planned(client, run):
            return
        _show(services, record, "company", run)


@companies_app.command("get")
@connected
@reads
def companies_get(
    domain: DomainArg,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print the values of the company with DOMAIN."""
    _get("company", domain, options, run)


@people_app.command("update")
@connected
@writes
def people_update(
    email: EmailArg,
    first_name: Annotated[str | None, typer.Option("--first-name")] = None,
    last_name: Annotated[str | None, typer.Option("--last-name")] = None,
    job_title: Annotated[str | None, typer.Option("--job-title")] = None,
    values: ValuesOpt = None,
    set_: SetOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Change values of the person with EMAIL (multiselect values are added to)."""
    with reporting(options):
        data = values_from(values, set_)
    if first_name is not None or last_name is not None:
        data["name"] = {"first_name": first_name or "", "last_name": last_name or ""}
    if job_title is not None:
        data["job_title"] = job_title
    _update("person", email, data, options, run)


@people_app.command("delete")
@connected
@writes
def people_delete(
    email: EmailArg,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Delete the person with EMAIL."""
    _delete("person", email, options, run)


@companies_app.command("update")
@connected
@writes
def companies_update(
    domain: DomainArg,
    name: Annotated[str | None, typer.Option("--name")] = None,
    values: ValuesOpt = None,
    set_: SetOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Change values of the company with DOMAIN (multiselect values are added to)."""
    with reporting(options):
        data = values_from(values, set_)
    if name is not None:
        data["name"] = name
    _update("company", domain, data, options, run)


@companies_app.command("delete")
@connected
@writes
def companies_delete(
    domain: DomainArg,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Delete the company with DOMAIN."""
    _delete("company", domain, options, run)
