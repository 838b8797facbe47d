"""The plan of an import, without Attio I/O: which rows are invalid, duplicates (or
conflicting duplicates: the same key, other values) or already done (``Planner``), and, given
what the lookup read, whether a row would create, update or leave a record unchanged (``holds``
and the value forms it compares); the writes a dry run lists (``planned_writes``). The reads
themselves are the run's (``workflows/_async/importer.py``). See docs/IMPORT.md, "The plan"."""

from __future__ import annotations

import builtins
import json
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...values import AttributeInfo, TargetSchema, decode_value
from .failures import FailureFile
from .files import BadLine, ShortRow
from .report import MAX_PROBLEMS, ImportReport, RowProblem
from .rows import Encoded, Reference, RowEncoder, describe_key, digest, reference_of, references

__all__ = [
    "CREATE",
    "OPAQUE",
    "UNCHANGED",
    "UPDATE",
    "Ambiguous",
    "Known",
    "Planner",
    "Verdict",
    "added_attributes",
    "by_email",
    "given_form",
    "holds",
    "or_filter",
    "planned_writes",
    "stored_form",
]

# Verdicts of the plan's lookup.
CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """The plan's verdict on a row whose key several records have (a search key): not
    written, ``message`` names the records."""

    message: str


Verdict = str | Ambiguous
# A value the plan cannot compare reliably: the attribute holding it counts as changed.
OPAQUE: Any = object()
# Types whose values ``values.decode_value`` reads alike from the read and the write shape.
_DECODED = frozenset(
    {"text", "number", "checkbox", "rating", "currency", "date", "timestamp", "domain"}
    | {"personal-name", "location"}
)


def _frozen(value: Any) -> Any:
    """``value`` hashable: dicts and lists as tuples."""
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def stored_form(kind: str, value: Mapping[str, Any], how: str) -> Any:
    """A value Attio holds (read shape) in the form compared. ``how``: ``match`` (what an
    ``$eq`` of the key compares), ``key`` (what makes two values of a multiselect one) or
    ``full`` (everything a write that replaces the value would set)."""
    if kind == "email-address":
        key = str(value.get("email_address") or "").lower()
        return (key, value.get("original_email_address")) if how == "full" else key
    if kind == "phone-number":
        number = value.get("phone_number") or value.get("original_phone_number")
        if how == "full":
            return (number, value.get("original_phone_number"), value.get("country_code"))
        return number
    if kind == "record-reference":
        return (value.get("target_object"), value.get("target_record_id"))
    if kind == "actor-reference":
        return (value.get("referenced_actor_type"), value.get("referenced_actor_id"))
    if kind in ("select", "status"):
        return decode_value(value, kind)  # the title
    if kind == "personal-name" and how == "match":
        return value.get("full_name")
    if kind in _DECODED:
        return _frozen(decode_value(value, kind))
    return OPAQUE


@dataclass(slots=True)
class Known:
    """What the plan looked up to compare references: the record ids of references by unique
    value (None when no record has it) and the member ids by lowercased email."""

    refs: dict[Reference, str | None] = field(default_factory=dict)
    members: dict[str, str] = field(default_factory=dict)


def given_form(kind: str, item: Any, how: str, known: Known) -> Any:
    """A value a row gives (encoded write shape) in the form ``stored_form`` gives; a
    reference by unique value or a member by email through ``known``; ``OPAQUE`` when the
    plan cannot tell what Attio would store."""
    if kind in ("select", "status"):
        title = item.get("option" if kind == "select" else "status")
        return title if isinstance(title, str) else OPAQUE
    if not isinstance(item, Mapping):  # a location as free text: Attio parses it
        return OPAQUE
    if kind == "email-address":
        sent = item.get("email_address")
        if not isinstance(sent, str):
            return OPAQUE
        return (sent.lower(), sent) if how == "full" else sent.lower()
    if kind == "phone-number":
        sent = item.get("original_phone_number")  # E.164, as the encoder writes it
        return (sent, sent, item.get("country_code")) if how == "full" else sent
    if kind == "record-reference":
        record_id = item.get("target_record_id")
        if record_id is None:
            ref = reference_of(item)
            record_id = known.refs.get(ref) if ref is not None else None
        return (item.get("target_object"), record_id) if record_id else OPAQUE
    if kind == "actor-reference":
        member = item.get("referenced_actor_id")
        email = item.get("workspace_member_email_address")
        if member is None and isinstance(email, str):
            member = known.members.get(email.lower())
        return ("workspace-member", member) if member else OPAQUE
    if kind == "personal-name" and how == "match":
        return item.get("full_name")
    if kind in _DECODED:
        return _frozen(decode_value(item, kind))
    return OPAQUE


def holds(
    target: TargetSchema,
    current: Mapping[str, Sequence[Mapping[str, Any]]],
    given: Mapping[str, Any],
    added: Container[str],
    known: Known,
) -> bool:
    """Whether ``current`` (a record's ``values`` or an entry's ``entry_values``, read shape)
    already holds everything ``given`` (encoded values) would write. An attribute in ``added``
    is added to by the write, so each given value must be there; any other is replaced, so it
    must hold the same values in the same order. Anything not comparable is a difference."""
    for slug, value in given.items():
        attr = target.attribute(slug)
        if attr is None:
            return False
        how = "key" if attr.slug in added else "full"
        items = value if isinstance(value, builtins.list) else [value]
        want = [given_form(attr.type, item, how, known) for item in items]
        have = [stored_form(attr.type, v, how) for v in current.get(attr.slug, ())]
        if any(f is OPAQUE for f in want) or any(f is OPAQUE for f in have):
            return False
        if attr.slug in added:
            if not all(w in have for w in want):
                return False
        elif want != have:
            return False
    return True


def added_attributes(
    target: TargetSchema, match_attrs: Sequence[AttributeInfo], search: bool
) -> frozenset[str]:
    """The attributes a row's write adds to rather than replaces. A search's update is a
    PATCH, which adds to every multiselect; an assert adds to the matching attribute only and
    replaces the others (API-NOTES §3)."""
    if search:
        return frozenset(a.slug for a in target.attributes.values() if a.is_multiselect)
    return frozenset(a.slug for a in match_attrs if a.is_multiselect)


def by_email(values: Mapping[str, Any]) -> bool:
    """Whether ``values`` name a workspace member by email (an actor reference)."""
    return any(
        isinstance(item, dict) and "workspace_member_email_address" in item
        for value in values.values()
        for item in (value if isinstance(value, builtins.list) else [value])
    )


def or_filter(conditions: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One filter matching any of ``conditions``."""
    return conditions[0] if len(conditions) == 1 else {"$or": builtins.list(conditions)}


def _within(row: Encoded, first: Encoded) -> bool:
    """Whether every value ``row`` gives, ``first`` gives too (an empty cell gives none)."""
    return all(first.values.get(k) == v for k, v in row.values.items()) and all(
        first.entry_values.get(k) == v for k, v in row.entry_values.items()
    )


class Planner:
    """The bookkeeping of the plan's pass over the file, kept small and fixed per row: a digest
    of each match key seen (for duplicates), the numbers of the rows not to write, and the
    references by unique value the rows to write hold. ``take`` sorts each row out before the
    lookup; ``count`` books the lookup's verdict."""

    def __init__(
        self,
        report: ImportReport,
        encoder: RowEncoder,
        failures: FailureFile,
        done: Container[int],
        linked: Mapping[str, Any] | None,
    ) -> None:
        self.report = report
        self.encoder = encoder
        self.failures = failures
        self.done = done  # rows an earlier run wrote
        self.linked = linked  # the values whose references are asserted first (None: the row's)
        # Per match key seen (its digest): the row it was first seen in.
        self.seen: dict[int, int] = {}
        # Rows with the key of an earlier row, and that row: a duplicate when it gives nothing
        # the earlier one does not, else a conflict (``sort_repeats``, once the file is read).
        self.repeats: builtins.list[tuple[int, int]] = []
        self.skip: set[int] = set()  # invalid, duplicates, unchanged and rows done before
        self.refs: set[Reference] = set()
        # The verdict of each row to write, kept only when a dry run lists its writes.
        self.kinds: dict[int, str] | None = None
        # Rows with fewer cells than the header, in ignored columns only: read, and warned of.
        self.short_rows = 0

    def left_out(
        self, number: int, row: Mapping[str, Any], message: str, raw: str | None = None
    ) -> None:
        """Row ``number`` has a problem: reported, never written."""
        self.skip.add(number)
        if len(self.report.problems) < MAX_PROBLEMS:
            self.report.problems.append(RowProblem(number, message))
        if not self.report.dry_run:
            self.failures.add(number, row, message, raw)

    def take(self, number: int, row: dict[str, Any] | BadLine) -> Encoded | None:
        """The encoded row when it needs a lookup; None when it is invalid, a duplicate of an
        earlier row or written by an earlier run (counted here)."""
        report = self.report
        report.rows += 1
        if isinstance(row, BadLine):
            report.invalid += 1
            self.left_out(number, {}, row.message, row.raw)
            return None
        if isinstance(row, ShortRow):
            mapped = self.encoder.mapping.keys() | self.encoder.entry_mapping.keys()
            lacking = [c for c in row.missing if c in mapped]
            if lacking:
                report.invalid += 1
                self.left_out(
                    number,
                    row,
                    f"the row has no cell for {', '.join(map(repr, lacking))} (fewer cells "
                    "than the header): add the missing cells, empty ones too",
                )
                return None
            self.short_rows += 1
        encoded = self.encoder.encode(row)
        if isinstance(encoded, str):
            report.invalid += 1
            self.left_out(number, row, encoded)
            return None
        key = digest(encoded.key)
        first = self.seen.get(key)
        if first is not None:
            self.skip.add(number)
            self.repeats.append((number, first))
            return None
        self.seen[key] = number
        if number in self.done:
            report.already_done += 1
            self.skip.add(number)
            return None
        return encoded

    def repeated_rows(self) -> set[int]:
        """The rows ``sort_repeats`` needs: each repeated row and the row it repeats."""
        return {n for pair in self.repeats for n in pair}

    def sort_repeats(self, rows: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
        """Count each repeated row a duplicate (every value it gives, the row it repeats
        gives: writing it would change nothing) or a conflict (left out, naming both rows),
        from ``rows``: at least the ``repeated_rows``, read again."""
        encoded: dict[int, Encoded] = {}
        cells: dict[int, Mapping[str, Any]] = {}
        wanted = self.repeated_rows()
        for number, row in rows:
            if number in wanted and isinstance(e := self.encoder.encode(row), Encoded):
                encoded[number], cells[number] = e, row
        attrs = [a for m in self.encoder.match if (a := self.encoder.target.attribute(m))]
        for number, first in self.repeats:
            mine, theirs = encoded.get(number), encoded.get(first)
            if mine is None or theirs is None or _within(mine, theirs):
                # (A row that no longer reads alike changed since: the write pass says so.)
                self.report.duplicates += 1
                continue
            self.report.conflicts += 1
            self.left_out(
                number,
                cells[number],
                f"the row has the key of row {first} ({describe_key(attrs, mine.values)}) but "
                f"other values: not written (row {first} is); merge the two rows and import "
                "this one again",
            )
        self.repeats.clear()

    def count(self, number: int, encoded: Encoded, row: Mapping[str, Any], kind: Verdict) -> None:
        """Book the lookup's verdict on row ``number``."""
        report = self.report
        if isinstance(kind, Ambiguous):
            report.ambiguous += 1
            self.left_out(number, row, kind.message)
            return
        if kind == UNCHANGED:
            report.unchanged += 1
            self.skip.add(number)
            return
        if kind == CREATE:
            report.creates += 1
        else:
            report.updates += 1
        if self.kinds is not None:
            self.kinds[number] = kind
        for slug in encoded.lacking:
            report.lacking_required[slug] = report.lacking_required.get(slug, 0) + 1
        self.refs.update(references(encoded.values if self.linked is None else self.linked))

    def finish(self, found: Mapping[Reference, str | None]) -> dict[Reference, str]:
        """End of the pass: the ids of the referenced records the lookup ``found`` (the rows
        link to them by id, so they need no assert); ``refs`` keeps the others, to assert."""
        self.seen.clear()
        if self.short_rows:
            self.report.warnings.append(
                f"{self.short_rows} rows have fewer cells than the header, in ignored columns "
                "only: those cells are read as empty"
            )
        ids = {ref: rid for ref in self.refs if (rid := found.get(ref)) is not None}
        self.refs.difference_update(ids)
        self.report.linked = len(self.refs)
        self.report.problems.sort(key=lambda p: p.row)  # ambiguous rows are found a batch later
        return ids


def planned_writes(
    encoder: RowEncoder,
    search: bool,
    refs: Sequence[Reference],
    rows: Iterable[tuple[int, Encoded, str]],
) -> Iterator[dict[str, Any]]:
    """The writes an import would send, as the dry runs of other commands list them
    (``{"method", "path", "body", "effect", "creates"}``): an assert of each record referenced
    by ``refs``, then per row to write (``(number, encoded, verdict)``) its record's write
    and, with a list, its entry's. What a row creates gets a placeholder id,
    ``dry-run:record-N``; a record a searched key finds is named by the key."""
    target = encoder.target.slug
    base = f"/v2/objects/{target}/records"
    for obj, by, items in refs:
        yield {
            "method": "PUT",
            "path": f"/v2/objects/{obj}/records?matching_attribute={by}",
            "body": {"data": {"values": {by: json.loads(items)}}},
            "effect": f"asserts the {obj} record with {by} {items}, linked to by the rows",
            "creates": None,
        }
    attrs = [a for m in encoder.match if (a := encoder.target.attribute(m)) is not None]
    made = 0
    for number, encoded, kind in rows:
        creates = None
        if kind == CREATE:
            made += 1
            creates = f"dry-run:record-{made}"
        record = creates or f"(the {target} record with {describe_key(attrs, encoded.values)})"
        body = {"data": {"values": encoded.values}}
        verb = "creates" if kind == CREATE else "updates"
        effect = f"row {number}: {verb} a {target} record" + (f", {creates}" if creates else "")
        if not search:
            path = f"{base}?matching_attribute={encoder.match[0]}"
            yield {
                "method": "PUT",
                "path": path,
                "body": body,
                "effect": effect,
                "creates": creates,
            }
        elif kind == CREATE:
            yield {
                "method": "POST",
                "path": base,
                "body": body,
                "effect": effect,
                "creates": creates,
            }
        else:
            path = f"{base}/{record}"
            yield {"method": "PATCH", "path": path, "body": body, "effect": effect, "creates": None}
        if encoder.list_target is not None:
            entry = {
                "parent_record_id": record,
                "parent_object": target,
                "entry_values": encoded.entry_values,
            }
            yield {
                "method": "PUT",
                "path": f"/v2/lists/{encoder.list_target.slug}/entries",
                "body": {"data": entry},
                "effect": f"row {number}: asserts the entry of {record} in "
                f"{encoder.list_target.slug}",
                "creates": None,
            }
