"""The HubSpot connector: contacts, companies and deals through ``hubspot-api-client``.

The SDK's generic CRM objects API (``crm.objects.basic_api`` / ``search_api``) serves all three
objects with one code path; its generated ``Configuration.host`` (set through
``HubSpot(host=...)``) points it at any base URL, the emulator's stand-in included. The SDK's own
retries are off (``Retry(0)``): the sync engine's job queue decides when to try again.

Incremental reads use the CRM search API: ``hs_lastmodifieddate GTE since``, sorted ascending,
100 per page. HubSpot's search stops at 10,000 results per query, so before a page would cross
that cap the cursor moves the since-time to the last record seen and starts over at offset 0
(records modified in that same millisecond may come twice; the engine's writes are idempotent).
Deleted records are HubSpot's archived ones (``archived=true`` listing, ``archivedAt``).

Many writes go through the batch endpoints (``create_many`` / ``update_many``: ``POST
/crm/v3/objects/{object}/batch/create|update``, 100 inputs a call); creates carry an
``objectWriteTraceId`` so HubSpot answers in its multi-status mode (207) and each input's result
or error is found by it. Every call waits for the connector's pace first: ``rate`` calls per
window (HubSpot's private-app default, 100 per 10 s; 190 on Professional and Enterprise
accounts, 250 with the API limit increase), so a run stays under the limit instead of meeting
429s.

Configuration: ``HUBSPOT_ACCESS_TOKEN`` (a private app's token) and ``HUBSPOT_API_URL``
(``https://api.hubapi.com`` by default). Every failure becomes a ``ConnectorError``: a 429
carries the wait (``Retry-After`` when sent, else the ``X-HubSpot-RateLimit-Interval-Milliseconds``
window of the policy that was hit; one second for the search API's per-second policy).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
import urllib3
from hubspot import HubSpot
from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.objects.exceptions import OpenApiException as ObjectsApiError
from hubspot.crm.properties.exceptions import OpenApiException as PropertiesApiError

from ._common import Pacer, chunks, require_token, retry_after, setting, unknown_object, utc
from ._errors import ConnectorError
from .crm import ExternalRecord, FieldChange, Page

SYSTEM = "hubspot"
DEFAULT_API_URL = "https://api.hubapi.com"
OBJECTS = ("contacts", "companies", "deals")
SEARCH_CAP = 10_000  # HubSpot: search endpoints return at most 10,000 results per query
SEARCH_LIMIT = 100  # the search API's largest page
MODIFIED = "hs_lastmodifieddate"
TIMEOUT = 30.0
BATCH_LIMIT = 100  # HubSpot: batch endpoints take at most 100 inputs
DEFAULT_RATE = (100, 10.0)  # private apps on Free and Starter accounts: 100 requests per 10 s
_HUBSPOT_ERRORS = (ObjectsApiError, PropertiesApiError)


class HubSpotConnector:
    """Contacts, companies and deals of one HubSpot account, through a private app's token.

    ``base_url`` is the API root (``https://api.hubapi.com``; the emulator serves its stand-in
    at its own root). ``search_cap`` is HubSpot's search result cap and ``search_page`` the
    search page size (lower both in tests to reach the cap with a few records). ``properties``
    names the properties to read per object (by default every one ``fields`` lists; an account
    with hundreds of custom properties may want fewer, to keep request URLs short). ``rate``
    is ``(calls, seconds)``, the pace kept (``(0, 0)``: none). ``timeout`` is the seconds a
    call may wait for HubSpot's answer.
    """

    system = SYSTEM

    def __init__(
        self,
        token: str,
        *,
        base_url: str | None = None,
        search_cap: int = SEARCH_CAP,
        search_page: int = SEARCH_LIMIT,
        properties: Mapping[str, Sequence[str]] | None = None,
        rate: tuple[int, float] = DEFAULT_RATE,
        timeout: float = TIMEOUT,
    ) -> None:
        token = require_token(
            SYSTEM, token, "set HUBSPOT_ACCESS_TOKEN to the access token of a HubSpot private app"
        )
        self.base_url = (base_url or DEFAULT_API_URL).rstrip("/")
        self.search_cap = search_cap
        self.search_page = search_page
        self.timeout = timeout
        self._client = HubSpot(
            access_token=token, host=self.base_url, retry=urllib3.Retry(0, redirect=False)
        )
        self._fields: dict[str, dict[str, str]] = {}
        self._properties = {k: list(v) for k, v in (properties or {}).items()}
        self.pacer = Pacer(*rate)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HubSpotConnector:
        """A connector from ``HUBSPOT_ACCESS_TOKEN`` and ``HUBSPOT_API_URL``."""
        return cls(
            setting(environ, "HUBSPOT_ACCESS_TOKEN"),
            base_url=setting(environ, "HUBSPOT_API_URL") or None,
        )

    def __repr__(self) -> str:
        return f"HubSpotConnector(base_url={self.base_url!r})"

    # -- calls --------------------------------------------------------------------------------

    def _call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self.pacer.wait()
        try:
            return fn(*args, _request_timeout=self.timeout, **kwargs)
        except _HUBSPOT_ERRORS as exc:
            raise _error(what, exc) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise ConnectorError(
                SYSTEM,
                "connection",
                f"HubSpot did not answer {what} ({type(exc).__name__}): check the network and "
                f"HUBSPOT_API_URL ({self.base_url}); the call may be tried again",
            ) from None

    def _object(self, object: str) -> str:
        if object not in OBJECTS:
            raise unknown_object(SYSTEM, object, list(OBJECTS))
        return object

    def _names(self, object: str) -> list[str]:
        chosen = self._properties.get(object)
        if chosen is None:
            return list(self.fields(object))
        # The modification time is what incremental sync runs on: always read it.
        return list(dict.fromkeys([*chosen, MODIFIED]))

    # -- the protocol -------------------------------------------------------------------------

    def objects(self) -> list[str]:
        """``contacts``, ``companies``, ``deals``."""
        return list(OBJECTS)

    def fields(self, object: str) -> dict[str, str]:
        """Property name -> HubSpot type (``string``, ``number``, ``datetime`` ...); cached."""
        self._object(object)
        if object not in self._fields:
            core = self._client.crm.properties.core_api
            answer = self._call(f"listing the {object} properties", core.get_all, object)
            self._fields[object] = {p.name: p.type for p in answer.results}
        return dict(self._fields[object])

    def list_page(self, object: str, cursor: str | None = None, limit: int = 100) -> Page:
        """One page of live records, every property included."""
        basic = self._client.crm.objects.basic_api
        answer = self._call(
            f"listing {self._object(object)}",
            basic.get_page,
            object,
            limit=limit,
            after=cursor,
            properties=self._names(object),
            archived=False,
        )
        return Page([_record(object, r) for r in answer.results], _next_after(answer))

    def modified_since(self, object: str, since: datetime, cursor: str | None = None) -> Page:
        """Records with ``hs_lastmodifieddate >= since``, oldest first (CRM search API).

        A ``cursor`` carries its own since-time (it moves past the search cap), so ``since`` only
        counts on the first call.
        """
        self._object(object)
        since_ms, after = _read_cursor(cursor) if cursor else (_ms(since), 0)
        request = PublicObjectSearchRequest(
            filter_groups=[
                FilterGroup(
                    filters=[Filter(property_name=MODIFIED, operator="GTE", value=str(since_ms))]
                )
            ],
            sorts=[{"propertyName": MODIFIED, "direction": "ASCENDING"}],
            properties=self._names(object),
            limit=self.search_page,
            after=str(after),
        )
        search = self._client.crm.objects.search_api
        answer = self._call(f"searching {object}", search.do_search, object, request)
        records = [_record(object, r) for r in answer.results]
        following = _next_after(answer)
        if following is None or not records:
            return Page(records, None)
        if int(following) + self.search_page <= self.search_cap:
            return Page(records, f"{since_ms}:{following}")
        # The next page would pass the search cap: search again from the last time seen.
        last = _ms(records[-1].modified_at)
        if last == since_ms:
            raise ConnectorError(
                SYSTEM,
                "search_cap",
                f"more than {self.search_cap} {object} share the modification time "
                f"{records[-1].modified_at.isoformat()}: HubSpot's search cannot page past them; "
                "run a full sync (list_page) instead",
            )
        return Page(records, f"{last}:0")

    def deleted_since(self, object: str, since: datetime) -> list[str]:
        """Ids of records archived at or after ``since`` (the ``archived=true`` listing)."""
        basic = self._client.crm.objects.basic_api
        self._object(object)
        found: list[str] = []
        after: str | None = None
        while True:
            answer = self._call(
                f"listing archived {object}",
                basic.get_page,
                object,
                limit=100,
                after=after,
                archived=True,
            )
            for r in answer.results:
                archived_at = r.archived_at or r.updated_at
                if archived_at is not None and utc(archived_at) >= since:
                    found.append(str(r.id))
            after = _next_after(answer)
            if after is None:
                return found

    def get(self, object: str, id: str) -> ExternalRecord | None:
        """One live record with every property, or None."""
        basic = self._client.crm.objects.basic_api
        try:
            answer = self._call(
                f"reading {self._object(object)} {id}",
                basic.get_by_id,
                object,
                id,
                properties=self._names(object),
            )
        except ConnectorError as err:
            if err.status == 404:
                return None
            raise
        return _record(object, answer)

    def find(self, object: str, field: str, value: str) -> list[ExternalRecord]:
        """Live records whose property ``field`` equals ``value`` (CRM search, ``EQ``; the
        first page)."""
        self._object(object)
        request = PublicObjectSearchRequest(
            filter_groups=[
                FilterGroup(filters=[Filter(property_name=field, operator="EQ", value=value)])
            ],
            properties=self._names(object),
            limit=self.search_page,
        )
        search = self._client.crm.objects.search_api
        answer = self._call(f"searching {object} by {field}", search.do_search, object, request)
        return [_record(object, r) for r in answer.results]

    def create(self, object: str, properties: dict[str, Any]) -> ExternalRecord:
        """Create a record; HubSpot's answer as an ``ExternalRecord``."""
        basic = self._client.crm.objects.basic_api
        body = SimplePublicObjectInputForCreate(properties=properties, associations=[])
        answer = self._call(f"creating a {self._object(object)} record", basic.create, object, body)
        return _record(object, answer)

    def update(self, object: str, id: str, properties: dict[str, Any]) -> ExternalRecord:
        """Change some properties of a record."""
        basic = self._client.crm.objects.basic_api
        body = SimplePublicObjectInput(properties=properties)
        answer = self._call(f"updating {self._object(object)} {id}", basic.update, object, id, body)
        return _record(object, answer)

    def create_many(
        self, object: str, rows: Sequence[dict[str, Any]]
    ) -> list[ExternalRecord | ConnectorError]:
        """Create records, 100 a call (batch create, multi-status): each as HubSpot stored it,
        or the error HubSpot gave for it."""
        batch = self._client.crm.objects.batch_api
        out: list[ExternalRecord | ConnectorError] = []
        for chunk in chunks(rows, BATCH_LIMIT):
            inputs = [
                SimplePublicObjectBatchInputForCreate(
                    properties=props, associations=[], object_write_trace_id=str(n)
                )
                for n, props in enumerate(chunk)
            ]
            answer = self._call(
                f"creating {len(chunk)} {self._object(object)} records",
                batch.create,
                object,
                BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs),
            )
            found = {str(r.object_write_trace_id): _record(object, r) for r in answer.results}
            failed = _batch_errors(answer, "objectWriteTraceId", f"creating a {object} record")
            out += [
                found.get(str(n)) or failed.get(str(n)) or _missing(object, f"input {n}")
                for n in range(len(chunk))
            ]
        return out

    def update_many(
        self, object: str, changes: Sequence[tuple[str, dict[str, Any]]]
    ) -> list[ConnectorError | None]:
        """Change records, 100 a call (batch update): None where written, else HubSpot's error."""
        batch = self._client.crm.objects.batch_api
        out: list[ConnectorError | None] = []
        for chunk in chunks(changes, BATCH_LIMIT):
            inputs = [SimplePublicObjectBatchInput(id=i, properties=p) for i, p in chunk]
            answer = self._call(
                f"updating {len(chunk)} {self._object(object)} records",
                batch.update,
                object,
                BatchInputSimplePublicObjectBatchInput(inputs=inputs),
            )
            done = {str(r.id) for r in answer.results}
            failed = _batch_errors(answer, "ids", f"updating a {object} record")
            out += [None if i in done else failed.get(i) or _missing(object, i) for i, _ in chunk]
        return out

    def delete(self, object: str, id: str) -> None:
        """Archive a record; one already gone is not an error."""
        basic = self._client.crm.objects.basic_api
        try:
            self._call(f"archiving {self._object(object)} {id}", basic.archive, object, id)
        except ConnectorError as err:
            if err.status != 404:
                raise

    def history(self, object: str, id: str, fields: Sequence[str]) -> list[FieldChange]:
        """Every value ``fields`` held (``propertiesWithHistory``), oldest first."""
        if not fields:
            return []
        basic = self._client.crm.objects.basic_api
        answer = self._call(
            f"reading the history of {self._object(object)} {id}",
            basic.get_by_id,
            object,
            id,
            properties_with_history=list(fields),
        )
        changes = [
            FieldChange(name, item.value, utc(item.timestamp))
            for name, items in (answer.properties_with_history or {}).items()
            for item in items
        ]
        return sorted(changes, key=lambda c: (c.changed_at, c.field))


# -- helpers ------------------------------------------------------------------------------------


def _ms(when: datetime) -> int:
    return int(utc(when).timestamp() * 1000)


def _read_cursor(cursor: str) -> tuple[int, int]:
    since, _, after = cursor.partition(":")
    try:
        return int(since), int(after or 0)
    except ValueError:
        raise ConnectorError(
            SYSTEM,
            "invalid_cursor",
            f"{cursor!r} is not a HubSpot search cursor: pass back a next_cursor this "
            "connector returned",
        ) from None


def _next_after(answer: Any) -> str | None:
    paging = getattr(answer, "paging", None)
    nxt = getattr(paging, "next", None) if paging is not None else None
    after = getattr(nxt, "after", None) if nxt is not None else None
    return str(after) if after is not None else None


def _record(object: str, found: Any) -> ExternalRecord:
    properties = dict(found.properties or {})
    modified = properties.get(MODIFIED) or found.updated_at
    return ExternalRecord(
        object=object,
        id=str(found.id),
        properties=properties,
        modified_at=utc(modified),
        archived=bool(found.archived),
    )


def _batch_errors(answer: Any, key: str, what: str) -> dict[str, ConnectorError]:
    """A batch answer's per-input errors, by the input each names in its ``context``."""
    out: dict[str, ConnectorError] = {}
    for err in getattr(answer, "errors", None) or []:
        status = {"OBJECT_NOT_FOUND": 404, "VALIDATION_ERROR": 400}.get(str(err.category), 400)
        error = ConnectorError(
            SYSTEM,
            str(err.category or "ERROR"),
            f"HubSpot refused {what} ({status}): {err.message}; check the values sent",
            status=status,
        )
        for ident in (err.context or {}).get(key, []):
            out[str(ident)] = error
    return out


def _missing(object: str, which: str) -> ConnectorError:
    return ConnectorError(
        SYSTEM,
        "MISSING_RESULT",
        f"HubSpot's batch answer named neither a result nor an error for {object} {which}; "
        "run the sync again",
    )


def _error(what: str, exc: Exception) -> ConnectorError:
    status = int(getattr(exc, "status", 0) or 0)
    headers = dict(getattr(exc, "headers", None) or {})
    try:
        body = orjson.loads(getattr(exc, "body", None) or b"{}")
    except orjson.JSONDecodeError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    message = str(body.get("message") or getattr(exc, "reason", "") or "no message")
    code = str(body.get("category") or body.get("errorType") or f"http_{status}")
    wait: float | None = None
    if status == 429:
        code = "RATE_LIMIT"
        wait = retry_after(headers)
        if wait is None:
            policy = str(body.get("policyName", ""))
            interval = next(
                (
                    v
                    for k, v in headers.items()
                    if k.lower() == "x-hubspot-ratelimit-interval-milliseconds"
                ),
                None,
            )
            wait = 1.0 if policy == "SECONDLY" or interval is None else int(interval) / 1000
    fix = {
        401: "check HUBSPOT_ACCESS_TOKEN: HubSpot refused the token",
        403: "give the private app the CRM scopes it needs (crm.objects.*.read/write)",
        404: "the record or object does not exist in HubSpot",
        429: f"HubSpot's rate limit was reached; try again in {wait} s",
    }.get(status, "HubSpot failed; try again later" if status >= 500 else "check the values sent")
    return ConnectorError(
        SYSTEM,
        code,
        f"HubSpot refused {what} ({status}): {message}; {fix}",
        status=status or None,
        retry_after=wait,
    )
