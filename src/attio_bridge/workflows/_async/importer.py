"""The async importer, written once; ``../_sync`` is generated from it. ``import_file()``
reads the file twice, looking up in the first pass (the plan) what each row would change and
writing in the second. The parts without Attio I/O are in ``workflows/importing/``.

How an import works and what it guarantees: docs/IMPORT.md.
"""

from __future__ import annotations

import builtins
import codecs
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...client import BadRequestError, NotFoundError
from ...errors import InvalidInputError, MissingError
from ...state import open_store
from ...values import AsyncSchemaCache, AttributeInfo, TargetSchema, WorkspaceSchema
from .._concurrency import DEFAULT_CONCURRENCY, AsyncLock, AsyncWorkers
from ..importing.checkpoint import (
    Checkpoint,
    default_checkpoint_path,
    identity_of,
    retire_legacy_checkpoint,
)
from ..importing.failures import FailureFile, default_failures_path
from ..importing.files import (
    BadLine,
    check_encoding,
    detect_encoding,
    encoding_name,
    read_headers,
    scan_rows,
)
from ..importing.mapping import LIST_PREFIX, choose_mappings
from ..importing.plan import (
    CREATE,
    OPAQUE,
    UNCHANGED,
    UPDATE,
    Ambiguous,
    Known,
    Planner,
    Verdict,
    added_attributes,
    by_email,
    given_form,
    holds,
    or_filter,
    planned_writes,
    stored_form,
)
from ..importing.report import ImportReport
from ..importing.rows import (
    KEY_PROPS,
    AmbiguousMatch,
    Encoded,
    MissingRequired,
    Reference,
    RowEncoder,
    ambiguous_message,
    describe_key,
    digest,
    key_filter,
    reference_of,
    references,
)
from ..importing.targets import (
    company_attribute,
    company_item,
    match_attributes,
    resolve_targets,
)

if TYPE_CHECKING:
    from ...client import AsyncAttioClient
    from ...client.models import Record
    from ...state import StateStore

__all__ = ["LOOKUP_BATCH", "company_value", "import_file"]

# Match keys per lookup query in the plan (one condition each of its ``$or``): a read per this
# many rows, from Attio's read budget (100/s), never the write budget (25/s).
LOOKUP_BATCH = 100
# Lookup queries in flight at once while the plan reads on.
_LOOKUPS_IN_FLIGHT = 4
# Searches with the same filter take the same of this many locks (see ``_upsert_by_search``).
_SEARCH_STRIPES = 1024


class _Lookup:
    """The plan's reads: for a batch of rows, the records (and list entries) their writes
    would touch, and a verdict per row (``CREATE``, ``UPDATE``, ``UNCHANGED``). Keeps the ids
    of the records referenced by a unique value (``refs``: None when none exists), as many as
    the file names distinct references."""

    def __init__(
        self,
        client: AsyncAttioClient,
        schema: WorkspaceSchema,
        target: TargetSchema,
        match_attrs: Sequence[AttributeInfo],
        search: bool,
        list_target: TargetSchema | None,
    ) -> None:
        self.client = client
        self.schema = schema
        self.target = target
        self.match_attrs = tuple(match_attrs)
        self.search = search
        self.list_target = list_target
        self.known = Known()
        self.refs = self.known.refs
        self._members = AsyncLock()  # loaded once, by the first batch asking
        self._members_loaded = False
        self._unsure: set[Reference] = set()  # several records, or a key not comparable
        self.added = added_attributes(target, match_attrs, search)

    async def classify(self, rows: Sequence[Encoded]) -> builtins.list[Verdict]:
        """The verdict of each row, in order. A lookup Attio refuses (400) leaves every row
        of the batch an update: the writes then decide, as they did without a lookup."""
        try:
            return await self._classify(rows)
        except BadRequestError:
            return [UPDATE] * len(rows)

    async def _classify(self, rows: Sequence[Encoded]) -> builtins.list[Verdict]:
        await self.resolve(
            ref for e in rows for v in (e.values, e.entry_values) for ref in references(v)
        )
        if any(by_email(e.values) for e in rows):
            await self._load_members()
        verdicts: builtins.list[Verdict | None] = [None] * len(rows)
        wanted: builtins.list[builtins.list[builtins.list[Any]]] = []
        keys: builtins.list[dict[str, Any]] = []  # per row, the key with references by id
        conditions: builtins.list[dict[str, Any]] = []
        for i, encoded in enumerate(rows):
            key, forms, verdicts[i] = self._key_of(encoded)
            keys.append(key)
            wanted.append(forms)
            if verdicts[i] is None:
                conditions += self._conditions(key)
        if not conditions:
            return [v or UPDATE for v in verdicts]
        found = [
            r
            async for r in self.client.records.iter(self.target.slug, filter=or_filter(conditions))
        ]
        to_check = self._judge(rows, found, wanted, keys, verdicts)
        if to_check:
            await self._check_entries(rows, to_check, verdicts)
        return [v or UPDATE for v in verdicts]

    async def _load_members(self) -> None:
        """An owner given by email: the members' ids, one read for the whole import."""
        async with self._members:
            if not self._members_loaded:
                for member in await self.client.workspace_members.list():
                    if member.email_address and "workspace_member_id" in member.id:
                        email = member.email_address.lower()
                        self.known.members[email] = member.id["workspace_member_id"]
                self._members_loaded = True

    def _key_of(
        self, encoded: Encoded
    ) -> tuple[dict[str, Any], builtins.list[builtins.list[Any]], Verdict | None]:
        """``(the row's key with references by id, its match forms, a verdict already
        certain)``: a reference to a record that does not exist means no record has this key
        (a create); one the plan could not resolve leaves it an update."""
        key: dict[str, Any] = {}
        forms: builtins.list[builtins.list[Any]] = []
        for attr in self.match_attrs:
            value = encoded.values[attr.slug]
            items = value if isinstance(value, builtins.list) else [value]
            resolved = [self._by_id(item) for item in items]
            if any(r is None for r in resolved):
                return key, forms, CREATE
            if any(r is OPAQUE for r in resolved):
                return key, forms, UPDATE
            key[attr.slug] = resolved if isinstance(value, builtins.list) else resolved[0]
            forms.append([given_form(attr.type, r, "match", self.known) for r in resolved])
        return key, forms, None

    def _conditions(self, key: Mapping[str, Any]) -> builtins.list[dict[str, Any]]:
        """The filter conditions finding the records of ``key``: one ``$and`` of the whole key
        for a search, one condition per value of the asserted attribute."""
        if self.search:
            return [key_filter(self.match_attrs, key)]
        (attr,) = self.match_attrs
        items = key[attr.slug] if attr.is_multiselect else [key[attr.slug]]
        return [key_filter([attr], {attr.slug: item}) for item in items]

    def _judge(
        self,
        rows: Sequence[Encoded],
        found: Sequence[Record],
        wanted: Sequence[Sequence[Sequence[Any]]],
        keys: Sequence[Mapping[str, Any]],
        verdicts: builtins.list[Verdict | None],
    ) -> dict[int, Record]:
        """Set the verdict of each row still open from the records ``found``; the rows whose
        record holds their values and whose list entry is still to compare, with the record."""
        # The records found, by the match form of their first key attribute's values.
        first = self.match_attrs[0]
        index: dict[Any, builtins.list[Record]] = {}
        for record in found:
            for v in record.values.get(first.slug, ()):
                index.setdefault(stored_form(first.type, v, "match"), []).append(record)
        to_check: dict[int, Record] = {}  # rows unchanged so far, with a list to look at
        for i, encoded in enumerate(rows):
            if verdicts[i] is not None:
                continue
            candidates = {r.id.record_id: r for w in wanted[i][0] for r in index.get(w, ())}
            matches = [r for r in candidates.values() if self._has_key(r, wanted[i])]
            if not matches:
                verdicts[i] = CREATE
            elif len(matches) > 1 and self.search:
                # The write would refuse it (``_upsert_by_search``): say so in the plan.
                ids = sorted(r.id.record_id for r in matches)
                message = ambiguous_message(self.target.slug, self.match_attrs, keys[i], ids)
                verdicts[i] = Ambiguous(message)
            elif len(matches) > 1 or not holds(
                self.target, matches[0].values, encoded.values, self.added, self.known
            ):
                verdicts[i] = UPDATE
            elif self.list_target is None:
                verdicts[i] = UNCHANGED
            else:
                to_check[i] = matches[0]
        return to_check

    def _has_key(self, record: Record, wanted: Sequence[Sequence[Any]]) -> bool:
        """Whether ``record`` has the key: one of its values (an assert matches any), or every
        value of every attribute (a search's ``$and``)."""
        if not self.search:
            return True  # found through the index by one of the values
        for attr, forms in zip(self.match_attrs, wanted, strict=True):
            have = [stored_form(attr.type, v, "match") for v in record.values.get(attr.slug, ())]
            if not all(f in have for f in forms):
                return False
        return True

    def _by_id(self, item: Any) -> Any:
        """``item`` with a reference by unique value replaced by the record id it resolved to;
        None when no record has it, ``OPAQUE`` when the plan could not tell."""
        ref = reference_of(item)
        if ref is None:
            return item
        if ref not in self.refs:
            return OPAQUE
        record_id = self.refs[ref]
        return (
            None if record_id is None else {"target_object": ref[0], "target_record_id": record_id}
        )

    async def _check_entries(
        self,
        rows: Sequence[Encoded],
        records: Mapping[int, Record],
        verdicts: builtins.list[Verdict | None],
    ) -> None:
        """Rows whose record is unchanged stay so when the record has one entry in the list
        and it holds the row's entry values (``assert_entry`` replaces them); else update."""
        assert self.list_target is not None
        ids = sorted({r.id.record_id for r in records.values()})
        flt = {"parent_record": {"target_record_id": {"$in": ids}}}
        entries: dict[str, builtins.list[Any]] = {}
        async for entry in self.client.entries.iter(self.list_target.slug, filter=flt):
            entries.setdefault(entry.parent_record_id, []).append(entry)
        for i, record in records.items():
            mine = entries.get(record.id.record_id, [])
            same = len(mine) == 1 and holds(
                self.list_target, mine[0].entry_values, rows[i].entry_values, (), self.known
            )
            verdicts[i] = UNCHANGED if same else UPDATE

    async def resolve(self, wanted: Iterable[Reference]) -> None:
        """Look up the records ``wanted`` name by a unique value (batched per object and
        attribute) and keep their ids in ``refs``."""
        groups: dict[tuple[str, str], builtins.list[tuple[Reference, Any]]] = {}
        for ref in dict.fromkeys(wanted):
            if ref in self.refs or ref in self._unsure:
                continue
            obj, by, items = ref
            attr = self.schema.target(obj, "object").attribute(by)
            parsed = json.loads(items)
            # Several values in one reference: which record Attio picks is not documented.
            if attr is None or attr.type not in KEY_PROPS or len(parsed) != 1:
                self._unsure.add(ref)
                continue
            groups.setdefault((obj, attr.slug), []).append((ref, parsed[0]))
        for (obj, by), refs in groups.items():
            attr = self.schema.target(obj, "object").attribute(by)
            assert attr is not None
            for start in range(0, len(refs), LOOKUP_BATCH):
                await self._resolve_batch(obj, attr, refs[start : start + LOOKUP_BATCH])

    async def _resolve_batch(
        self, obj: str, attr: AttributeInfo, chunk: Sequence[tuple[Reference, Any]]
    ) -> None:
        """One query for the records of ``chunk`` (references to ``obj`` by ``attr``)."""
        by = attr.slug
        flt = or_filter([key_filter([attr], {by: item}) for _, item in chunk])
        owners: dict[Any, set[str]] = {}
        async for record in self.client.records.iter(obj, filter=flt):
            for v in record.values.get(by, ()):
                form = stored_form(attr.type, v, "match")
                owners.setdefault(form, set()).add(record.id.record_id)
        for ref, item in chunk:
            form = given_form(attr.type, item, "match", Known())
            ids = owners.get(form, set())
            if len(ids) > 1 or form is OPAQUE:
                self._unsure.add(ref)
            else:
                self.refs[ref] = next(iter(ids)) if ids else None


async def company_value(client: AsyncAttioClient, attr: AttributeInfo, company: str) -> Any:
    """The encoded value linking to ``company`` (a domain, website or record id). A record id
    must exist (``MissingError`` if not); a domain is a reference by unique value, asserted before
    the rows. ``InvalidInputError`` when ``company`` is neither."""
    item, record_id = company_item(attr, company)
    if record_id is not None:
        try:
            await client.records.get("companies", record_id)
        except NotFoundError:
            raise MissingError(
                f"no company has record id {record_id!r}: pass the id of an existing "
                "company, or its domain (which creates it if missing)"
            ) from None
    return item


# A row read from the file, its number and its encoding, waiting for its lookup.
_Pending = tuple[int, Encoded, dict[str, Any]]


class _Run:
    """One import: ``prepare`` checks what the arguments name (before any row is read),
    ``plan`` reads the file and looks up what each row would change, ``write`` writes the
    rows to create or update. Each step fills ``report``."""

    def __init__(
        self,
        client: AsyncAttioClient,
        store: StateStore,
        path: Path,
        fmt: str | None,
        encoding: str,
        *,
        concurrency: int,
        max_writes: int | None,
        on_progress: Callable[[int, int], None] | None,
        on_read: Callable[[int, int], None] | None,
    ) -> None:
        self.client = client
        self.store = store
        self.path = path
        self.fmt = fmt
        self.encoding = encoding
        self.workers = AsyncWorkers(concurrency)
        self.max_writes = max_writes
        self.on_progress = on_progress
        self.on_read = on_read
        self.progress = 0
        self.stripes: dict[int, AsyncLock] = {}
        # The report, the failure file and the checkpoint are updated by concurrent writes (in
        # threads, in the sync twin): one at a time.
        self.books = AsyncLock()
        self.ref_ids: dict[Reference, str] = {}

    async def prepare(
        self,
        object: str,
        *,
        list: str | None,
        match: str | Sequence[str] | None,
        mapping: Mapping[str, str] | None,
        company: str | None,
        link: bool,
        dry_run: bool,
        checkpoint: Path | None,
        failures: Path | None,
        restart: bool,
        plan_writes: bool,
    ) -> ImportReport:
        """Resolve the object, list, match key, company and mapping; every mistake in them is
        raised here, before any row is read. The report, its counts still zero."""
        # A cache used once: the same read of the schema in both flavours.
        self.schema = schema = await AsyncSchemaCache(self.client).get()
        self.target, self.list_target = resolve_targets(schema, object, list)
        self.match_attrs, self.search = match_attributes(self.target, match)
        self.match_slugs = tuple(a.slug for a in self.match_attrs)
        fixed: dict[str, Any] = {}
        taken = None
        if company is not None:
            company_attr = company_attribute(self.target)
            taken = company_attr.slug
            fixed[taken] = await company_value(self.client, company_attr, company)
        headers = read_headers(self.path, self.fmt, self.encoding)
        chosen, entry_mapping, unmapped = choose_mappings(
            self.target, self.list_target, headers, mapping, taken, self.path.name
        )
        self.encoder = RowEncoder(
            schema, self.target, chosen, self.match_slugs, self.list_target, entry_mapping, fixed
        )
        self.report = report = ImportReport(
            self.target.slug,
            ", ".join(self.match_slugs),
            chosen | {c: LIST_PREFIX + s for c, s in entry_mapping.items()},
            unmapped,
            search=self.search,
            list_slug=self.list_target.slug if self.list_target else None,
            company=company,
            dry_run=dry_run,
        )
        report.failures_path = failures or default_failures_path(self.path)
        report.encoding = self.encoding
        if codecs.lookup(self.encoding).name not in ("utf-8", "utf-8-sig"):
            name = encoding_name(self.encoding)
            report.notes.append(f"{self.path.name} is read as {name}: it is not UTF-8")
        legacy = checkpoint or default_checkpoint_path(self.path)
        if retire_legacy_checkpoint(legacy):
            report.notes.append(
                f"the checkpoint file {legacy} of an older version names no workspace nor "
                "file content, so it is not used: starting over (rows already in Attio are "
                "found unchanged)"
            )
        # The workspace the rows go to: the API's URL and the workspace the key belongs to.
        me = await self.client.identify()
        workspace = f"{self.client.base_url} {me.workspace_id or ''}".strip()
        identity = identity_of(
            self.path,
            workspace,
            report.mapping,
            object=report.object,
            match=report.match,
            list_slug=report.list_slug,
            company=company,
        )
        self.state = Checkpoint(self.store, identity, restart=restart, dry_run=dry_run)
        report.checkpoint_key = self.state.key
        report.checkpoint_store = where = self.store.url_for_display
        report.checkpoint_saved = self.state.saved
        for what in self.state.replaced:
            report.notes.append(
                f"the checkpoint of {self.path.name} was for another {' and '.join(what)}: "
                "starting over"
            )
        if self.state.restarted:
            done = "would be discarded" if dry_run else "is discarded"
            report.notes.append(f"the checkpoint of {self.path.name} {done}: starting over")
        if self.state.done:
            report.notes.append(
                f"resuming from the checkpoint in the state store {where}, "
                f"{len(self.state.done)} rows done"
            )
        self.failed = FailureFile(report.failures_path, headers)
        self.planner = Planner(
            report, self.encoder, self.failed, self.state.done, None if link else fixed
        )
        if dry_run and plan_writes:
            self.planner.kinds = {}
        return report

    async def plan(self) -> None:
        """Pass 1: check every row and look up what it would change, in batches of
        ``LOOKUP_BATCH`` with a few lookups in flight; keep only what ``Planner`` keeps."""
        self.lookup = _Lookup(
            self.client, self.schema, self.target, self.match_attrs, self.search, self.list_target
        )
        # Rows waiting for their lookup, kept whole so an ambiguous one can go to the failure file.
        batches: builtins.list[builtins.list[_Pending]] = [[]]
        size = self.path.stat().st_size
        on_read = self.on_read
        read = None if on_read is None else (lambda done: on_read(done, size))
        for number, row in scan_rows(self.path, self.fmt, self.encoding, read):
            encoded = self.planner.take(number, row)
            if encoded is None:
                continue
            assert not isinstance(row, BadLine)
            batches[-1].append((number, encoded, row))
            if len(batches[-1]) == LOOKUP_BATCH:
                if len(batches) == _LOOKUPS_IN_FLIGHT:
                    await self._settle(batches)
                    batches = [[]]
                else:
                    batches.append([])
        await self._settle(batches)
        if self.planner.repeats:
            # Rows with the key of an earlier one: read both again to compare their values.
            wanted = self.planner.repeated_rows()
            self.planner.sort_repeats(
                (n, r)
                for n, r in scan_rows(self.path, self.fmt, self.encoding)
                if n in wanted and not isinstance(r, BadLine)
            )
        if read is not None:
            read(size)
        self.ref_ids = self.planner.finish(self.lookup.refs)
        if self.report.rows == 0:
            self.report.warnings.append(
                f"0 rows: {self.path.name} is empty or holds only a header; nothing to import"
            )

    async def _settle(self, batches: Sequence[Sequence[_Pending]]) -> None:
        """Classify the batches gathered (their lookups run together) and count them."""
        full = [b for b in batches if b]
        if not full:
            return
        lookups = [functools.partial(self.lookup.classify, [e for _, e, _ in b]) for b in full]
        verdicts = await AsyncWorkers(len(full)).all(lookups)
        for batch, kinds in zip(full, verdicts, strict=True):
            for (number, encoded, row), kind in zip(batch, kinds, strict=True):
                self.planner.count(number, encoded, row, kind)

    def list_writes(self) -> None:
        """A dry run's list of the writes the run would send (``report.requests``), from a
        second read of the file, as the write pass would make them."""
        kinds = self.planner.kinds
        assert kinds is not None

        def rows() -> Iterator[tuple[int, Encoded, str]]:
            for number, row in scan_rows(self.path, self.fmt, self.encoding):
                if number in kinds and not isinstance(row, BadLine):
                    encoded = self.encoder.encode(row)
                    if not isinstance(encoded, str):
                        yield number, encoded, kinds[number]

        refs = sorted(self.planner.refs)
        self.report.requests = builtins.list(
            planned_writes(self.encoder, self.search, refs, rows())
        )

    def stop_after_plan(self, strict: bool) -> bool:
        """Whether the run ends with the plan: a dry run, or ``strict`` with rows left out
        (then nothing is written and the report says it was aborted)."""
        report = self.report
        report.aborted = bool(strict and report.left_out)
        if not report.dry_run and report.aborted:
            self.failed.close()
        return report.dry_run or report.aborted

    async def write(self) -> None:
        """Pass 2: the referenced records first (they must exist to be linked to), then the
        rows to create or update. The checkpoint and the failure file are closed however the
        pass ends; a run that wrote every row removes its checkpoint."""
        await self._assert_references()
        finished = False
        try:
            await self.workers.results(self._calls())
            finished = not self.report.aborted and self.report.failed == 0
        finally:
            # Interrupted, writes may still be finishing (threads, in the sync twin): wait for
            # the one updating the books, then leave the checkpoint as it stands (or, every
            # row written, remove it).
            async with self.books:
                if finished:
                    self.state.remove()
                else:
                    self.state.flush()
                self.report.checkpoint_saved = self.state.saved
                self.failed.close()

    async def _assert_references(self) -> None:
        """Assert each record the rows reference by a unique value and the plan did not find.
        One that fails is not fatal: the rows linking to it fail with Attio's reason."""
        ordered = sorted(self.planner.refs)
        calls = [
            functools.partial(self.client.records.assert_record, obj, by, {by: json.loads(items)})
            for obj, by, items in ordered
        ]
        asserted = await self.workers.results(calls)
        # The ids of the referenced records, for search keys that hold a reference.
        self.ref_ids.update(
            (ref, result.value.id.record_id)
            for ref, result in zip(ordered, asserted, strict=True)
            if result.value is not None
        )

    def _calls(self) -> Iterator[Callable[[], Any]]:
        """The writes of the rows to create or update, read from the file again; stops after
        ``max_writes`` started, as an interruption would."""
        started = 0
        for number, row in scan_rows(self.path, self.fmt, self.encoding):
            if number in self.planner.skip or isinstance(row, BadLine):
                continue
            if self.max_writes is not None and started >= self.max_writes:
                self.report.aborted = True
                return
            started += 1
            yield functools.partial(self._write_row, number, row)

    async def _write_row(self, number: int, row: dict[str, Any]) -> None:
        """Write row ``number``; a failure goes to the failure file, a success to the
        checkpoint."""
        encoded = self.encoder.encode(row)
        try:
            if isinstance(encoded, str):  # the file changed since pass 1
                raise InvalidInputError(encoded)
            if self.search:
                record = await self._upsert_by_search(encoded.values, encoded.lacking)
            else:
                record = await self.client.records.assert_record(
                    self.target.slug, self.match_slugs[0], encoded.values
                )
            if self.list_target is not None:
                await self.client.entries.assert_entry(
                    self.list_target.slug,
                    parent_record_id=record.id.record_id,
                    parent_object=self.target.slug,
                    entry_values=encoded.entry_values,
                )
        except Exception as exc:
            async with self.books:
                self.report.failed += 1
                self.failed.add(number, row, str(exc))
                self._progressed()
        else:
            async with self.books:
                self.report.written += 1
                self.state.mark(number)
                self._progressed()

    def _progressed(self) -> None:
        """One more row written or failed: tell ``on_progress``."""
        self.progress += 1
        if self.on_progress is not None:
            self.on_progress(self.progress, self.report.to_write)

    async def _record_id_of(self, ref: Reference) -> str:
        """The id of the record ``ref`` names (asserted before the rows, else looked up once)."""
        if ref not in self.ref_ids:
            obj, by, items = ref
            attr = self.schema.target(obj, "object").attribute(by)
            if attr is None or attr.type not in KEY_PROPS:
                raise InvalidInputError(f"cannot look up {obj} by {by}")
            flt = key_filter([attr], {by: json.loads(items)})
            found = await self.client.records.query(obj, filter=flt, limit=1)
            if not found:
                raise MissingError(f"no {obj} record has {by} {items}")
            self.ref_ids[ref] = found[0].id.record_id
        return self.ref_ids[ref]

    async def _upsert_by_search(self, values: dict[str, Any], lacking: tuple[str, ...]) -> Record:
        """Update the one record whose key is ``values``', or create it if there is none.

        Rows with equal keys are duplicates in the plan, but two keys can differ as written and
        still search alike (a company by domain in one row, by record id in the next): the
        search and the create run under a lock chosen by the filter, so the second waits and
        finds what the first created. Striped, so the locks stay few whatever the file's size.
        """
        for slug in self.match_slugs:
            value = values[slug]
            items = []
            for item in value if isinstance(value, builtins.list) else [value]:
                ref = reference_of(item)
                if ref is not None:
                    record_id = await self._record_id_of(ref)
                    item = {"target_object": ref[0], "target_record_id": record_id}
                items.append(item)
            values[slug] = items if isinstance(value, builtins.list) else items[0]
        flt = key_filter(self.match_attrs, values)
        target = self.target.slug
        stripe = digest(json.dumps(flt, sort_keys=True, default=str)) % _SEARCH_STRIPES
        async with self.stripes.setdefault(stripe, AsyncLock()):
            found = await self.client.records.query(target, filter=flt, limit=2)
            if len(found) > 1:
                ids = sorted(r.id.record_id for r in found)
                raise AmbiguousMatch(ambiguous_message(target, self.match_attrs, values, ids))
            if not found:
                if lacking:
                    # Attio would refuse it (missing_value): say so without sending it.
                    raise MissingRequired(
                        f"no record of {target} matches {describe_key(self.match_attrs, values)}"
                        f", and a new one needs {', '.join(lacking)} (required): give the row a "
                        "value for it"
                    )
                return await self.client.records.create(target, values)
        # The record exists: updating it needs no lock.
        return await self.client.records.update(target, found[0].id.record_id, values)


async def import_file(
    client: AsyncAttioClient,
    object: str,
    path: Path,
    *,
    match: str | Sequence[str] | None = None,
    mapping: Mapping[str, str] | None = None,
    fmt: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    link: bool = True,
    checkpoint: Path | None = None,
    failures: Path | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    max_writes: int | None = None,
    list: str | None = None,
    on_plan: Callable[[ImportReport], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    company: str | None = None,
    encoding: str | None = None,
    store: StateStore | None = None,
    restart: bool = False,
    on_read: Callable[[int, int], None] | None = None,
    plan_writes: bool = False,
) -> ImportReport:
    """Upsert the rows of ``path`` (CSV or JSON Lines) into ``object``, matching on ``match``.

    ``object``: an object, or a list (slug or id), whose parent object takes the rows and which
    takes each record as an entry. ``match``: one attribute slug or several (a key, also as
    ``"name, associated_company"``); one unique attribute is asserted on, any other key is
    found through a records query (docs/IMPORT.md, "Matching"). Without it, ``email_addresses``
    or ``domains`` when the object has them.

    Each row is looked up first (batched reads) and counted as a create, an update or
    unchanged; unchanged rows are not written (docs/IMPORT.md, "The plan"). A dry run with
    ``plan_writes=True`` also lists every write it would send in ``report.requests``.

    ``mapping`` ({column: slug}) replaces the guessed one. ``on_plan`` sees the report once the
    file is checked and looked up, before any write; ``on_read(bytes, size)`` now and then while
    the plan reads the file; ``on_progress(done, total)`` after each row written or failed.
    ``max_writes`` stops after that many rows have been started, as an interruption would (the
    checkpoint keeps them): a test hook, and a way to import a file in slices. ``link=False``
    asserts no record the rows reference by a unique value. Failed and invalid rows go to
    ``failures`` (default ``FILE.failed.csv``, readable by its owner only).

    The checkpoint is kept in ``store`` (default: ``open_store()``, closed at the end), under
    a hash of the import's identity (docs/IMPORT.md, "The checkpoint"); ``checkpoint`` names
    the file where an older version kept it (default ``FILE.attio-import.json``), brought
    into the store once. A checkpoint belongs to one workspace, file content, mapping and set
    of options; a run of another import of the same file discards it and starts over, saying
    so in ``report.notes``; ``restart=True`` discards the checkpoint of this import too.

    ``list``: each imported record is also asserted as an entry of that list, with entry
    values from the columns mapped to the list's attributes (guessed from the columns the
    object did not take, or given in ``mapping`` as ``"list:SLUG"``). ``company``: a domain,
    website or record id every row is linked to (see ``company_value``). ``encoding``: the
    file's codec, instead of detecting it (docs/IMPORT.md, "Files").

    Raises ``MissingError`` for an unknown object, list, match attribute or company record id, and
    ``InvalidInputError`` for a key that cannot be matched on, a list of another object, a
    ``company`` the object cannot link to, a mapping naming a column the file lacks or an
    attribute the target lacks, a header naming a column twice, or an unknown ``encoding``
    (or one the file is not in); all before any row is read.
    """
    encoding = check_encoding(path, encoding) if encoding else detect_encoding(path)
    with ExitStack() as stack:
        if store is None:
            store = stack.enter_context(open_store())
        run = _Run(
            client,
            store,
            path,
            fmt,
            encoding,
            concurrency=concurrency,
            max_writes=max_writes,
            on_progress=on_progress,
            on_read=on_read,
        )
        report = await run.prepare(
            object,
            list=list,
            match=match,
            mapping=mapping,
            company=company,
            link=link,
            dry_run=dry_run,
            checkpoint=checkpoint,
            failures=failures,
            restart=restart,
            plan_writes=plan_writes,
        )
        await run.plan()
        if run.planner.kinds is not None:
            run.list_writes()
        if on_plan is not None:
            on_plan(report)
        if not run.stop_after_plan(strict):
            await run.write()
    return report
