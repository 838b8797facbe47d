"""Read-only SQL over the workspace, as Attio's ``POST /v2/sql`` answers it, on SQLite.

Attio's SQL docs (docs.attio.com/sql/overview, /sql/available-data,
/sql/guides/querying-with-sql) expose one table per object in the schema ``objects`` (the default,
so ``FROM companies`` works) and one per list in ``lists`` (``FROM lists.sales``), each named by
its slug, with a column per attribute slug; records have ``record_id``, entries ``entry_id`` and
``parent_record``. ``information_schema.tables`` and ``.columns`` describe them.

No SQL is parsed here. Each workspace keeps an in-memory SQLite database (``objects``, ``lists``
and ``information_schema`` attached under those names); before a query, the tables it reads
(SQLite says which while compiling it against empty tables) are brought up to the workspace as
it is: filled again only when a record changed, from rows kept per record as long as the
record's JSON is (``Workspace.records_json``), and the whole database made anew when attributes
change. The query then runs with ``PRAGMA query_only`` and an authorizer that allows reading
and nothing else, a progress handler that stops it at the timeout, and a row cap.

Cells: a single value is a scalar (text, number, boolean, a date or timestamp as ISO text, an
option's or status's title, an email, a domain, a phone number), a structured value a JSON
object (a record reference ``{entity_definition_id, entity_instance_id}``, a personal name
``{first_name, last_name, full_name}``, a location, an actor ``{referenced_actor_type,
referenced_actor_id}``), a multiselect attribute a JSON array, no value NULL. Where Attio's engine
(PostgreSQL-like, with structs) and SQLite differ, a struct's field is read with
``json_extract(col, '$.field')`` or ``col ->> 'field'`` rather than ``col.field``.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from ..errors import FilterError
from .schema import Attribute, ListDef, ObjectDef, Parent

if TYPE_CHECKING:
    from ..workspace import Workspace

DEFAULT_TIMEOUT_S = 30.0  # "the Query SQL endpoint has a 30-second execution timeout"
DEFAULT_ROW_LIMIT = (
    10_000  # Attio documents none; ours, configurable (EmulatorConfig.sql_row_limit)
)
# How many SQLite virtual-machine steps between two looks at the clock.
_PROGRESS_STEPS = 10_000

# Declared column types: SQLite hands back these two converted (PARSE_DECLTYPES); numbers are
# declared without a type, so SQLite keeps 3.0 a float and 3 an integer, as the REST API has them.
_JSON = "ATTIO_JSON"
_BOOL = "ATTIO_BOOL"
sqlite3.register_converter(_JSON, orjson.loads)
sqlite3.register_converter(_BOOL, lambda raw: raw not in (b"0", b""))

_STRUCT_TYPES = frozenset(
    {"record-reference", "personal-name", "location", "actor-reference", "interaction"}
)
_SCALAR_FIELD = {
    "currency": "currency_value",
    "email-address": "email_address",
    "domain": "domain",
}
_ENVELOPE = frozenset({"active_from", "active_until", "created_by_actor", "attribute_type"})
# information_schema's data_type per attribute type (PostgreSQL names, as Attio's docs show).
_DATA_TYPES = {
    "number": "numeric",
    "currency": "numeric",
    "rating": "integer",
    "checkbox": "boolean",
    "date": "date",
    "timestamp": "timestamp with time zone",
}

# What the authorizer lets a query do: read tables and call functions, nothing else.
_ALLOWED = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)


class SqlError(FilterError):
    """A query Attio's SQL endpoint refuses: 400 ``invalid_request_error`` / ``filter_error``."""


@dataclass(frozen=True, slots=True)
class _Column:
    name: str
    decl: str
    data_type: str
    attr: Attribute | None = None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column(attr: Attribute) -> _Column:
    if attr.is_multiselect or attr.type in _STRUCT_TYPES:
        data_type = "ARRAY" if attr.is_multiselect else "STRUCT"
        return _Column(attr.api_slug, _JSON, data_type, attr)
    if attr.type == "checkbox":
        return _Column(attr.api_slug, _BOOL, "boolean", attr)
    if attr.type in ("number", "currency", "rating"):
        return _Column(attr.api_slug, "", _DATA_TYPES[attr.type], attr)
    return _Column(attr.api_slug, "TEXT", _DATA_TYPES.get(attr.type, "text"), attr)


def _cell(ws: Workspace, attr: Attribute, v: dict[str, Any]) -> Any:
    """One rendered value (Attio's REST read shape) as its SQL cell."""
    kind = attr.type
    if kind == "select":
        return v["option"]["title"]
    if kind == "status":
        return v["status"]["title"]
    if kind in _SCALAR_FIELD:
        return v.get(_SCALAR_FIELD[kind])
    if kind == "phone-number":
        return v.get("phone_number") or v.get("original_phone_number")
    if kind == "record-reference":
        target = ws.schema.find_object(v["target_object"])
        return {
            "entity_definition_id": target.id if target else v["target_object"],
            "entity_instance_id": v["target_record_id"],
        }
    if kind in _STRUCT_TYPES or "value" not in v:
        return {k: x for k, x in v.items() if k not in _ENVELOPE}
    return v["value"]


# Each workspace's SQL rows of records, by object id then record id: (the record's kept JSON, its
# row). The JSON (``Workspace.records_json``) is made anew whenever the record's values or the
# object's attributes change, so a row is reused exactly as long as the JSON it was made from.
_ROWS: weakref.WeakKeyDictionary[Workspace, dict[str, dict[str, tuple[bytes, list[Any]]]]] = (
    weakref.WeakKeyDictionary()
)


class _Table:
    """One SQL table: its columns, and its rows once ``fill`` has read them."""

    def __init__(self, schema: str, parent: Parent) -> None:
        self.schema = schema
        self.name = parent.api_slug
        self.parent = parent
        attrs = [a for a in parent.attributes.values() if not a.is_archived]
        head = (
            [_Column("entry_id", "TEXT", "uuid"), _Column("parent_record", _JSON, "STRUCT")]
            if isinstance(parent, ListDef)
            else [_Column("record_id", "TEXT", "uuid")]
        )
        taken = {c.name for c in head}
        self.columns = head + [_column(a) for a in attrs if a.api_slug not in taken]

    @property
    def target(self) -> str:
        return f"{self.schema}.{_quote(self.name)}"

    def _cells(self, ws: Workspace, head: list[Any], values: dict[str, Any]) -> list[Any]:
        row = list(head)
        for col in self.columns[len(head) :]:
            assert col.attr is not None
            cells = [_cell(ws, col.attr, v) for v in values.get(col.name, ())]
            row.append(cells if col.attr.is_multiselect else (cells[0] if cells else None))
        return [orjson.dumps(c).decode() if isinstance(c, dict | list) else c for c in row]

    def snapshot(self, ws: Workspace) -> tuple[tuple[bytes, ...] | None, list[list[Any]]]:
        """The table's rows now, and what they were made from: each record's kept JSON, the same
        objects as long as no record changed (None for a list's entries: always made anew)."""
        holders = list(ws.store.holders(self.parent).values())
        if isinstance(self.parent, ListDef):
            return None, [
                self._cells(
                    ws,
                    [
                        h.id,
                        {
                            "entity_definition_id": h.parent_object_id,
                            "entity_instance_id": h.parent_record_id,
                        },
                    ],
                    ws.render_entry(self.parent, h)["entry_values"],
                )
                for h in holders
            ]
        assert isinstance(self.parent, ObjectDef)
        ws.records_json(self.parent, holders)  # each record's JSON made or kept (json_cache)
        objects = _ROWS.setdefault(ws, {})
        kept = objects.get(self.parent.id, {})
        objects[self.parent.id] = fresh = {}  # only the records there are now
        rows, made_from = [], []
        for h in holders:
            assert h.json_cache is not None
            made = h.json_cache[1]
            hit = kept.get(h.id)
            if hit is None or hit[0] is not made:
                hit = (made, self._cells(ws, [h.id], orjson.loads(made)["values"]))
            fresh[h.id] = hit
            rows.append(hit[1])
            made_from.append(made)
        return tuple(made_from), rows

    @property
    def layout(self) -> tuple[Any, ...]:
        return (self.schema, self.name, tuple((c.name, c.decl) for c in self.columns))

    def create(self, db: sqlite3.Connection) -> None:
        cols = ", ".join(f"{_quote(c.name)} {c.decl}".strip() for c in self.columns)
        db.execute(f"CREATE TABLE {self.target} ({cols})")
        # Pages of an export go in id order: an index, not a sort of the table per page.
        key = _quote(self.columns[0].name)
        index = f"{self.schema}.{_quote('by_' + self.columns[0].name + '_' + self.name)}"
        db.execute(f"CREATE INDEX {index} ON {_quote(self.name)} ({key})")


def _information_schema(db: sqlite3.Connection, tables: Iterable[_Table]) -> None:
    db.execute("CREATE TABLE information_schema.tables (table_schema TEXT, table_name TEXT)")
    db.execute(
        "CREATE TABLE information_schema.columns (table_schema TEXT, table_name TEXT, "
        "column_name TEXT, ordinal_position INTEGER, data_type TEXT, is_nullable TEXT)"
    )
    for t in tables:
        db.execute("INSERT INTO information_schema.tables VALUES (?, ?)", (t.schema, t.name))
        db.executemany(
            "INSERT INTO information_schema.columns VALUES (?, ?, ?, ?, ?, 'YES')",
            [(t.schema, t.name, c.name, i, c.data_type) for i, c in enumerate(t.columns, 1)],
        )


def _tables_read(db: sqlite3.Connection, sql: str) -> set[str]:
    """The names of the tables ``sql`` reads, from SQLite's own compilation of it (``EXPLAIN``
    runs nothing): the authorizer hears of every table a statement reads, ``count(*)`` too."""
    read: set[str] = set()

    def note(action: int, table: str | None, *_: Any) -> int:
        if action == sqlite3.SQLITE_READ and table:
            read.add(table)
        return _authorize(action)

    db.set_authorizer(note)
    try:
        db.execute("EXPLAIN " + sql)
    except sqlite3.Error:
        pass  # run_sql runs it again and says why it fails
    finally:
        db.set_authorizer(None)
    return read


def _empty_database(tables: Iterable[_Table]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", detect_types=sqlite3.PARSE_DECLTYPES, check_same_thread=False)
    for schema in ("objects", "lists", "information_schema"):
        db.execute(f"ATTACH DATABASE ':memory:' AS {schema}")
    for t in tables:
        t.create(db)
    _information_schema(db, tables)
    db.commit()
    return db


Snapshot = dict[str, tuple[tuple[bytes, ...] | None, list[list[Any]]]]


@dataclass
class SqlQuery:
    """One query made ready on the event loop (``prepare``), run beside it (``run``): what the
    workspace holds is read only in ``prepare``."""

    sql: str
    layout: tuple[Any, ...]
    tables: list[_Table]
    rows: Snapshot


class SqlDatabase:
    """A workspace's SQLite database, kept between queries: a table is filled again only when
    one of its records changed since (or the attributes: then the whole database is made
    anew). Queries run one at a time, read-only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._layout: tuple[Any, ...] = ()
        self._filled: dict[str, tuple[bytes, ...] | None] = {}

    @staticmethod
    def prepare(ws: Workspace, sql: str) -> SqlQuery:
        """Read what ``sql`` needs of the workspace: the tables, and the rows of those it reads
        (SQLite names them while compiling it against empty tables)."""
        if not isinstance(sql, str) or not sql.strip():
            raise SqlError('"sql" is required: one SELECT statement, as a string.')
        tables = [_Table("objects", o) for o in ws.schema.objects.values()]
        tables += [_Table("lists", lst) for lst in ws.schema.lists.values()]
        probe = _empty_database(tables)
        try:
            read = _tables_read(probe, sql)
        finally:
            probe.close()
        rows = {t.target: t.snapshot(ws) for t in tables if t.name in read}
        return SqlQuery(sql, tuple(t.layout for t in tables), tables, rows)

    def run(
        self,
        query: SqlQuery,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        row_limit: int = DEFAULT_ROW_LIMIT,
    ) -> list[dict[str, Any]]:
        """``run_sql`` on the kept database, brought up to ``query``'s snapshot first."""
        with self._lock:
            db = self._refresh(query)
            return run_sql(db, query.sql, timeout_s=timeout_s, row_limit=row_limit)

    def _refresh(self, query: SqlQuery) -> sqlite3.Connection:
        if self._db is None or self._layout != query.layout:
            if self._db is not None:
                self._db.close()
            self._db, self._layout, self._filled = _empty_database(query.tables), query.layout, {}
        db = self._db
        db.set_authorizer(None)
        db.execute("PRAGMA query_only = OFF")
        width = {t.target: len(t.columns) for t in query.tables}
        for target, (made_from, rows) in query.rows.items():
            had = self._filled.get(target, ())
            same = (
                made_from is not None
                and had is not None
                and len(had) == len(made_from)
                and all(a is b for a, b in zip(had, made_from, strict=True))
            )
            if same and target in self._filled:
                continue
            db.execute(f"DELETE FROM {target}")
            marks = ", ".join("?" * width[target])
            db.executemany(f"INSERT INTO {target} VALUES ({marks})", rows)
            self._filled[target] = made_from
        db.commit()
        db.execute("PRAGMA query_only = ON")
        db.set_authorizer(_authorize)
        return db

    def close(self) -> None:
        """Release the database."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


_DATABASES: weakref.WeakKeyDictionary[Workspace, SqlDatabase] = weakref.WeakKeyDictionary()


def database_of(ws: Workspace) -> SqlDatabase:
    """The workspace's kept SQL database (made on first use, gone with the workspace)."""
    found = _DATABASES.get(ws)
    if found is None:
        found = _DATABASES[ws] = SqlDatabase()
    return found


def _authorize(action: int, *_: Any) -> int:
    return sqlite3.SQLITE_OK if action in _ALLOWED else sqlite3.SQLITE_DENY


def run_sql(
    db: sqlite3.Connection,
    sql: str,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    row_limit: int = DEFAULT_ROW_LIMIT,
) -> list[dict[str, Any]]:
    """The rows ``sql`` selects from ``db`` (``SqlDatabase.run``), each a dict by column name;
    ``SqlError`` for anything but one reading statement, a query past ``timeout_s`` seconds or
    one that returns more than ``row_limit`` rows."""
    if not isinstance(sql, str) or not sql.strip():
        raise SqlError('"sql" is required: one SELECT statement, as a string.')
    deadline = time.monotonic() + timeout_s
    db.set_progress_handler(lambda: int(time.monotonic() > deadline), _PROGRESS_STEPS)
    try:
        cursor = db.execute(sql)
        fetched = cursor.fetchmany(row_limit + 1)
    except sqlite3.Warning as exc:  # "You can only execute one statement at a time."
        raise SqlError(f"The query must be one SELECT statement: {exc}") from None
    except sqlite3.Error as exc:
        raise _refusal(exc, timeout_s) from None
    finally:
        db.set_progress_handler(None, 0)
    if len(fetched) > row_limit:
        raise SqlError(
            f"The query returns more than {row_limit} rows: add a LIMIT (and page with OFFSET)."
        )
    names = [d[0] for d in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in fetched]


def _refusal(exc: sqlite3.Error, timeout_s: float) -> SqlError:
    text = str(exc).rstrip(".")
    if text == "interrupted":
        return SqlError(
            f"The query ran longer than the {timeout_s:g}-second execution timeout: "
            "simplify it or select fewer rows."
        )
    if "not authorized" in text or "readonly" in text or "query_only" in text:
        return SqlError(
            "The SQL endpoint is read-only: only SELECT is supported (INSERT, UPDATE, DELETE "
            "and DDL statements are rejected)."
        )
    return SqlError(f"The query could not be run: {text}.")
