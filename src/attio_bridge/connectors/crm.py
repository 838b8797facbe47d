"""The CRM connector protocol and the types the sync engine and the CRM connectors share.

``CrmConnector`` is what ``attio_bridge.sync`` codes against (``find``, the search by a field
that pairs a record made on both sides, came last: the engine skips it on a connector that has
none); ``HubSpotConnector``,
``SalesforceConnector`` and ``ZohoConnector`` implement it. Every method is synchronous (the
systems' SDKs are); async callers run them in a thread. Every failure is a ``ConnectorError``
whose ``retryable`` is true for timeouts, dropped connections, 429 (with ``retry_after``, the
delay the system asked for) and 5xx. ``create_once`` and ``create_many_once`` make creates safe
to try again.

``BatchWriter`` is the optional part of the contract: ``create_many`` and ``update_many`` write
many records in as few calls as the system allows (HubSpot's batch endpoints, 100 a call;
Salesforce's sObject Collections, 200 a call), each record's failure reported in its place.
The sync engine uses them when a connector has them and writes one record at a time otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from ._errors import ConnectorError


@dataclass(frozen=True)
class ExternalRecord:
    """One record of another CRM, with plain JSON property values.

    ``object`` is the system's object name: ``"contacts" | "companies" | "deals"`` (HubSpot),
    ``"Contact" | "Account" | "Opportunity"`` (Salesforce), ``"Services"`` (Zoho). ``modified_at``
    is HubSpot's ``hs_lastmodifieddate`` / ``updatedAt``, Salesforce's ``SystemModstamp``, Zoho's
    ``Modified_Time``; always timezone-aware (UTC).
    """

    object: str
    id: str
    properties: dict[str, Any]
    modified_at: datetime
    archived: bool = False


@dataclass(frozen=True)
class Page:
    """One page of records; ``next_cursor`` is None on the last page."""

    records: list[ExternalRecord]
    next_cursor: str | None


@dataclass(frozen=True)
class FieldChange:
    """One value a field held from ``changed_at`` on (property or field history)."""

    field: str
    value: Any
    changed_at: datetime


@runtime_checkable
class CrmConnector(Protocol):
    """Records of one CRM: listing, incremental reads, writes and field history."""

    system: str  # "hubspot" | "salesforce" | "zoho"

    def objects(self) -> list[str]:
        """The object names this connector syncs."""
        ...

    def fields(self, object: str) -> dict[str, str]:
        """Field name -> the system's type name, for ``sync check``."""
        ...

    def list_page(self, object: str, cursor: str | None = None, limit: int = 100) -> Page:
        """One page of every live record of ``object``; pass ``next_cursor`` back for the next."""
        ...

    def modified_since(self, object: str, since: datetime, cursor: str | None = None) -> Page:
        """Records modified at or after ``since``, oldest first, one page at a time."""
        ...

    def deleted_since(self, object: str, since: datetime) -> list[str]:
        """Ids of records deleted (archived) at or after ``since``."""
        ...

    def get(self, object: str, id: str) -> ExternalRecord | None:
        """One record, or None when there is none with that id."""
        ...

    def find(self, object: str, field: str, value: str) -> list[ExternalRecord]:
        """Live records whose ``field`` equals ``value``, by the system's own comparison (often
        without case; the sync engine compares again). At most one page: enough to pair a
        record by its match key before creating it."""
        ...

    def create(self, object: str, properties: dict[str, Any]) -> ExternalRecord:
        """Create a record and return it as stored."""
        ...

    def update(self, object: str, id: str, properties: dict[str, Any]) -> ExternalRecord:
        """Change some properties of a record and return it as stored."""
        ...

    def delete(self, object: str, id: str) -> None:
        """Delete (archive) a record; deleting one already gone is not an error."""
        ...

    def history(self, object: str, id: str, fields: Sequence[str]) -> list[FieldChange]:
        """Past values of ``fields``, oldest first; ``[]`` where the system keeps none."""
        ...


@runtime_checkable
class BatchWriter(Protocol):
    """Writes of many records in few calls (module docstring); results in the inputs' order."""

    def create_many(
        self, object: str, rows: Sequence[dict[str, Any]]
    ) -> list[ExternalRecord | ConnectorError]:
        """Create records: each one as stored, or the error that refused it."""
        ...

    def update_many(
        self, object: str, changes: Sequence[tuple[str, dict[str, Any]]]
    ) -> list[ConnectorError | None]:
        """Change some properties of records, ``(id, properties)`` each: None where it was
        written, else the error that refused it."""
        ...


def _made(connector: Any, object: str, key: str, value: Any) -> ExternalRecord | None:
    """The live record whose ``key`` holds ``value`` (without case), if ``connector.find``
    finds one; None without ``find`` or without a value."""
    find = getattr(connector, "find", None)
    if find is None or value in (None, ""):
        return None
    folded = str(value).strip().casefold()
    found: list[ExternalRecord] = find(object, key, str(value))
    for rec in found:
        if not rec.archived and str(rec.properties.get(key)).strip().casefold() == folded:
            return rec
    return None


def create_once(
    connector: CrmConnector,
    object: str,
    properties: dict[str, Any],
    key: str,
    look_first: bool = False,
) -> Callable[[], ExternalRecord]:
    """``connector.create(object, properties)`` as a call that is safe to try again.

    A create whose answer was lost (a timeout, a connection dropped after the request went out,
    a 5xx from a proxy after the write) may have made the record: HubSpot's and Salesforce's
    creates are not idempotent, so trying it again blindly makes a duplicate. From the second
    call on, a live record whose match field ``key`` holds the value being created (compared
    without case) is looked for first (``connector.find``) and returned when there is one;
    ``look_first`` looks before the first call too (a run resumed after one that died may redo
    its creates). A connector without ``find``, or ``properties`` without a ``key`` value,
    creates as before.
    """
    tried = look_first

    def create() -> ExternalRecord:
        nonlocal tried
        made = _made(connector, object, key, properties.get(key)) if tried else None
        tried = True
        return made or connector.create(object, properties)

    return create


def create_many_once(
    connector: BatchWriter,
    object: str,
    rows: Sequence[dict[str, Any]],
    key: str,
    look_first: bool = False,
) -> Callable[[], list[ExternalRecord | ConnectorError]]:
    """``connector.create_many(object, rows)`` as a call that is safe to try again, as
    ``create_once``: from the second call on (or the first, with ``look_first``), each row whose
    record a lost answer already made is looked up (one ``find`` each) and only the others are
    created; the results stay in the rows' order."""
    tried = look_first

    def create_many() -> list[ExternalRecord | ConnectorError]:
        nonlocal tried
        made = [_made(connector, object, key, row.get(key)) if tried else None for row in rows]
        tried = True
        missing = [row for row, rec in zip(rows, made, strict=True) if rec is None]
        fresh = iter(connector.create_many(object, missing) if missing else [])
        return [rec if rec is not None else next(fresh) for rec in made]

    return create_many
