"""The Zoho connector: Zoho CRM's Services module (service offerings), read-only, over REST v7.

Zoho's Python SDK (zohocrmsdk) wants an OAuth token store, a "user signature" and its own
initialisation against Zoho's accounts server before any call, and cannot be pointed at a local
base URL without that machinery; the few calls this connector makes go straight to the REST API
through httpx instead (``transport`` is the test seam, as in ``client``).

Services sync one way, into Attio: ``create``, ``update`` and ``delete`` raise
``ConnectorError(code="read_only")``. Reads: ``GET /crm/v7/Services`` by page (``fields`` is
required in v7; the connector asks for every field of ``settings/fields``), modified records
through the ``If-Modified-Since`` header (Zoho's times are whole seconds: a record modified in
the same second as ``since`` may come again), deleted ids from ``/crm/v7/Services/deleted``,
records by a field's value from ``/crm/v7/Services/search?criteria=(field:equals:value)``
(``find``).
Past 2,000 records v7 pages only by ``page_token``: the cursor follows
``info.next_page_token`` when Zoho sends one. ``history`` is always ``[]``: Zoho keeps no field
history this API exposes.

Configuration: ``ZOHO_ACCESS_TOKEN`` (an OAuth access token, sent as ``Authorization:
Zoho-oauthtoken ...``) and ``ZOHO_API_URL`` (``https://www.zohoapis.com``; use your data
centre's, e.g. ``https://www.zohoapis.eu``). A 429 carries ``Retry-After`` or the
``X-RATELIMIT-RESET`` time as the wait.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from ._common import require_token, retry_after, setting, unknown_object, utc
from ._errors import ConnectorError
from .crm import ExternalRecord, FieldChange, Page

SYSTEM = "zoho"
MODULE = "Services"
DEFAULT_API_URL = "https://www.zohoapis.com"
MAX_PER_PAGE = 200
TIMEOUT = 30.0


class ZohoConnector:
    """The Services module of one Zoho CRM org, read through an OAuth access token."""

    system = SYSTEM

    def __init__(
        self,
        token: str,
        *,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        token = require_token(
            SYSTEM, token, "set ZOHO_ACCESS_TOKEN to an OAuth access token of the Zoho CRM org"
        )
        self.base_url = (base_url or DEFAULT_API_URL).rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url + "/crm/v7",
            headers={"Authorization": f"Zoho-oauthtoken {token}"},
            timeout=TIMEOUT,
            transport=transport,
        )
        self._fields: dict[str, str] | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ZohoConnector:
        """A connector from ``ZOHO_ACCESS_TOKEN`` and ``ZOHO_API_URL``."""
        return cls(
            setting(environ, "ZOHO_ACCESS_TOKEN"), base_url=setting(environ, "ZOHO_API_URL") or None
        )

    def __repr__(self) -> str:
        return f"ZohoConnector(base_url={self.base_url!r})"

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    # -- calls --------------------------------------------------------------------------------

    def _get(
        self, what: str, path: str, params: dict[str, Any], headers: dict[str, str] | None = None
    ) -> Any:
        try:
            response = self._http.get(path, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise ConnectorError(
                SYSTEM,
                "connection",
                f"Zoho did not answer {what} ({type(exc).__name__}): check the network and "
                f"ZOHO_API_URL ({self.base_url}); the call may be tried again",
            ) from None
        if response.status_code in (204, 304):
            return None
        if response.status_code >= 400:
            raise _error(what, response)
        try:
            return response.json()
        except ValueError:
            raise ConnectorError(
                SYSTEM,
                "unexpected_response",
                f"Zoho answered {what} with something that is not JSON "
                f"({response.status_code}): check ZOHO_API_URL ({self.base_url})",
                status=response.status_code,
            ) from None

    def _module(self, object: str) -> None:
        if object != MODULE:
            raise unknown_object(SYSTEM, object, [MODULE])

    def _names(self) -> str:
        return ",".join(self.fields(MODULE))

    def _page(self, answer: Any, page: int, per_page: int) -> Page:
        if not answer:
            return Page([], None)
        records = [_record(r) for r in answer.get("data", [])]
        info = answer.get("info", {})
        if not info.get("more_records"):
            return Page(records, None)
        # v7 pages past 2,000 records only by page_token: follow it when Zoho sends one.
        token = info.get("next_page_token")
        return Page(records, f"t:{token}:{per_page}" if token else f"{page + 1}:{per_page}")

    # -- the protocol -------------------------------------------------------------------------

    def objects(self) -> list[str]:
        """``Services``."""
        return [MODULE]

    def fields(self, object: str) -> dict[str, str]:
        """Field API name -> Zoho data type; cached."""
        self._module(object)
        if self._fields is None:
            answer = self._get(
                "listing the Services fields", "/settings/fields", {"module": MODULE}
            )
            self._fields = {f["api_name"]: f["data_type"] for f in (answer or {}).get("fields", [])}
        return dict(self._fields)

    def list_page(self, object: str, cursor: str | None = None, limit: int = 100) -> Page:
        """One page of Services (``cursor`` is the next page number)."""
        self._module(object)
        paging, page, per_page = _paging(cursor, min(limit, MAX_PER_PAGE))
        params = {"fields": self._names(), **paging}
        return self._page(self._get("listing Services", f"/{MODULE}", params), page, per_page)

    def modified_since(self, object: str, since: datetime, cursor: str | None = None) -> Page:
        """Services modified at or after ``since`` (``If-Modified-Since``), oldest first."""
        self._module(object)
        paging, page, per_page = _paging(cursor, MAX_PER_PAGE)
        params = {
            "fields": self._names(),
            **paging,
            "sort_by": "Modified_Time",
            "sort_order": "asc",
        }
        stamp = utc(since).replace(microsecond=0).isoformat()
        answer = self._get(
            "listing modified Services", f"/{MODULE}", params, {"If-Modified-Since": stamp}
        )
        return self._page(answer, page, per_page)

    def deleted_since(self, object: str, since: datetime) -> list[str]:
        """Ids of Services deleted at or after ``since`` (recycle bin and permanent)."""
        self._module(object)
        found: list[str] = []
        page = 1
        while True:
            params = {"type": "all", "page": page, "per_page": MAX_PER_PAGE}
            answer = self._get("listing deleted Services", f"/{MODULE}/deleted", params)
            if not answer:
                return found
            for row in answer.get("data", []):
                # Zoho writes whole seconds: compare at that precision.
                if utc(row["deleted_time"]) >= utc(since).replace(microsecond=0):
                    found.append(str(row["id"]))
            if not answer.get("info", {}).get("more_records"):
                return found
            page += 1

    def get(self, object: str, id: str) -> ExternalRecord | None:
        """One Service, or None."""
        self._module(object)
        answer = self._get(f"reading Service {id}", f"/{MODULE}/{id}", {})
        rows = (answer or {}).get("data") or []
        return _record(rows[0]) if rows else None

    def find(self, object: str, field: str, value: str) -> list[ExternalRecord]:
        """Services whose ``field`` equals ``value`` (``/Services/search?criteria=(field:equals:
        value)``, with ``(``, ``)``, ``,`` and ``\\`` escaped as Zoho asks; the first 200)."""
        self._module(object)
        criteria = f"({field}:equals:{_escape(value)})"
        params = {"criteria": criteria, "page": 1, "per_page": MAX_PER_PAGE}
        answer = self._get(f"searching Services by {field}", f"/{MODULE}/search", params)
        return [_record(r) for r in (answer or {}).get("data", [])]

    def create(self, object: str, properties: dict[str, Any]) -> ExternalRecord:
        """Refused: Services sync one way, into Attio."""
        raise _read_only("create")

    def update(self, object: str, id: str, properties: dict[str, Any]) -> ExternalRecord:
        """Refused: Services sync one way, into Attio."""
        raise _read_only("update")

    def delete(self, object: str, id: str) -> None:
        """Refused: Services sync one way, into Attio."""
        raise _read_only("delete")

    def history(self, object: str, id: str, fields: Sequence[str]) -> list[FieldChange]:
        """``[]``: Zoho's field history is not available through this API."""
        self._module(object)
        return []


# -- helpers ------------------------------------------------------------------------------------


def _paging(cursor: str | None, per_page: int) -> tuple[dict[str, Any], int, int]:
    """The paging parameters for ``cursor`` (``"page:per_page"`` or ``"t:token:per_page"``),
    the page number and the page size."""
    if cursor is not None and cursor.startswith("t:"):
        token, _, count = cursor[2:].rpartition(":")
        if token and count.isdigit():
            return {"page_token": token, "per_page": int(count)}, 0, int(count)
    page, size = _read_cursor(cursor, per_page)
    return {"page": page, "per_page": size}, page, size


def _read_cursor(cursor: str | None, per_page: int) -> tuple[int, int]:
    """``(page, per_page)`` from a cursor ``"page:per_page"`` (page 1 when None)."""
    if cursor is None:
        return 1, per_page
    page, _, size = cursor.partition(":")
    if not (page.isdigit() and size.isdigit() and int(page) >= 1 and 1 <= int(size) <= 200):
        raise ConnectorError(
            SYSTEM,
            "invalid_cursor",
            f"{cursor!r} is not a Zoho page cursor: pass back a next_cursor this connector "
            "returned",
        )
    return int(page), int(size)


def _escape(value: str) -> str:
    """A value for a search criterion: Zoho reads ``(``, ``)`` and ``,`` as syntax unless
    escaped with a backslash."""
    return "".join("\\" + c if c in "\\()," else c for c in value)


def _read_only(what: str) -> ConnectorError:
    return ConnectorError(
        SYSTEM,
        "read_only",
        f"cannot {what} Zoho Services: they sync one way, into Attio; change them in Zoho CRM",
    )


def _record(row: Mapping[str, Any]) -> ExternalRecord:
    return ExternalRecord(
        object=MODULE,
        id=str(row["id"]),
        properties=dict(row),
        modified_at=utc(row["Modified_Time"]),
    )


def _error(what: str, response: httpx.Response) -> ConnectorError:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = str(body.get("code") or f"http_{status}")
    message = str(body.get("message") or response.reason_phrase)
    wait: float | None = None
    if status == 429:
        wait = retry_after(response.headers)
        reset = response.headers.get("x-ratelimit-reset")
        if wait is None and reset and reset.isdigit():
            wait = max(int(reset) / 1000 - time.time(), 0.0)
    fix = {
        401: "check ZOHO_ACCESS_TOKEN: Zoho refused the token (access tokens last an hour)",
        429: f"Zoho's API limit was reached; try again in {wait} s",
    }.get(status, "Zoho failed; try again later" if status >= 500 else "check the request")
    return ConnectorError(
        SYSTEM,
        code,
        f"Zoho refused {what} ({status} {code}): {message}; {fix}",
        status=status,
        retry_after=wait,
    )
