"""Attio web-app URLs: parse every known form into its parts (``parse_url``) and build them
(``AttioUrl.url``, ``record_url``).

None of these forms is documented by Attio (API-NOTES §9); what is accepted here comes from:

- the API's own ``web_url`` values (SPEC examples): ``/<ws>/person/<record_id>`` and
  ``/<ws>/calls/<meeting_id>/<call_recording_id>[/transcript]``;
- TextQLLabs/crm-bot ``docs/ATTIO_API.md``: ``/<ws>/company/<id>/overview``, deals by plural slug
  (``/<ws>/deals/<id>/overview``) and notes in the long form
  ``/<ws>/deals/record/<id>/notes?modal=note&id=<note_id>``;
- elviskahoro/gtm-sdk (cited by API-NOTES §9) and Casper-Studios/casper-marketplace
  ``casper/skills/attio-crm/scripts/attio_api.py`` for object table views
  ``/<ws>/<plural>/view/<view_id>``; a Raycast extension's ``OpenInAttio`` opens an object as
  ``/<ws>/<api_slug>``.
- Lists: Attio's UI called lists "collections" (its help page "Understanding collections", and
  the OAuth scopes ``public_collection`` / ``private_collection`` in the 2026 spec), and list
  pages live under ``/<ws>/collection/<list>``; one public README (a Claude outreach skill found by
  code search) writes ``/<ws>/lists/<list_id>/...``, so both spellings are read and
  ``collection`` is written. No public code shows a list *entry* page; the form accepted here,
  ``/<ws>/collection/<list>/entry/<entry_id>[/<tab>]``, is this library's own and unverified.

A record is reached by the object's singular noun (``person``, ``company``) or, for deals and
custom objects, sometimes its plural slug; ``AttioUrl.object`` keeps the segment as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, overload
from urllib.parse import parse_qs, quote, unquote, urlsplit

from ..errors import InvalidInputError

if TYPE_CHECKING:
    from attio_bridge.client.models import Record

APP_HOST = "app.attio.com"
APP_URL = f"https://{APP_HOST}"

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# The singular noun each standard object's records are reached by (emulator: STANDARD_OBJECTS).
_STANDARD_NOUNS = {
    "people": "person",
    "companies": "company",
    "deals": "deal",
    "users": "user",
    "workspaces": "workspace",
}
_LIST_SEGMENTS = frozenset({"collection", "lists"})
# First path segments of app.attio.com that are not workspaces.
_NOT_WORKSPACES = frozenset({"authorize", "oauth", "login", "signup", "welcome", "api"})
# Workspace pages that are not objects; a record URL never starts with these.
_WORKSPACE_PAGES = frozenset(
    {"settings", "tasks", "notes", "inbox", "emails", "reports", "workflows", "sequences",
     "home", "meetings", "chats", "dashboards", "automations", "files"}
)  # fmt: skip

FORMS = (
    "https://app.attio.com/<workspace>",
    "https://app.attio.com/<workspace>/<object>/view/<view_id>",
    "https://app.attio.com/<workspace>/<object>/<record_id>[/<tab>]",
    "https://app.attio.com/<workspace>/<object>/record/<record_id>/<tab>[?modal=note&id=<note_id>]",
    "https://app.attio.com/<workspace>/collection/<list>[/view/<view_id>]",
    "https://app.attio.com/<workspace>/collection/<list>/entry/<entry_id>[/<tab>]",
    "https://app.attio.com/<workspace>/calls/<meeting_id>/<call_recording_id>[/transcript]",
)
"""Every accepted form, as shown in error messages."""


class AttioUrlError(InvalidInputError):
    """A string is not an Attio web-app URL of a known form."""


class NotAnAttioUrlError(AttioUrlError):
    """The URL is not on ``app.attio.com`` (or is not a URL at all)."""


class UnknownAttioUrlError(AttioUrlError):
    """The URL is on ``app.attio.com`` but its path is not a form this module knows."""


class AttioUrlKind(StrEnum):
    """What an Attio URL points at."""

    WORKSPACE = "workspace"
    OBJECT_VIEW = "object_view"
    RECORD = "record"
    NOTE = "note"
    LIST_VIEW = "list_view"
    LIST_ENTRY = "list_entry"
    CALL_RECORDING = "call_recording"


@dataclass(frozen=True)
class AttioUrl:
    """The parts of an Attio web-app URL; fields a kind does not have are ``None``.

    - ``object``: the object segment as written (``person``, ``deals``, ``companies``);
    - ``list``: a list id or slug; ``tab``: the record/entry tab (``overview``, ``notes``) or
      ``transcript`` for a call recording.
    """

    kind: AttioUrlKind
    workspace_slug: str
    object: str | None = None
    record_id: str | None = None
    list: str | None = None
    entry_id: str | None = None
    note_id: str | None = None
    view_id: str | None = None
    meeting_id: str | None = None
    call_recording_id: str | None = None
    tab: str | None = None

    @property
    def url(self) -> str:
        """The canonical URL of these parts; ``parse_url(u.url) == u`` for every ``u``.

        Records use the short form (``/<ws>/<object>/<id>[/<tab>]``), notes the long form with
        ``?modal=note``, lists the ``collection`` spelling.
        """
        parts: list[str | None]
        query = ""
        kind = self.kind
        if kind is AttioUrlKind.WORKSPACE:
            parts = []
        elif kind is AttioUrlKind.OBJECT_VIEW:
            parts = [self.object, "view", self.view_id]
        elif kind is AttioUrlKind.RECORD:
            parts = [self.object, self.record_id, self.tab]
        elif kind is AttioUrlKind.NOTE:
            parts = [self.object, "record", self.record_id, self.tab or "notes"]
            query = f"?modal=note&id={quote(self.note_id or '', safe='')}"
        elif kind is AttioUrlKind.LIST_VIEW:
            parts = ["collection", self.list, *(["view", self.view_id] if self.view_id else [])]
        elif kind is AttioUrlKind.LIST_ENTRY:
            parts = ["collection", self.list, "entry", self.entry_id, self.tab]
        else:
            parts = ["calls", self.meeting_id, self.call_recording_id, self.tab]
        path = "/".join(quote(p, safe="") for p in [self.workspace_slug, *parts] if p)
        return f"{APP_URL}/{path}{query}"


def _fail(url: str, why: str) -> UnknownAttioUrlError:
    forms = "\n  ".join(FORMS)
    return UnknownAttioUrlError(f"{why} in {url!r}; expected one of:\n  {forms}")


def _id(url: str, value: str, what: str) -> str:
    if not _UUID.match(value):
        raise _fail(url, f"{what} must be a UUID, not {value!r}")
    return value.lower()


def _tab(url: str, rest: list[str], after: str) -> str | None:
    if len(rest) > 1:
        raise _fail(url, f"unexpected path {'/'.join(rest)!r} after {after}")
    return rest[0] if rest else None


def parse_url(url: str) -> AttioUrl:
    """The parts of an Attio web-app URL (``https://app.attio.com/...``; the scheme may be left
    out). Raises ``NotAnAttioUrlError`` for other hosts and ``UnknownAttioUrlError`` for paths of
    no known form, each saying what was expected.
    """
    text = url.strip()
    split = urlsplit(text if "://" in text else f"https://{text}")
    host = (split.hostname or "").lower()
    if split.scheme not in ("http", "https") or host != APP_HOST:
        hint = " (that is the REST API, not the web app)" if host == "api.attio.com" else ""
        raise NotAnAttioUrlError(
            f"not an Attio web-app URL: {url!r}{hint}; expected "
            f"https://{APP_HOST}/<workspace>/..., got host {host or 'none'!r}"
        )
    segments = [unquote(s) for s in split.path.split("/") if s]
    if not segments:
        raise _fail(url, "no workspace slug")
    ws, rest = segments[0], segments[1:]
    if ws.lower() in _NOT_WORKSPACES:
        raise _fail(url, f"{ws!r} is an Attio app page, not a workspace")
    if not rest:
        return AttioUrl(AttioUrlKind.WORKSPACE, ws)
    head, rest = rest[0], rest[1:]
    query = parse_qs(split.query)
    if head in _LIST_SEGMENTS:
        return _parse_list(url, ws, rest)
    if head == "calls":
        return _parse_call(url, ws, rest)
    if head in _WORKSPACE_PAGES:
        raise _fail(url, f"the {head!r} page is not a record, list, note or call recording")
    return _parse_object(url, ws, head, rest, query)


def _parse_object(
    url: str, ws: str, obj: str, rest: list[str], query: dict[str, list[str]]
) -> AttioUrl:
    if not rest:
        return AttioUrl(AttioUrlKind.OBJECT_VIEW, ws, object=obj)
    if rest[0] == "view":
        view = _tab(url, rest[1:], f"/{obj}/view")
        return AttioUrl(AttioUrlKind.OBJECT_VIEW, ws, object=obj, view_id=view)
    if rest[0] == "record":
        if len(rest) < 2:
            raise _fail(url, f"no record id after /{obj}/record")
        rest = rest[1:]
    record_id = _id(url, rest[0], "the record id")
    tab = _tab(url, rest[1:], f"the record id {record_id}")
    if query.get("modal") == ["note"]:
        ids = query.get("id") or []
        if len(ids) != 1:
            raise _fail(url, "?modal=note without one id=<note_id>")
        note_id = _id(url, ids[0], "the note id")
        return AttioUrl(
            AttioUrlKind.NOTE, ws, object=obj, record_id=record_id, note_id=note_id, tab=tab
        )
    return AttioUrl(AttioUrlKind.RECORD, ws, object=obj, record_id=record_id, tab=tab)


def _parse_list(url: str, ws: str, rest: list[str]) -> AttioUrl:
    if not rest:
        raise _fail(url, "no list id or slug after /collection")
    lst, rest = rest[0], rest[1:]
    if not rest:
        return AttioUrl(AttioUrlKind.LIST_VIEW, ws, list=lst)
    if rest[0] == "view":
        view = _tab(url, rest[1:], f"/collection/{lst}/view")
        return AttioUrl(AttioUrlKind.LIST_VIEW, ws, list=lst, view_id=view)
    if rest[0] in ("entry", "entries") and len(rest) >= 2:
        entry_id = _id(url, rest[1], "the entry id")
        tab = _tab(url, rest[2:], f"the entry id {entry_id}")
        return AttioUrl(AttioUrlKind.LIST_ENTRY, ws, list=lst, entry_id=entry_id, tab=tab)
    raise _fail(url, f"unexpected path {'/'.join(rest)!r} after the list {lst!r}")


def _parse_call(url: str, ws: str, rest: list[str]) -> AttioUrl:
    if len(rest) < 2:
        raise _fail(url, "a call recording needs /calls/<meeting_id>/<call_recording_id>")
    meeting_id = _id(url, rest[0], "the meeting id")
    recording_id = _id(url, rest[1], "the call recording id")
    tab = _tab(url, rest[2:], f"the call recording id {recording_id}")
    if tab not in (None, "transcript"):
        raise _fail(url, f"a call recording has no {tab!r} page (only /transcript)")
    return AttioUrl(
        AttioUrlKind.CALL_RECORDING,
        ws,
        meeting_id=meeting_id,
        call_recording_id=recording_id,
        tab=tab,
    )


def record_noun(object_slug: str) -> str:
    """The URL segment of an object's records: the singular noun of a standard object
    (``people`` → ``person``), otherwise the slug itself."""
    return _STANDARD_NOUNS.get(object_slug, object_slug)


@overload
def record_url(
    record: Record, /, *, workspace_slug: str | None = ..., object_slug: str | None = ...
) -> str: ...
@overload
def record_url(
    workspace_slug: str, object_slug: str, record_id: str, /, *, singular_noun: str | None = ...
) -> str: ...
def record_url(
    first: Record | str,
    second: str | None = None,
    third: str | None = None,
    /,
    *,
    workspace_slug: str | None = None,
    object_slug: str | None = None,
    singular_noun: str | None = None,
) -> str:
    """A record's page in Attio's web app.

    ``record_url(workspace_slug, object_slug, record_id)`` builds it as the API does
    (``https://app.attio.com/<ws>/<singular noun>/<record_id>``; pass ``singular_noun`` for a
    custom object, whose slug is used otherwise). ``record_url(record)`` returns the record's own
    ``web_url``, which Attio always sends, and builds one only when it is missing, from
    ``workspace_slug=`` and ``object_slug=``.
    """
    if isinstance(first, str):
        if second is None or third is None:
            raise InvalidInputError(
                "record_url(workspace_slug, object_slug, record_id) needs all three"
            )
        noun = (singular_noun or record_noun(second)).lower().replace(" ", "-")
        return f"{APP_URL}/" + "/".join(quote(p, safe="") for p in (first, noun, third))
    if first.web_url:
        return first.web_url
    if workspace_slug is None or object_slug is None:
        raise InvalidInputError(
            f"record {first.record_id} has no web_url; pass workspace_slug= and object_slug= "
            "to build one"
        )
    return record_url(workspace_slug, object_slug, first.record_id)
