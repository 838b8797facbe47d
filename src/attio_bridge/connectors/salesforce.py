"""The Salesforce connector: Contact, Account and Opportunity through ``simple-salesforce``.

``Salesforce(instance_url=..., session_id=...)`` takes any host, but simple-salesforce writes
every URL as ``https://{host}/...``; to reach a plain-HTTP base URL (the emulator's stand-in) the
connector hands it a ``requests`` session that rewrites that prefix to the configured base URL
(and gives every call a timeout, which simple-salesforce does not).

Reads: SOQL through ``query`` / ``query_more``. ``list_page`` pages by Id (``WHERE Id > last
ORDER BY Id LIMIT n``; its cursor is the last Id seen), not by query locator: a locator is a
server-side cursor to be used once, that expires after 15 minutes idle and holds the rows of
its query, so a page whose answer was lost could not be asked for again, and a full sync
resumed from a checkpointed locator would fail or see records deleted since. Incremental reads
filter on ``SystemModstamp`` (their cursor is Salesforce's ``nextRecordsUrl``); deleted ids
come from the sObject ``deleted`` resource (Salesforce keeps about 15 days of them), changed
ids from ``updated`` (``updated_ids``). ``fields`` is the sObject's describe. ``history`` reads
``ContactHistory`` / ``AccountHistory`` / ``OpportunityFieldHistory``: tracked changes only,
each ``NewValue`` from its ``CreatedDate`` on (the value a record was created with is not kept
by Salesforce's field history).

Many writes go through sObject Collections (``create_many`` / ``update_many``: ``POST`` /
``PATCH composite/sobjects``, 200 records a call, ``allOrNone`` false so one refused record
leaves the others written); created records are read back with one SOQL query per call.
Salesforce has no per-second limit, only the org's daily API request allocation (and 25
concurrent long-running requests), so ``rate`` paces nothing unless given.

Configuration: ``SALESFORCE_INSTANCE_URL`` (``https://yourorg.my.salesforce.com``),
``SALESFORCE_ACCESS_TOKEN`` (an OAuth access token or session id) and optionally
``SALESFORCE_API_VERSION`` (59.0). Every failure is a ``ConnectorError`` whose code is
Salesforce's ``errorCode``; ``REQUEST_LIMIT_EXCEEDED`` (the API request or concurrency limit)
and 5xx are retryable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceError

from ._common import Pacer, chunks, require_token, retry_after, setting, unknown_object, utc
from ._errors import ConnectorError
from .crm import ExternalRecord, FieldChange, Page

SYSTEM = "salesforce"
OBJECTS = ("Contact", "Account", "Opportunity")
HISTORY = {
    "Contact": ("ContactHistory", "ContactId"),
    "Account": ("AccountHistory", "AccountId"),
    "Opportunity": ("OpportunityFieldHistory", "OpportunityId"),
}
DEFAULT_VERSION = "59.0"
TIMEOUT = 30.0
COLLECTION_LIMIT = 200  # Salesforce: sObject Collections take at most 200 records
MAX_BATCH = 2000  # the most records one query answer holds
_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")


class _Session(requests.Session):
    """simple-salesforce's session: ``https://{host}`` -> the configured base URL; a timeout."""

    def __init__(self, base_url: str, host: str, timeout: float = TIMEOUT) -> None:
        super().__init__()
        self._from = f"https://{host}"
        self._to = base_url
        self._timeout = timeout

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        """Send as ``requests`` does, to the configured base URL, with a timeout by default."""
        target = url.decode() if isinstance(url, bytes) else url
        if target.startswith(self._from):
            target = self._to + target[len(self._from) :]
        kwargs.setdefault("timeout", self._timeout)
        verb = method.decode() if isinstance(method, bytes) else method
        return super().request(verb, target, *args, **kwargs)


class SalesforceConnector:
    """Contacts, Accounts and Opportunities of one Salesforce org, through an access token.

    ``instance_url`` is the org's URL (``https://yourorg.my.salesforce.com``; the emulator
    serves its stand-in at its own root). ``rate`` is ``(calls, seconds)``, a pace to keep
    (none by default: Salesforce's limit is per day); ``timeout`` the seconds a call may wait
    for an answer.
    """

    system = SYSTEM

    def __init__(
        self,
        instance_url: str,
        token: str,
        *,
        version: str = DEFAULT_VERSION,
        rate: tuple[int, float] = (0, 0.0),
        timeout: float = TIMEOUT,
    ) -> None:
        token = require_token(
            SYSTEM,
            token,
            "set SALESFORCE_ACCESS_TOKEN to an OAuth access token (or session id) of the org",
        )
        if not instance_url or not instance_url.strip():
            raise ConnectorError(
                SYSTEM,
                "not_configured",
                "no Salesforce instance URL given: set SALESFORCE_INSTANCE_URL to the org's URL "
                "(https://yourorg.my.salesforce.com)",
            )
        self.instance_url = instance_url.strip().rstrip("/")
        self.version = version
        probe = Salesforce(instance_url=self.instance_url, session_id=token, version=version)
        session = _Session(self.instance_url, probe.sf_instance, timeout)
        self._fields: dict[str, dict[str, str]] = {}
        self.pacer = Pacer(*rate)
        self._sf = Salesforce(
            instance_url=self.instance_url, session_id=token, version=version, session=session
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SalesforceConnector:
        """A connector from ``SALESFORCE_INSTANCE_URL``, ``SALESFORCE_ACCESS_TOKEN`` and
        ``SALESFORCE_API_VERSION``."""
        return cls(
            setting(environ, "SALESFORCE_INSTANCE_URL"),
            setting(environ, "SALESFORCE_ACCESS_TOKEN"),
            version=setting(environ, "SALESFORCE_API_VERSION") or DEFAULT_VERSION,
        )

    def __repr__(self) -> str:
        return f"SalesforceConnector(instance_url={self.instance_url!r})"

    # -- calls --------------------------------------------------------------------------------

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self.pacer.wait()
        try:
            return fn(*args, **kwargs)
        except SalesforceError as exc:
            raise _error(what, exc) from None
        except requests.RequestException as exc:
            raise ConnectorError(
                SYSTEM,
                "connection",
                f"Salesforce did not answer {what} ({type(exc).__name__}): check the network and "
                f"SALESFORCE_INSTANCE_URL ({self.instance_url}); the call may be tried again",
            ) from None

    def _type(self, object: str) -> Any:
        if object not in OBJECTS:
            raise unknown_object(SYSTEM, object, list(OBJECTS))
        return getattr(self._sf, object)

    def _query(self, what: str, soql: str, cursor: str | None, limit: int | None) -> Any:
        headers = {"Sforce-Query-Options": f"batchSize={limit}"} if limit else {}
        if cursor:
            if not cursor.startswith("/services/data/"):
                raise ConnectorError(
                    SYSTEM,
                    "invalid_cursor",
                    f"{cursor!r} is not a Salesforce nextRecordsUrl: pass back a next_cursor "
                    "this connector returned",
                )
            return self._call(
                what, self._sf.query_more, cursor, identifier_is_url=True, headers=headers
            )
        return self._call(what, self._sf.query, soql, headers=headers)

    def _page(self, object: str, answer: Any) -> Page:
        records = [_record(object, r) for r in answer.get("records", [])]
        following = None if answer.get("done", True) else answer.get("nextRecordsUrl")
        return Page(records, following)

    # -- the protocol -------------------------------------------------------------------------

    def objects(self) -> list[str]:
        """``Contact``, ``Account``, ``Opportunity``."""
        return list(OBJECTS)

    def fields(self, object: str) -> dict[str, str]:
        """Field name -> Salesforce type (``string``, ``email``, ``reference`` ...); cached."""
        kind = self._type(object)
        if object not in self._fields:
            answer = self._call(f"describing {object}", kind.describe)
            self._fields[object] = {f["name"]: f["type"] for f in answer.get("fields", [])}
        return dict(self._fields[object])

    def _select(self, object: str) -> str:
        return ", ".join(self.fields(object))

    def list_page(self, object: str, cursor: str | None = None, limit: int = 100) -> Page:
        """Up to ``limit`` live records (at most 2,000) after the Id ``cursor``, by Id."""
        self._type(object)
        after = ""
        if cursor is not None:
            if not _ID.fullmatch(cursor):
                raise ConnectorError(
                    SYSTEM,
                    "invalid_cursor",
                    f"{cursor!r} is not a Salesforce list cursor (a record Id): pass back a "
                    "next_cursor this connector returned",
                )
            after = f"WHERE Id > {_quote(cursor)} "
        size = max(1, min(limit, MAX_BATCH))
        soql = f"SELECT {self._select(object)} FROM {object} {after}ORDER BY Id ASC LIMIT {size}"
        answer = self._query(f"listing {object}", soql, None, size)
        records = [_record(object, r) for r in answer.get("records", [])]
        return Page(records, records[-1].id if len(records) == size else None)

    def modified_since(self, object: str, since: datetime, cursor: str | None = None) -> Page:
        """Records with ``SystemModstamp >= since``, oldest first."""
        self._type(object)
        soql = ""
        if not cursor:
            soql = (
                f"SELECT {self._select(object)} FROM {object} "
                f"WHERE SystemModstamp >= {_soql_time(since)} ORDER BY SystemModstamp ASC"
            )
        return self._page(object, self._query(f"querying {object}", soql, cursor, None))

    def deleted_since(self, object: str, since: datetime) -> list[str]:
        """Ids of records deleted from ``since`` until now (the sObject ``deleted`` resource)."""
        kind = self._type(object)
        # simple-salesforce sends whole seconds: the end a minute ahead covers this second.
        end = datetime.now(UTC) + timedelta(minutes=1)
        answer = self._call(f"listing deleted {object}", kind.deleted, utc(since), end)
        return [str(r["id"]) for r in answer.get("deletedRecords", [])]

    def updated_ids(self, object: str, start: datetime, end: datetime) -> list[str]:
        """Ids of records changed between ``start`` and ``end`` (the ``updated`` resource)."""
        kind = self._type(object)
        answer = self._call(f"listing updated {object}", kind.updated, utc(start), utc(end))
        return [str(i) for i in answer.get("ids", [])]

    def get(self, object: str, id: str) -> ExternalRecord | None:
        """One live record, or None."""
        kind = self._type(object)
        if not _ID.fullmatch(id):
            return None
        try:
            answer = self._call(f"reading {object} {id}", kind.get, id)
        except ConnectorError as err:
            if err.status == 404:
                return None
            raise
        return _record(object, answer)

    def find(self, object: str, field: str, value: str) -> list[ExternalRecord]:
        """Live records whose ``field`` equals ``value`` (SOQL ``WHERE field = 'value'``, the
        value escaped; SOQL compares text without case); at most 200."""
        self._type(object)
        if field not in self.fields(object):
            raise ConnectorError(
                SYSTEM,
                "INVALID_FIELD",
                f"{object} has no field {field!r}: check the mapping's match key against "
                "`fields()` (the sObject's describe)",
            )
        soql = (
            f"SELECT {self._select(object)} FROM {object} "
            f"WHERE {field} = {_quote(value)} ORDER BY Id ASC LIMIT 200"
        )
        return self._page(object, self._query(f"querying {object}", soql, None, None)).records

    def _read_back(self, object: str, id: str) -> ExternalRecord:
        found = self.get(object, id)
        if found is None:
            raise ConnectorError(
                SYSTEM, "NOT_FOUND", f"Salesforce has no {object} {id} right after writing it"
            )
        return found

    def create(self, object: str, properties: dict[str, Any]) -> ExternalRecord:
        """Create a record and read it back."""
        kind = self._type(object)
        answer = self._call(f"creating a {object}", kind.create, properties)
        return self._read_back(object, str(answer["id"]))

    def update(self, object: str, id: str, properties: dict[str, Any]) -> ExternalRecord:
        """Change some fields of a record and read it back."""
        kind = self._type(object)
        self._call(f"updating {object} {id}", kind.update, id, properties)
        return self._read_back(object, id)

    def _collection(self, what: str, method: str, records: list[dict[str, Any]]) -> Any:
        body = {"allOrNone": False, "records": records}
        return self._call(what, self._sf.restful, "composite/sobjects", method=method, json=body)

    def create_many(
        self, object: str, rows: Sequence[dict[str, Any]]
    ) -> list[ExternalRecord | ConnectorError]:
        """Create records, 200 a call (sObject Collections), read back with one query a call:
        each as stored, or Salesforce's error for it."""
        self._type(object)
        out: list[ExternalRecord | ConnectorError] = []
        for chunk in chunks(rows, COLLECTION_LIMIT):
            records = [{"attributes": {"type": object}, **row} for row in chunk]
            saved = self._collection(f"creating {len(chunk)} {object}", "POST", records)
            ids = [str(r["id"]) for r in saved if r.get("success")]
            stored = self._by_ids(object, ids)
            out += [
                stored.get(str(r.get("id"))) or _save_error(f"creating a {object}", r)
                for r in saved
            ]
        return out

    def update_many(
        self, object: str, changes: Sequence[tuple[str, dict[str, Any]]]
    ) -> list[ConnectorError | None]:
        """Change records, 200 a call (sObject Collections): None where written, else
        Salesforce's error for it."""
        self._type(object)
        out: list[ConnectorError | None] = []
        for chunk in chunks(changes, COLLECTION_LIMIT):
            records = [{"attributes": {"type": object}, "Id": i, **p} for i, p in chunk]
            saved = self._collection(f"updating {len(chunk)} {object}", "PATCH", records)
            out += [
                None if r.get("success") else _save_error(f"updating {object} {i}", r)
                for r, (i, _) in zip(saved, chunk, strict=True)
            ]
        return out

    def _by_ids(self, object: str, ids: list[str]) -> dict[str, ExternalRecord]:
        if not ids:
            return {}
        names = ", ".join(_quote(i) for i in ids)
        soql = f"SELECT {self._select(object)} FROM {object} WHERE Id IN ({names})"
        found: dict[str, ExternalRecord] = {}
        cursor: str | None = None
        while True:
            page = self._page(object, self._query(f"reading back {object}", soql, cursor, None))
            found |= {r.id: r for r in page.records}
            cursor = page.next_cursor
            if cursor is None:
                return found

    def delete(self, object: str, id: str) -> None:
        """Delete a record (to the recycle bin); one already gone is not an error."""
        kind = self._type(object)
        try:
            self._call(f"deleting {object} {id}", kind.delete, id)
        except ConnectorError as err:
            if err.status != 404:
                raise

    def history(self, object: str, id: str, fields: Sequence[str]) -> list[FieldChange]:
        """Tracked changes of ``fields`` (the object's field history), oldest first."""
        self._type(object)
        if not fields or not _ID.fullmatch(id):
            return []
        table, parent = HISTORY[object]
        names = ", ".join(_quote(f) for f in fields)
        soql = (
            f"SELECT Field, NewValue, CreatedDate FROM {table} WHERE {parent} = {_quote(id)} "
            f"AND Field IN ({names}) ORDER BY CreatedDate ASC"
        )
        changes: list[FieldChange] = []
        cursor: str | None = None
        while True:
            answer = self._query(f"reading {table}", soql, cursor, None)
            changes += [
                FieldChange(r["Field"], r["NewValue"], utc(r["CreatedDate"]))
                for r in answer.get("records", [])
            ]
            cursor = None if answer.get("done", True) else answer.get("nextRecordsUrl")
            if cursor is None:
                return changes


# -- helpers ------------------------------------------------------------------------------------


def _soql_time(when: datetime) -> str:
    dt = utc(when)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{dt.microsecond // 1000:03d}Z"


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _record(object: str, row: Mapping[str, Any]) -> ExternalRecord:
    properties = {k: v for k, v in row.items() if k != "attributes"}
    return ExternalRecord(
        object=object,
        id=str(row["Id"]),
        properties=properties,
        modified_at=utc(row["SystemModstamp"]),
        archived=bool(row.get("IsDeleted", False)),
    )


def _save_error(what: str, result: Mapping[str, Any]) -> ConnectorError:
    """The error of one SaveResult that did not succeed (or was not read back)."""
    errors = result.get("errors") or []
    first = errors[0] if errors else {}
    code = str(first.get("statusCode") or "NOT_FOUND")
    message = str(first.get("message") or "not found right after the write")
    return ConnectorError(
        SYSTEM,
        code,
        f"Salesforce refused {what} ({code}): {message[:300]}; check the values sent",
        status=404 if code in ("NOT_FOUND", "INVALID_CROSS_REFERENCE_KEY") else 400,
    )


def _error(what: str, exc: SalesforceError) -> ConnectorError:
    status = int(exc.status or 0)
    content = exc.content
    first = content[0] if isinstance(content, list) and content else content
    code, message = f"http_{status}", ""
    if isinstance(first, dict):
        code = str(first.get("errorCode") or code)
        message = str(first.get("message") or "")
    elif isinstance(first, str | bytes):
        message = first.decode(errors="replace") if isinstance(first, bytes) else first
    fix = {
        "INVALID_SESSION_ID": "check SALESFORCE_ACCESS_TOKEN: the session is expired or invalid",
        "REQUEST_LIMIT_EXCEEDED": "the org's API request limit was reached; try again later",
        "NOT_FOUND": "the record does not exist (or was deleted)",
        "INVALID_FIELD": "check the field names against `fields()` (the sObject's describe)",
    }.get(code, "Salesforce failed; try again later" if status >= 500 else "check the values sent")
    return ConnectorError(
        SYSTEM,
        code,
        f"Salesforce refused {what} ({status} {code}): {message[:300]}; {fix}",
        status=status or None,
        retry_after=retry_after(getattr(exc, "headers", None)),
    )
