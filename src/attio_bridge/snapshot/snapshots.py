"""``Snapshots``: chosen Attio records saved as JSON files in a project's git repository, with
an index of what was imported in the state store.

Reads take as few requests as Attio allows: records by ``{"record_id": {"$in": [...]}}``
queries of 500 ids, whose one page holds every match (a few such queries in flight at once,
decoded in order as Attio's JSON, without a model of each record); list entries, which Attio
cannot filter by entry id, by ``{"parent_record": {"target_record_id": {"$in": [...]}}}``
queries on their list (refresh), or, when importing, one ``GET`` each for a few and pages of
the whole list for more; pages stop as soon as every entry looked for was found. The ``reads``
a result reports are these requests; the workspace schema, which decoding needs, is read once
by the services and cached.

A refresh reads with Attio's SQL (``POST /v2/sql``, ``values.sql``) where the workspace allows
it: one query per ``SQL_PAGE`` (5,000) records or entries, ``WHERE record_id IN (...)`` or, on
a list's table, ``WHERE entry_id IN (...)``. A refusal of the first query (403: no Enterprise
plan, or a token without the scopes; 404; 400 for that table) sends it back to the queries of
``$in`` above; both give the same files and index rows. SQL rows carry no web URL: a refreshed
snapshot keeps the one it was imported with.

Each import, refresh or removal is one commit (``git.ProjectRepo``) holding the snapshot's
files only, and then one write of the index (``state.SnapshotIndex``). A record whose content
did not change is not rewritten: ``imported_at`` is when its file's content was last taken from
Attio.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import quote

from ..client import AttioAPIError
from ..client.models import Entry
from ..errors import ConfigurationError, InvalidInputError, MissingError
from ..services import AsyncServices
from ..state import SnapshotIndex, StateStore
from ..values import WorkspaceSchema, decode_entry, decode_record
from ..values.sql import SQL_PAGE, SQL_REFUSALS, entries_sql, entry_row, record_row, records_sql
from . import files
from .git import DEFAULT_AUTHOR, Commit, ProjectRepo
from .slugs import unique_slug

__all__ = [
    "KINDS",
    "PAGE",
    "ImportResult",
    "ObjectKind",
    "Progress",
    "RefreshResult",
    "Snapshot",
    "Snapshots",
]

ObjectKind = Literal["companies", "people", "list-entries"]
KINDS: tuple[str, ...] = get_args(ObjectKind)
# Records a query returns at most, and ids one query asks for.
PAGE = 500
# Record queries in flight at once (well inside Attio's 100 reads a second).
_IN_FLIGHT = 4
# Up to this many list entries are read one GET each; more, by pages of their list.
_GET_EACH_UP_TO = 10
# Names a commit's subject shows before "and N more"; lines its body lists.
_NAMES_SHOWN = 3
_LINES_SHOWN = 100
_NOUNS = {
    "companies": ("company", "companies"),
    "people": ("person", "people"),
    "list-entries": ("list entry", "list entries"),
}


@dataclass(frozen=True)
class Snapshot:
    """One imported record, as the index row says."""

    user: str
    project: str
    record_id: str
    object_type: str
    name: str
    web_url: str
    path: str  # relative to the project folder: attio/people/ada-lovelace.json
    attributes: dict[str, Any]
    list_slug: str | None
    imported_at: datetime
    status: str  # "synced" | "pending" | "error"
    experiments: tuple[str, ...] = ()

    def row(self) -> dict[str, Any]:
        """The index row of this snapshot."""
        return {
            "user": self.user,
            "project": self.project,
            "record_id": self.record_id,
            "object_type": self.object_type,
            "name": self.name,
            "web_url": self.web_url,
            "path": self.path,
            "attributes": self.attributes,
            "list_slug": self.list_slug,
            "imported_at": self.imported_at,
            "status": self.status,
            "experiments": list(self.experiments),
        }


def _snapshot(row: Mapping[str, Any]) -> Snapshot:
    return Snapshot(**{**row, "experiments": tuple(row["experiments"])})


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the records imported (or, dry, that would be), the ids that could
    not be with why, the commit (None: dry run, or nothing changed) and the reads it took."""

    imported: list[Snapshot]
    failed: list[tuple[str, str]]
    commit: str | None
    reads: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did: the snapshots whose content changed, how many did not, the ids
    that could not be read (with why), the commit and the reads it took."""

    changed: list[Snapshot]
    unchanged: int
    failed: list[tuple[str, str]]
    commit: str | None
    reads: int
    sql: bool = False  # whether records were read with SQL (False: queries of ``$in``)


@dataclass(frozen=True)
class Progress:
    """``done`` of ``total`` records; ``current``: the one being handled, or the step."""

    done: int
    total: int
    current: str


ProgressCallback = Callable[[Progress], None]


@dataclass
class _Fetched:
    """A record or entry as read: its flat attributes, name and URL (entries: their parent's)."""

    record_id: str
    attributes: dict[str, Any]
    name: str = ""
    web_url: str = ""
    parent: tuple[str, str] | None = None  # an entry's (parent object, parent record id)


def _chunks(ids: Sequence[str], size: int = PAGE) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _unique(ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(i.strip() for i in ids if i.strip()))


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class _Reader:
    """The reads of one import or refresh, counted."""

    services: AsyncServices
    reads: int = 0
    sql: bool = False  # whether to try SQL; off for good once Attio refuses it (403, 404)
    used_sql: bool = False  # whether SQL answered
    _schema: WorkspaceSchema | None = field(default=None, repr=False)

    async def schema(self) -> WorkspaceSchema:
        if self._schema is None:
            self._schema = await self.services.schema.get()
        return self._schema

    async def _record(self, record: Mapping[str, Any]) -> _Fetched:
        flat = files.flat_attributes(decode_record(await self.schema(), record))
        rid = str(record["id"]["record_id"])
        return _Fetched(rid, flat, files.display_name(flat, rid), record.get("web_url") or "")

    async def records(
        self, object: str, ids: Sequence[str], seen: Callable[[int, str], None]
    ) -> dict[str, _Fetched]:
        """The records of ``object`` among ``ids``: one query per ``PAGE`` ids."""
        found: dict[str, _Fetched] = {}
        path = f"/v2/objects/{quote(object, safe='')}/records/query"
        client = self.services.context.client
        in_flight = asyncio.Semaphore(_IN_FLIGHT)

        async def page_of(chunk: Sequence[str]) -> list[dict[str, Any]]:
            # Attio's JSON as it comes, decoded once: a model of each record, dumped again for
            # decoding, would double the work of a refresh of thousands.
            body = {"filter": {"record_id": {"$in": list(chunk)}}, "limit": PAGE}
            async with in_flight:
                answer = await client.request("POST", path, json=body)
            data: list[dict[str, Any]] = answer["data"]
            return data

        # A few pages asked for at once, so that Attio prepares the next while this one is
        # decoded; decoded in order.
        pages = [asyncio.ensure_future(page_of(chunk)) for chunk in _chunks(ids)]
        try:
            for pending in pages:
                page = await pending
                self.reads += 1
                for record in page:
                    fetched = await self._record(record)
                    found[fetched.record_id] = fetched
                    seen(len(found), fetched.name)
        finally:
            for pending in pages:
                if pending.done() and not pending.cancelled():
                    pending.exception()  # seen: a failure of a later page is not logged
                else:
                    pending.cancel()
        return found

    async def _sql(self, query: str, *, first: bool) -> list[dict[str, Any]] | None:
        """The rows of ``query``; None when Attio refuses the ``first`` query of a table (a
        403 or 404 also stops every later try: the plan or the token will not change)."""
        try:
            rows = await self.services.context.client.sql.query(query)
        except AttioAPIError as exc:
            if not first or exc.status_code not in SQL_REFUSALS:
                raise
            self.sql = exc.status_code == 400
            return None
        finally:
            self.reads += 1
        self.used_sql = True
        return rows

    async def _sql_rows(
        self, query: Callable[[Sequence[str]], str], ids: Sequence[str]
    ) -> list[dict[str, Any]] | None:
        """The rows of ``query(chunk)`` for each ``SQL_PAGE`` of ``ids``; None when SQL is not
        to be used (then nothing was read but the refused query)."""
        if not self.sql:
            return None
        rows: list[dict[str, Any]] = []
        for n, chunk in enumerate(_chunks(ids, SQL_PAGE)):
            got = await self._sql(query(chunk), first=n == 0)
            if got is None:
                return None
            rows += got
        return rows

    async def records_by_sql(
        self, object: str, ids: Sequence[str], seen: Callable[[int, str], None]
    ) -> dict[str, _Fetched] | None:
        """The records of ``object`` among ``ids`` from its SQL table; None without SQL."""
        target = (await self.schema()).target(object, "object")
        rows = await self._sql_rows(lambda chunk: records_sql(target, chunk), ids)
        if rows is None:
            return None
        found: dict[str, _Fetched] = {}
        for row in rows:
            flat = files.flat_attributes(record_row(target, row))
            rid = str(row["record_id"])
            found[rid] = _Fetched(rid, flat, files.display_name(flat, rid))
            seen(len(found), found[rid].name)
        return found

    async def entries_by_sql(
        self, list_slug: str, ids: Sequence[str]
    ) -> dict[str, _Fetched] | None:
        """The entries ``ids`` of ``list_slug`` from the list's SQL table (without their
        parents' names); None without SQL."""
        target = (await self.schema()).target(list_slug, "list")
        rows = await self._sql_rows(lambda chunk: entries_sql(target, chunk), ids)
        if rows is None:
            return None
        parent = target.parent_object or ""
        found: dict[str, _Fetched] = {}
        for row in rows:
            flat = entry_row(target, parent, row)
            eid = str(row["entry_id"])
            found[eid] = _Fetched(
                eid, files.flat_attributes(flat), parent=(parent, flat["parent_record_id"])
            )
        return found

    async def _entry(self, entry: Entry) -> _Fetched:
        flat = files.flat_attributes(decode_entry(await self.schema(), entry))
        return _Fetched(entry.entry_id, flat, parent=(entry.parent_object, entry.parent_record_id))

    async def _pages(
        self, list_slug: str, filter: dict[str, Any] | None, wanted: set[str]
    ) -> dict[str, _Fetched]:
        """Entries of ``list_slug`` (matching ``filter``) whose ids are ``wanted``, page by
        page until every one is found or a short page ends the list."""
        client = self.services.context.client
        found: dict[str, _Fetched] = {}
        offset = 0
        while wanted - found.keys():
            kwargs: dict[str, Any] = {"filter": filter} if filter is not None else {}
            page = await client.entries.query(list_slug, limit=PAGE, offset=offset, **kwargs)
            self.reads += 1
            for entry in page:
                if entry.entry_id in wanted:
                    found[entry.entry_id] = await self._entry(entry)
            if len(page) < PAGE:
                break
            offset += PAGE
        return found

    async def entries(self, list_slug: str, ids: Sequence[str]) -> dict[str, _Fetched]:
        """The entries ``ids`` of ``list_slug``, with their parents' names and URLs."""
        found: dict[str, _Fetched] = {}
        if len(ids) <= _GET_EACH_UP_TO:
            client = self.services.context.client
            for entry_id in ids:
                try:
                    entry = await client.entries.get(list_slug, entry_id)
                except MissingError:
                    continue
                finally:
                    self.reads += 1
                found[entry_id] = await self._entry(entry)
        else:
            found = await self._pages(list_slug, None, set(ids))
        await self._name_entries(list(found.values()))
        return found

    async def entries_of_parents(
        self, list_slug: str, parents: Sequence[str], wanted: set[str]
    ) -> dict[str, _Fetched]:
        """The ``wanted`` entries of ``list_slug``, found through their parent records: one
        query per ``PAGE`` parents (more only for parents with several entries)."""
        found: dict[str, _Fetched] = {}
        for chunk in _chunks(parents):
            filter = {"parent_record": {"target_record_id": {"$in": list(chunk)}}}
            found |= await self._pages(list_slug, filter, wanted - found.keys())
        return found

    async def _name_entries(self, entries: Sequence[_Fetched]) -> None:
        """Each entry's name and web URL: its parent record's, read by queries of ``$in``."""
        by_object: dict[str, list[str]] = {}
        for entry in entries:
            assert entry.parent is not None
            by_object.setdefault(entry.parent[0], []).append(entry.parent[1])
        parents: dict[str, _Fetched] = {}
        for object, ids in by_object.items():
            parents |= await self.records(object, _unique(ids), lambda _n, _name: None)
        for entry in entries:
            assert entry.parent is not None
            parent = parents.get(entry.parent[1])
            entry.name = parent.name if parent else entry.parent[1]
            entry.web_url = parent.web_url if parent else ""


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InvalidInputError(
            f"the kind of records to import is one of {', '.join(KINDS)}, not {kind!r}"
        )


def _subject(verb: str, snapshots: Sequence[Snapshot], where: str) -> str:
    """``Import 3 people from Attio: Ada Lovelace, ...``: the first line of a commit."""
    kinds = {s.object_type for s in snapshots}
    count = len(snapshots)
    if len(kinds) == 1:
        one, many = _NOUNS.get(next(iter(kinds)), ("record", "records"))
    else:
        one, many = "record", "records"
    names = [s.name for s in snapshots[:_NAMES_SHOWN]]
    if count > _NAMES_SHOWN:
        names.append(f"and {count - _NAMES_SHOWN} more")
    return f"{verb} {count} {one if count == 1 else many} {where}: {', '.join(names)}"


def _message(subject: str, snapshots: Sequence[Snapshot]) -> str:
    lines = [f"- {s.name} ({s.record_id}): {s.path}" for s in snapshots[:_LINES_SHOWN]]
    if len(snapshots) > _LINES_SHOWN:
        lines.append(f"- ... and {len(snapshots) - _LINES_SHOWN} more")
    return subject + "\n\n" + "\n".join(lines) + "\n"


class Snapshots:
    """The snapshots of one project folder (a git repository) for one ``user``.

    ``project`` names the project in the index (default: the folder's name); ``author`` is
    the commits' ``Name <email>`` (default: the repository's ``user.name`` and
    ``user.email``, else ``attio-bridge <attio-bridge@localhost>``). ``NotARepositoryError``
    when ``project_dir`` is not a git repository's work tree (``init_project`` makes one).
    ``services`` reach Attio: without them, only what needs no read works (``list``,
    ``remove``, ``link``, ``history``, ``mark_stale``).
    """

    def __init__(
        self,
        project_dir: Path,
        *,
        services: AsyncServices | None = None,
        store: StateStore,
        user: str = "local",
        project: str | None = None,
        author: str | None = None,
    ) -> None:
        self.project_dir = Path(project_dir)
        self.services = services
        self.user = user
        self.project = project or self.project_dir.resolve().name
        self._repo = ProjectRepo(self.project_dir)
        self.author = author or self._repo.default_author() or DEFAULT_AUTHOR
        self._index = SnapshotIndex(store)

    def close(self) -> None:
        """Release the repository's files."""
        self._repo.close()

    def _reader(self) -> _Reader:
        if self.services is None:
            raise ConfigurationError(
                "reading records from Attio needs services: pass services= to Snapshots"
            )
        return _Reader(self.services)

    # -- reading the index ---------------------------------------------------------------------
    def list(self, *, kind: ObjectKind | None = None) -> builtins.list[Snapshot]:
        """The project's snapshots (of ``kind``), by kind, then name."""
        rows = self._index.rows(self.user, self.project, object_type=kind)
        return [_snapshot(r) for r in rows]

    def imported_ids(self) -> set[str]:
        """The record (and entry) ids imported into the project."""
        return {s.record_id for s in self.list()}

    def get(self, record_id: str) -> Snapshot:
        """The snapshot of ``record_id``; ``MissingError`` if it was not imported here."""
        row = self._index.get(self.user, self.project, record_id)
        if row is None:
            raise MissingError(
                f"record {record_id} is not imported into the project {self.project}; "
                "import it first"
            )
        return _snapshot(row)

    def history(self, record_id: str) -> builtins.list[Commit]:
        """The commits that changed ``record_id``'s file, newest first."""
        return self._repo.history(self.get(record_id).path)

    # -- importing ------------------------------------------------------------------------------
    def _taken(self, kind: str, rows: Sequence[Mapping[str, Any]], own: set[str]) -> set[str]:
        """Slugs in use in ``attio/KIND/``: the index's rows of other records, and files."""
        folder = self.project_dir / "attio" / kind
        taken = {p.stem for p in folder.glob("*.json")} if folder.is_dir() else set()
        taken |= {Path(r["path"]).stem for r in rows if r["record_id"] not in own}
        return taken

    def _plan(
        self,
        kind: str,
        fetched: Mapping[str, _Fetched],
        existing: Mapping[str, Mapping[str, Any]],
        list_slug: str | None,
        *,
        check_files: bool,
    ) -> tuple[builtins.list[Snapshot], dict[str, bytes], int]:
        """The snapshots of ``fetched`` records, the files to write and how many are
        unchanged. A record keeps its path and, unchanged, its import time. Unchanged means,
        with ``check_files`` (an import), that its file holds what would be written (a file
        edited or deleted by hand is written again); without (a refresh of thousands), that
        the index row holds the same values."""
        now = _now()
        taken: set[str] | None = None
        planned: builtins.list[Snapshot] = []
        writes: dict[str, bytes] = {}
        unchanged = 0
        for record_id, got in fetched.items():
            old = existing.get(record_id)
            if old is not None:
                path = old["path"]
            else:
                if taken is None:
                    kind_rows = self._index.rows(self.user, self.project, object_type=kind)
                    taken = self._taken(kind, kind_rows, set(existing))
                slug = unique_slug(got.name, record_id, taken)
                taken.add(slug)
                path = f"attio/{kind}/{slug}.json"
            name = got.name or (old["name"] if old else record_id)
            web_url = got.web_url or (old["web_url"] if old else "")
            entry_list = list_slug if kind == "list-entries" else None
            shown: dict[str, Any] = {
                "object_type": kind,
                "record_id": record_id,
                "name": name,
                "web_url": web_url,
                "attributes": got.attributes,
                "list_slug": entry_list,
            }
            imported_at = now
            if old is None:
                same = False
            elif check_files:
                same = self._repo.read(path) == files.render(
                    **shown, imported_at=old["imported_at"]
                )
            else:
                same = all(
                    old[k] == shown[k] for k in ("name", "web_url", "attributes", "list_slug")
                )
            if old is not None and same:
                imported_at = old["imported_at"]
                unchanged += 1
            else:
                writes[path] = files.render(**shown, imported_at=now)
            planned.append(
                Snapshot(
                    user=self.user,
                    project=self.project,
                    record_id=record_id,
                    object_type=kind,
                    name=name,
                    web_url=web_url,
                    path=path,
                    attributes=got.attributes,
                    list_slug=entry_list,
                    imported_at=imported_at,
                    status="synced",
                    experiments=tuple(old["experiments"]) if old else (),
                )
            )
        return planned, writes, unchanged

    async def import_records(
        self,
        kind: ObjectKind,
        ids: Sequence[str],
        *,
        list_slug: str | None = None,
        dry_run: bool = False,
        progress: ProgressCallback | None = None,
    ) -> ImportResult:
        """Import the records ``ids`` of ``kind`` (``companies``, ``people``, or the entries
        of the list ``list_slug``: ``list-entries``): one file each, one commit, one index
        write. A record imported before keeps its file (updated) and index row (replaced, its
        experiments kept). Ids Attio does not have are in ``failed``; with ``dry_run``
        nothing is written, and ``imported`` is what would be."""
        _check_kind(kind)
        if kind == "list-entries" and not list_slug:
            raise InvalidInputError(
                "importing list entries needs list_slug: the slug or id of their list"
            )
        if kind != "list-entries" and list_slug is not None:
            raise InvalidInputError(
                f"list_slug is for list entries only; {kind} are imported without it"
            )
        wanted = _unique(ids)
        if not wanted:
            raise InvalidInputError("no record ids to import; give at least one")
        total = len(wanted)
        notify = progress or (lambda _p: None)
        notify(Progress(0, total, "reading"))
        reader = self._reader()

        def seen(done: int, name: str) -> None:
            notify(Progress(done, total, name))

        if kind == "list-entries":
            assert list_slug is not None
            fetched = await reader.entries(list_slug, wanted)
            notify(Progress(len(fetched), total, "read"))
        else:
            fetched = await reader.records(kind, wanted, seen)
        fetched = {i: fetched[i] for i in wanted if i in fetched}
        failed = [(i, f"no {_NOUNS[kind][0]} {i} in Attio") for i in wanted if i not in fetched]
        notify(Progress(total, total, "writing"))
        with self._repo.locked():
            return self._write_import(kind, fetched, failed, list_slug, dry_run, reader.reads)

    def _write_import(
        self,
        kind: str,
        fetched: dict[str, _Fetched],
        failed: builtins.list[tuple[str, str]],
        list_slug: str | None,
        dry_run: bool,
        reads: int,
    ) -> ImportResult:
        """An import's files, commit and index rows, under the repository's lock."""
        rows = self._index.rows(self.user, self.project, record_ids=list(fetched))
        existing = {r["record_id"]: r for r in rows}
        clash = [r for r in rows if r["object_type"] != kind]
        if clash:
            raise InvalidInputError(
                f"record {clash[0]['record_id']} is imported as {clash[0]['object_type']}, "
                f"not {kind}; remove it first"
            )
        planned, writes, unchanged = self._plan(
            kind, fetched, existing, list_slug, check_files=True
        )
        if dry_run or not planned:
            return ImportResult(planned, failed, None, reads, unchanged)
        where = "from Attio" if list_slug is None else f"of {list_slug} from Attio"
        changed = [s for s in planned if s.path in writes]
        message = _message(_subject("Import", changed, where), changed) if changed else ""
        sha = self._repo.commit(writes, message, self.author)
        self._index.upsert([s.row() for s in planned])
        self._index.set_folder(self.user, self.project, self.project_dir)
        return ImportResult(planned, failed, sha, reads, unchanged)

    async def refresh(
        self,
        *,
        progress: ProgressCallback | None = None,
        dry_run: bool = False,
        sql: bool = True,
        record_ids: Sequence[str] | None = None,
    ) -> RefreshResult:
        """Read every imported record (of ``record_ids`` when given: the service refreshes
        the stale ones only) again, rewrite the files whose content changed in one commit, and
        set each row's status: ``synced``, or ``error`` for records Attio no longer has (in
        ``failed``). Reads: one SQL query per ``SQL_PAGE`` records where the workspace answers
        SQL (and ``sql``), else one query of ``$in`` per ``PAGE``."""
        wanted = None if record_ids is None else _unique(record_ids)
        rows = self._index.rows(self.user, self.project, record_ids=wanted)
        total = len(rows)
        notify = progress or (lambda _p: None)
        reader = self._reader()
        reader.sql = sql
        planned: builtins.list[Snapshot] = []
        writes: dict[str, bytes] = {}
        failed: builtins.list[tuple[str, str]] = []
        unchanged = 0
        done = 0
        groups: dict[tuple[str, str | None], builtins.list[dict[str, Any]]] = {}
        for row in rows:
            groups.setdefault((row["object_type"], row["list_slug"]), []).append(row)
        notify(Progress(0, total, "reading"))
        for (kind, list_slug), group in groups.items():
            ids = [r["record_id"] for r in group]

            def seen(count: int, name: str, start: int = done) -> None:
                notify(Progress(start + count, total, name))

            fetched = await self._read_again(reader, kind, list_slug, group, seen)
            # In the index's order, whichever way they were read.
            fetched = {i: fetched[i] for i in ids if i in fetched}
            existing = {r["record_id"]: r for r in group}
            got, to_write, same = self._plan(kind, fetched, existing, list_slug, check_files=False)
            planned += got
            writes |= to_write
            unchanged += same
            failed += [
                (i, f"no {_NOUNS.get(kind, ('record',))[0]} {i} in Attio any more")
                for i in ids
                if i not in fetched
            ]
            done += len(group)
            notify(Progress(done, total, kind))
        changed = [s for s in planned if s.path in writes]
        if dry_run:
            return RefreshResult(changed, unchanged, failed, None, reader.reads, reader.used_sql)
        sha = None
        if changed:
            notify(Progress(total, total, "committing"))
            message = _message(_subject("Refresh", changed, "from Attio"), changed)
            sha = self._repo.commit(writes, message, self.author)
        self._index.upsert([s.row() for s in changed])
        if rows:
            self._index.set_folder(self.user, self.project, self.project_dir)
        # Rows not rewritten: back to synced if they were stale, error if Attio lost them.
        status = {r["record_id"]: r["status"] for r in rows}
        back = [
            s.record_id for s in planned if s.path not in writes and status[s.record_id] != "synced"
        ]
        self._index.set_status(self.user, self.project, back, "synced")
        self._index.set_status(self.user, self.project, [i for i, _ in failed], "error")
        return RefreshResult(changed, unchanged, failed, sha, reader.reads, reader.used_sql)

    @staticmethod
    async def _read_again(
        reader: _Reader,
        kind: str,
        list_slug: str | None,
        group: Sequence[Mapping[str, Any]],
        seen: Callable[[int, str], None],
    ) -> dict[str, _Fetched]:
        """The refreshed records (or entries) of one index ``group``: by SQL, else by ``$in``."""
        ids = [r["record_id"] for r in group]
        if kind == "list-entries" and list_slug is not None:
            by_sql = await reader.entries_by_sql(list_slug, ids)
            if by_sql is not None:
                return by_sql
            parents = _unique([str(r["attributes"].get("parent_record_id", "")) for r in group])
            return await reader.entries_of_parents(list_slug, parents, set(ids))
        by_sql = await reader.records_by_sql(kind, ids, seen)
        return by_sql if by_sql is not None else await reader.records(kind, ids, seen)

    # -- changing the index and files -----------------------------------------------------------
    def remove(self, record_ids: Sequence[str]) -> str | None:
        """Remove the snapshots of ``record_ids``: their files in one commit (its sha; None
        when no file was there to remove) and their rows. ``MissingError`` naming the ids that
        are not imported, before anything is removed."""
        wanted = _unique(record_ids)
        rows = self._index.rows(self.user, self.project, record_ids=wanted)
        missing = sorted(set(wanted) - {r["record_id"] for r in rows})
        if missing:
            raise MissingError(
                f"not imported into the project {self.project}: {', '.join(missing)}; "
                "see the imported records with list()"
            )
        snapshots = [_snapshot(r) for r in rows]
        message = _message(_subject("Remove", snapshots, "from the snapshot"), snapshots)
        sha = self._repo.commit({s.path: None for s in snapshots}, message, self.author)
        self._index.delete(self.user, self.project, wanted)
        return sha

    def link(self, record_id: str, experiment: str) -> Snapshot:
        """Link the snapshot of ``record_id`` to ``experiment`` (kept in the index, once)."""
        experiment = experiment.strip()
        if not experiment:
            raise InvalidInputError("an experiment's name must not be empty")
        snapshot = self.get(record_id)
        if experiment in snapshot.experiments:
            return snapshot
        experiments = (*snapshot.experiments, experiment)
        self._index.set_experiments(self.user, self.project, record_id, experiments)
        return Snapshot(**{**snapshot.row(), "experiments": experiments})

    def mark_stale(self, record_id: str) -> bool:
        """Mark the snapshot of ``record_id`` ``pending`` (Attio changed it): what the service's
        ``record.updated`` handler calls. Whether a snapshot here changed status (False: not
        imported here, or pending already); ``refresh`` brings it back to ``synced``."""
        return self._index.mark_stale(record_id, user=self.user, project=self.project) > 0
