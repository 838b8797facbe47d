"""The Salesforce stand-in's model: Contact, Account and Opportunity of one org, their field
history, and a small SOQL evaluator; no HTTP.

SOQL understood (what the connector sends): ``SELECT f, ... FROM Object [WHERE cond [AND
cond]...] [ORDER BY f [ASC|DESC]] [LIMIT n]`` where a condition is ``field op literal`` (``=``,
``!=``, ``>``, ``>=``, ``<``, ``<=``; literals: 'quoted text' with backslash escapes, a datetime
such as ``2024-01-01T00:00:00Z``, a number, ``null``; text compared without case, as SOQL does)
or ``field IN ('a', 'b')``. Anything else is a
``MALFORMED_QUERY``. History objects (``ContactHistory``, ``AccountHistory``,
``OpportunityFieldHistory``) list each change of a field after the record's creation, as
Salesforce's field history tracking does.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from .._crm import CrmError, CrmRecord, CrmStore, RateWindow

READ_ONLY = frozenset({"Id", "CreatedDate", "LastModifiedDate", "SystemModstamp", "IsDeleted"})
_COMMON = {
    "Id": "id",
    "IsDeleted": "boolean",
    "CreatedDate": "datetime",
    "LastModifiedDate": "datetime",
    "SystemModstamp": "datetime",
}
FIELDS: dict[str, dict[str, str]] = {
    "Contact": {
        "FirstName": "string",
        "LastName": "string",
        "Email": "email",
        "Phone": "phone",
        "Title": "string",
        "AccountId": "reference",
        **_COMMON,
    },
    "Account": {
        "Name": "string",
        "Website": "url",
        "Industry": "picklist",
        "BillingCity": "string",
        "NumberOfEmployees": "int",
        **_COMMON,
    },
    "Opportunity": {
        "Name": "string",
        "StageName": "picklist",
        "Amount": "currency",
        "CloseDate": "date",
        "AccountId": "reference",
        **_COMMON,
    },
}
# The fields a create must give (Salesforce's REQUIRED_FIELD_MISSING otherwise); only the
# Opportunity's are held to it here.
REQUIRED = {"Opportunity": ("Name", "StageName", "CloseDate")}
PREFIX = {"Account": "001", "Contact": "003", "Opportunity": "006"}
HISTORY = {
    "ContactHistory": ("Contact", "ContactId"),
    "AccountHistory": ("Account", "AccountId"),
    "OpportunityFieldHistory": ("Opportunity", "OpportunityId"),
}
SEED: dict[str, list[dict[str, Any]]] = {
    "Account": [
        {"Name": "Initech", "Website": "initech.example", "Industry": "Technology"},
        {"Name": "Umbrella", "Website": "umbrella.example", "BillingCity": "Raccoon City"},
    ],
    "Contact": [
        {"FirstName": "Peter", "LastName": "Gibbons", "Email": "peter@initech.example"},
        {"FirstName": "Alice", "LastName": "Abernathy", "Email": "alice@umbrella.example"},
    ],
    "Opportunity": [
        {"Name": "Initech TPS", "StageName": "Prospecting", "CloseDate": "2027-03-31"},
    ],
}


def _new_id(object: str, n: int) -> str:
    return f"{PREFIX[object]}5g00000{n:08d}"


def malformed(message: str) -> CrmError:
    """Salesforce's ``MALFORMED_QUERY`` refusal."""
    return CrmError(400, "MALFORMED_QUERY", message)


def sf_time(dt: datetime) -> str:
    """A datetime as Salesforce writes it: ``2024-01-01T00:00:00.000+0000``."""
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{dt.microsecond // 1000:03d}+0000"


class SalesforceModel(CrmStore):
    """One Salesforce org's Contacts, Accounts and Opportunities, seeded, and its rate window."""

    def __init__(self, rate: tuple[int, float] = (0, 86400.0), *, seed: bool = True) -> None:
        super().__init__(FIELDS, _new_id, read_only=READ_ONLY)
        self.rate = RateWindow(*rate)
        if seed:
            for object, rows in SEED.items():
                for row in rows:
                    self.create(object, row)

    def check_create(self, object: str, properties: dict[str, Any]) -> None:
        """Refuse a create without a field Salesforce requires, as Salesforce does."""
        self.check(object, properties)
        missing = [f for f in REQUIRED.get(object, ()) if properties.get(f) in (None, "")]
        if missing:
            raise CrmError(
                400,
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
            )

    def create(self, object: str, properties: dict[str, Any]) -> CrmRecord:
        """A new record; 400 ``REQUIRED_FIELD_MISSING`` without a required field."""
        self.check_create(object, properties)
        return super().create(object, properties)

    def find(self, id: str) -> CrmRecord:
        """A live record of any object by id (``NOT_FOUND`` otherwise)."""
        for records in self.records.values():
            record = records.get(id)
            if record is not None and record.deleted is None:
                return record
        raise CrmError(404, "NOT_FOUND", "The requested resource does not exist")

    def row(self, record: CrmRecord) -> dict[str, Any]:
        """Every field of ``record``, the kept ones included."""
        values = {n: record.properties.get(n) for n in self.fields[record.object]}
        values.update(
            Id=record.id,
            IsDeleted=record.deleted is not None,
            CreatedDate=sf_time(record.created),
            LastModifiedDate=sf_time(record.modified),
            SystemModstamp=sf_time(record.modified),
        )
        return values

    def history_rows(self, object: str) -> list[dict[str, Any]]:
        """The field history of ``object``: one row per change after creation."""
        parent_object, parent_field = HISTORY[object]
        rows: list[dict[str, Any]] = []
        for record in self.live(parent_object):
            for field, values in record.history.items():
                for i, (value, at) in enumerate(values[1:], start=1):
                    rows.append(
                        {
                            "Id": f"017{record.id[3:10]}{len(rows):08d}",
                            parent_field: record.id,
                            "Field": field,
                            "OldValue": values[i - 1][0],
                            "NewValue": value,
                            "CreatedDate": sf_time(at),
                        }
                    )
        return rows

    def query(self, soql: str) -> tuple[str, list[dict[str, Any]]]:
        """Run a SOQL query: the object's name and its rows (the selected fields)."""
        m = _SELECT.fullmatch(soql.strip())
        if m is None:
            raise malformed(f"unexpected query: {soql}")
        names = [n.strip() for n in m["fields"].split(",") if n.strip()]
        object = m["object"]
        if object in HISTORY:
            rows = self.history_rows(object)
            known = {"Id", HISTORY[object][1], "Field", "OldValue", "NewValue", "CreatedDate"}
        elif object in self.fields:
            rows = [self.row(r) for r in self.live(object)]
            known = set(self.fields[object])
        else:
            raise CrmError(400, "INVALID_TYPE", f"sObject type '{object}' is not supported.")
        for name in names:
            if name not in known:
                raise CrmError(400, "INVALID_FIELD", f"No such column '{name}' on {object}")
        for cond in _split_and(m["where"] or ""):
            rows = [r for r in rows if _test(cond, r, known)]
        if m["order"]:
            key = m["order"]
            if key not in known:
                raise CrmError(400, "INVALID_FIELD", f"No such column '{key}' on {object}")
            rows.sort(key=lambda r: (_sortable(r[key]), r["Id"]), reverse=m["dir"] == "DESC")
        if m["limit"]:
            rows = rows[: int(m["limit"])]
        return object, [{n: r[n] for n in names} for r in rows]


_SELECT = re.compile(
    r"SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<object>\w+)"
    r"(?:\s+WHERE\s+(?P<where>.+?))?"
    r"(?:\s+ORDER\s+BY\s+(?P<order>\w+)(?:\s+(?P<dir>ASC|DESC))?)?"
    r"(?:\s+LIMIT\s+(?P<limit>\d+))?",
    re.IGNORECASE | re.DOTALL,
)
_COND = re.compile(
    r"(?P<field>\w+)\s*(?:(?P<op>!=|>=|<=|=|>|<)\s*(?P<value>'(?:[^'\\]|\\.)*'|[^\s)]+)"
    r"|\s+IN\s*\((?P<values>[^)]*)\))",
    re.IGNORECASE,
)
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})")


_TOKEN = re.compile(r"'(?:[^'\\]|\\.)*'|\s+AND\s+|[^'\s]+|\s+", re.IGNORECASE)


def _split_and(where: str) -> list[str]:
    """The conditions joined by AND (an AND inside a quoted literal is text)."""
    parts, current = [], ""
    for token in _TOKEN.findall(where):
        if token.strip().upper() == "AND" and token != token.strip():
            parts.append(current)
            current = ""
        else:
            current += token
    parts.append(current)
    return [part for part in parts if part.strip()]


def _literal(raw: str) -> Any:
    if raw.startswith("'"):
        # SOQL's escapes: \' \" \\ \n ... (the character after the backslash, as text).
        return re.sub(r"\\(.)", r"\1", raw[1:-1])
    if raw.lower() == "null":
        return None
    if _DATETIME.fullmatch(raw):
        text = raw.replace("Z", "+00:00")
        if text[-5] in "+-" and ":" not in text[-5:]:
            text = text[:-2] + ":" + text[-2:]
        return datetime.fromisoformat(text)
    try:
        return float(raw)
    except ValueError:
        raise malformed(f"unexpected token: '{raw}'") from None


def _sortable(value: Any) -> Any:
    return "" if value is None else str(value)


def _test(cond: str, row: dict[str, Any], known: set[str]) -> bool:
    m = _COND.fullmatch(cond.strip())
    if m is None:
        raise malformed(f"unexpected condition: {cond}")
    field = m["field"]
    if field not in known:
        raise CrmError(400, "INVALID_FIELD", f"No such column '{field}'")
    value = row[field]
    if m["values"] is not None:
        wanted = [_literal(v.strip()) for v in m["values"].split(",") if v.strip()]
        return value in wanted
    literal = _literal(m["value"])
    if isinstance(literal, datetime) and isinstance(value, str):
        value = _literal(value)
    op = m["op"]
    if isinstance(value, str) and isinstance(literal, str):
        # "Comparisons on strings are case-insensitive" (for all but unique case-sensitive
        # fields, which these objects do not have).
        value, literal = value.casefold(), literal.casefold()
    if op == "=":
        return bool(value == literal)
    if op == "!=":
        return bool(value != literal)
    if value is None or literal is None:
        return False
    ops = {
        ">": value > literal,
        ">=": value >= literal,
        "<": value < literal,
        "<=": value <= literal,
    }
    return bool(ops[op])
