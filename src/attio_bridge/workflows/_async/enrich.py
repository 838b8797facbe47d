"""The enrichment run: ``enrich_records()`` reads the selected records, asks the provider about
each (in a worker thread: a provider is the caller's sync code), and writes per record the
values, the note and the status, in that order, so an interrupted run is finished by the next
one. What a provider's answer means is decided without I/O by ``_model.enrich.Planner``; the
module docstring there says what makes a run safe to repeat.
"""

from __future__ import annotations

from collections.abc import Mapping

from ...client import AttioError, AuthenticationError, PermissionDeniedError
from ...client.models import Record
from ...errors import InvalidInputError
from ...services import AsyncServices
from .._model.enrich import (
    FAILED,
    EnrichmentProvider,
    EnrichmentReport,
    Plan,
    Planner,
    Selection,
    check_mapping,
    status_slug,
    target_of,
)
from .._threads import in_thread

__all__ = ["enrich_records"]


async def _select(
    services: AsyncServices, planner: Planner, selection: Selection, status: str | None
) -> list[Record]:
    """The selected records, all read before anything is written."""
    target = planner.target
    if selection.list is None:
        assert status is not None  # checked by the caller
        return await services.records.find(target.slug, {status: selection.pending})
    lst = target_of(planner.schema, selection.list, "list")
    if lst.parent_object != target.slug:
        raise InvalidInputError(f"list {lst.slug!r} holds {lst.parent_object}, not {target.slug}")
    pending = {status: selection.pending} if status is not None else None
    entries = await services.lists.filter_entries(lst.slug, pending)
    ids = dict.fromkeys(e.parent_record_id for e in entries if e.parent_record_id)
    return [await services.records.get(target.slug, record_id) for record_id in ids]


async def _plan(planner: Planner, record: Record) -> Plan:
    """Ask the provider about ``record`` and plan what its answer means."""
    target = planner.enrichment_target(record)
    try:
        data = await in_thread(planner.provider.lookup, target)
    except Exception as exc:  # the provider is the caller's code: any failure is its own
        return planner.failed(target, exc)
    return planner.plan(target, data)


async def _apply(services: AsyncServices, planner: Planner, plan: Plan) -> None:
    """Write the values, the note, then the status; a failure is kept in the plan's result."""
    result = plan.result
    obj, record_id = planner.target.slug, result.record_id
    done: list[str] = []
    try:
        if plan.values:
            await services.records.update(obj, record_id, plan.values, overwrite=planner.overwrite)
            done.append("values written")
            title, body, marker = planner.note(result, plan.encoded)
            _, result.note = await services.notes.ensure(obj, record_id, title, body, marker=marker)
            done.append("note added")
        if result.status is not None and planner.status is not None:
            await services.records.update(obj, record_id, {planner.status: result.status})
    except (AuthenticationError, PermissionDeniedError):
        raise  # every other record would fail the same way
    except AttioError as exc:
        result.outcome = FAILED
        result.reason = f"{'; '.join(done) + '; then ' if done else ''}{exc}"


async def enrich_records(
    services: AsyncServices,
    *,
    object: str,
    provider: EnrichmentProvider,
    selection: Selection,
    mapping: Mapping[str, str] | None = None,
    overwrite: bool = False,
    dry_run: bool = False,
) -> EnrichmentReport:
    """Enrich the records of ``object`` that ``selection`` picks with ``provider``'s data.

    ``mapping`` ({provider field: attribute slug}) replaces the mapping guessed from the field
    names (as ``importer.guess_mapping`` does; unique attributes and the status attribute are
    then never written). Values set are only those that change, and a value already held is
    kept unless ``overwrite``. With ``dry_run`` the report says what would be done and nothing
    is written.

    Checked before anything is read or written: an unknown object, list or attribute (in the
    selection or the mapping) raises ``EnrichmentMissingError`` (a ``MissingError``, also a
    ``KeyError``); no selection, a list of another object or a status attribute that is not a
    single status or select raises ``InvalidInputError``; a status title that is not one of its
    options raises ``ValuesError``."""
    ws = await services.context.workspace()
    target = target_of(ws, object)
    if selection.list is None and selection.status_attribute is None:
        raise InvalidInputError(
            "nothing selects the records: give a list, a status attribute or both"
        )
    status = status_slug(target, selection)
    if status is not None:
        titles = [selection.pending, selection.done, selection.not_found]
        for title in titles:
            if title is not None:
                await services.context.encode(target.slug, {status: title})
    if mapping is not None:
        check_mapping(target, mapping)
    planner = Planner(
        ws, services.context.options, target, provider, selection, status, mapping, overwrite
    )
    report = EnrichmentReport(target.slug, provider.name, dry_run)
    for record in await _select(services, planner, selection, status):
        plan = await _plan(planner, record)
        if plan.result.outcome != FAILED and not dry_run:
            await _apply(services, planner, plan)
        elif dry_run and plan.encoded:
            plan.result.note = True
        report.results.append(plan.result)
    return report
