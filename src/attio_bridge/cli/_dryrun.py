"""The dry run of the everyday and workflow commands (``--dry-run``): ``DryRunClient`` sends
every read, and records every write instead of sending it, answering it the way Attio would so
the command goes on to its next step. The recorded writes (``PlannedWrite``), in order, are the
plan ``_run`` prints.

How a write is answered:

- a create (a record, an entry, a note, a task) makes a placeholder, e.g. ``dry-run:record-1``,
  which the later requests carry where the real id would be; a read about a placeholder finds the
  made thing itself and nothing else (it does not exist yet, so it has no entries, notes, tasks);
- an assert (``PUT .../records?matching_attribute=``, ``PUT .../entries``) first reads what it
  would match (a query by the matching values, the record's entries in the list), and answers
  with the existing record or entry ("updates") or a placeholder ("creates");
- an update or delete of an existing thing reads it first, so a missing one fails as the real
  request would, and answers with it as it is now (an update's new values are not merged in:
  nothing the commands do next depends on them).

A write the client cannot answer (creating objects, attributes, lists, webhooks ...) raises
``DryRunStop``: the plan then ends before it, saying so, rather than guessing.

A run that is not dry has a ``RecordingClient``, which keeps the writes Attio accepted. Both are
here, away from ``_run``, so that only a command that connects imports the client.
"""

from __future__ import annotations

import json as jsonlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlencode

from ..client import AttioClient, BadRequestError
from ..client import classify as classify_request

__all__ = ["PLACEHOLDER", "DryRunClient", "DryRunStop", "PlannedWrite"]

# Every placeholder id starts with this; no Attio id (a UUID) or slug can.
PLACEHOLDER = "dry-run:"
_QUOTED = quote(PLACEHOLDER, safe="")

# The properties an assert's matching value is filtered on (API-NOTES §4): emails, domains,
# and the ``value`` of unique text and number attributes.
_MATCH_FIELDS = ("email_address", "domain", "value")

_RECORDS = re.compile(r"/v2/objects/([^/]+)/records")
_RECORD = re.compile(r"/v2/objects/([^/]+)/records/([^/]+)")
_ENTRIES = re.compile(r"/v2/lists/([^/]+)/entries")
_ENTRY = re.compile(r"/v2/lists/([^/]+)/entries/([^/]+)")
_NOTE = re.compile(r"/v2/notes/([^/]+)")
_TASK = re.compile(r"/v2/tasks/([^/]+)")
# The changes of existing things the API has (notes patched or deleted, tasks too).
_CHANGES = (
    (_RECORD, ("PATCH", "PUT", "DELETE")),
    (_ENTRY, ("PATCH", "PUT", "DELETE")),
    (_NOTE, ("PATCH", "DELETE")),
    (_TASK, ("PATCH", "DELETE")),
)


@dataclass(frozen=True, slots=True)
class PlannedWrite:
    """One write a dry run would have sent: ``method``, ``path`` (with its query), ``body``;
    ``effect`` says in words what it does, and ``creates`` is the placeholder of what it makes
    (None when it makes nothing)."""

    method: str
    path: str
    body: Any
    effect: str
    creates: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The write as ``--json`` prints it."""
        return {
            "method": self.method,
            "path": self.path,
            "body": self.body,
            "effect": self.effect,
            "creates": self.creates,
        }


class DryRunStop(Exception):
    """A write whose answer a dry run cannot make up: the plan ends before it."""

    def __init__(self, method: str, path: str, body: Any) -> None:
        super().__init__(f"{method} {path}")
        self.request = {"method": method, "path": path, "body": body}


def _mentions_placeholder(path: str, params: dict[str, Any] | None, body: Any) -> bool:
    if PLACEHOLDER in unquote(path):
        return True
    if params and any(PLACEHOLDER in str(v) for v in params.values()):
        return True
    return body is not None and PLACEHOLDER in jsonlib.dumps(body, default=str)


def _readable(path: str) -> str:
    """``path`` with its placeholders unescaped, as people read them (and as the plan shows)."""
    return path.replace(_QUOTED, PLACEHOLDER)


def _fullmatch(pattern: re.Pattern[str], path: str) -> list[str] | None:
    found = pattern.fullmatch(path)
    return [unquote(g) for g in found.groups()] if found else None


def _data(body: Any) -> dict[str, Any]:
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, dict) else {}


class DryRunClient(AttioClient):
    """An ``AttioClient`` that sends reads and plans writes: ``planned`` holds every write it
    was asked for, in order, each answered as the module docstring says."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.planned: list[PlannedWrite] = []
        # Whether the plan was printed (``_run.planned``).
        self.shown = False
        # What the planned creates made, by the path a read of it would take.
        self._made: dict[str, dict[str, Any]] = {}
        self._counts: dict[str, int] = {}
        self._ids: dict[str, dict[str, str]] = {}

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        timeout: float | None = None,
        form: Any = None,  # a multipart upload body (client._http.Form)
    ) -> Any:
        """Send a read (answered here when it is about a placeholder); plan a write."""
        op = classify_request(method, path)
        if not op.write:
            if _mentions_placeholder(path, params, json):
                made = self._made.get(unquote(path))
                return {"data": made if made is not None else []}
            return super().request(
                method, path, params=params, json=json, timeout=timeout, form=form
            )
        query = {k: v for k, v in (params or {}).items() if v is not None}
        full = _readable(f"{path}?{urlencode(query)}" if query else path)
        answer = self._plan(op.method, path, full, query, json)
        # Attio answers a delete with an empty object, everything else with its ``data``.
        return answer if op.method == "DELETE" else {"data": answer}

    def request_status(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        timeout: float | None = None,
        form: Any = None,
    ) -> tuple[int, Any]:
        """``request()`` as a dry run answers it, with the status 200 (a planned write never
        runs, so it is never still running)."""
        return 200, self.request(method, path, params=params, json=json, timeout=timeout, form=form)

    # -- writes ----------------------------------------------------------------------------------
    def _plan(
        self, method: str, path: str, full: str, query: dict[str, Any], body: Any
    ) -> dict[str, Any]:
        """Record the write and return the ``data`` Attio would answer it with."""
        data = _data(body)
        made = len(self._made)
        if method in ("POST", "PUT") and (parts := _fullmatch(_RECORDS, path)):
            if method == "POST":
                answer, effect = self._new_record(parts[0], data), "creates"
            else:
                answer, effect = self._assert_record(parts[0], query, data)
        elif method in ("POST", "PUT") and (parts := _fullmatch(_ENTRIES, path)):
            if method == "POST":
                answer, effect = self._new_entry(parts[0], data), "creates"
            else:
                answer, effect = self._assert_entry(parts[0], data)
        elif method == "POST" and path == "/v2/notes":
            answer, effect = self._new_note(data), "creates"
        elif method == "POST" and path == "/v2/tasks":
            answer, effect = self._new_task(data), "creates"
        elif any(p.fullmatch(path) and method in methods for p, methods in _CHANGES):
            current = self._current(path)
            answer = {} if method == "DELETE" else current
            verb = "deletes" if method == "DELETE" else "updates"
            effect = f"{verb} {self._describe(path)}"
        else:
            raise DryRunStop(method, full, body)
        # What this write made (an assert that could not look up what it matches makes one too).
        creates = self._placeholder_of(answer) if len(self._made) > made else None
        if effect == "creates":
            effect = f"creates {self._describe_made(path, answer)}"
        if creates is not None:
            effect += f", {creates}"
        self.planned.append(PlannedWrite(method, full, body, effect, creates))
        return answer

    def _placeholder(self, kind: str) -> str:
        self._counts[kind] = self._counts.get(kind, 0) + 1
        return f"{PLACEHOLDER}{kind}-{self._counts[kind]}"

    @staticmethod
    def _placeholder_of(answer: dict[str, Any]) -> str:
        ids = answer.get("id", {})
        return next(str(v) for v in ids.values() if str(v).startswith(PLACEHOLDER))

    def _current(self, path: str) -> dict[str, Any]:
        """The thing at ``path`` as it is now: made by this dry run, else read from Attio."""
        made = self._made.get(unquote(path))
        if made is not None:
            return made
        found = super().request("GET", path)
        return found.get("data", {}) if isinstance(found, dict) else {}

    @staticmethod
    def _describe(path: str) -> str:
        if parts := _fullmatch(_RECORD, path):
            return f"{parts[0]} record {parts[1]}"
        if parts := _fullmatch(_ENTRY, path):
            return f"entry {parts[1]} of {parts[0]}"
        if parts := _fullmatch(_NOTE, path):
            return f"note {parts[0]}"
        return f"task {unquote(path.rsplit('/', 1)[1])}"

    @staticmethod
    def _describe_made(path: str, answer: dict[str, Any]) -> str:
        if parts := _fullmatch(_RECORDS, path):
            return f"a {parts[0]} record"
        if parts := _fullmatch(_ENTRIES, path):
            return f"an entry of {answer.get('parent_record_id')} in {parts[0]}"
        return "a note" if path == "/v2/notes" else "a task"

    def _lookup(self, kind: str, identifier: str) -> dict[str, str]:
        """The id parts of an object or list (workspace and object or list ids), read once."""
        key = f"{kind}/{identifier}"
        if key not in self._ids:
            found = super().request("GET", f"/v2/{kind}/{quote(identifier, safe='')}")
            ids = found.get("data", {}).get("id", {}) if isinstance(found, dict) else {}
            self._ids[key] = {str(k): str(v) for k, v in ids.items()}
        return self._ids[key]

    def _workspace_id(self) -> str:
        for ids in self._ids.values():
            if "workspace_id" in ids:
                return ids["workspace_id"]
        me = super().request("GET", "/v2/self")
        self._ids["self"] = {"workspace_id": str(me.get("workspace_id") or "")}
        return self._ids["self"]["workspace_id"]

    def _new_record(self, object: str, data: dict[str, Any]) -> dict[str, Any]:
        ids = self._lookup("objects", object)
        record_id = self._placeholder("record")
        record: dict[str, Any] = {
            "id": {
                "workspace_id": ids.get("workspace_id", ""),
                "object_id": ids.get("object_id", ""),
                "record_id": record_id,
            },
            "created_at": None,
            "web_url": None,
            # Empty: no step of a command may decide anything from values that do not exist.
            "values": {},
        }
        self._made[f"/v2/objects/{object}/records/{record_id}"] = record
        return record

    def _assert_record(
        self, object: str, query: dict[str, Any], data: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        """The record an assert would update (found by its matching values), else a new one."""
        attribute = str(query.get("matching_attribute", ""))
        values = data.get("values")
        given = values.get(attribute) if isinstance(values, dict) else None
        items = given if isinstance(given, list) else [given] if given is not None else []
        conditions: list[dict[str, Any]] = []
        for item in items:
            field = next((f for f in _MATCH_FIELDS if isinstance(item, dict) and f in item), None)
            if field is not None:
                conditions.append({attribute: {field: {"$eq": item[field]}}})
            elif isinstance(item, str | int | float) and not isinstance(item, bool):
                conditions.append({attribute: {"$eq": item}})
            else:
                conditions = []
                break
        if not conditions:
            record = self._new_record(object, data)
            why = f"the dry run cannot look up records by this {attribute or 'matching'} value"
            return record, f"creates or updates a {object} record ({why}); shown as new"
        filter = conditions[0] if len(conditions) == 1 else {"$or": conditions}
        try:
            found = self.records.query(object, filter=filter, limit=10)
        except BadRequestError as exc:
            record = self._new_record(object, data)
            why = f"could not look up the record it matches: {exc.message}"
            return record, f"creates or updates a {object} record ({why}); shown as new"
        ids = list(dict.fromkeys(r.record_id for r in found))
        if not ids:
            return self._new_record(object, data), "creates"
        effect = f"updates {object} record {ids[0]} (matched by {attribute})"
        if len(ids) > 1:
            effect += f"; it matches {len(ids)} records ({', '.join(ids)}): Attio may refuse it"
        return found[0].model_dump(mode="json"), effect

    def _new_entry(self, list: str, data: dict[str, Any]) -> dict[str, Any]:
        ids = self._lookup("lists", list)
        entry_id = self._placeholder("entry")
        entry: dict[str, Any] = {
            "id": {
                "workspace_id": ids.get("workspace_id", ""),
                "list_id": ids.get("list_id", ""),
                "entry_id": entry_id,
            },
            "parent_record_id": str(data.get("parent_record_id", "")),
            "parent_object": str(data.get("parent_object", "")),
            "created_at": None,
            "entry_values": {},
        }
        self._made[f"/v2/lists/{list}/entries/{entry_id}"] = entry
        return entry

    def _assert_entry(self, list: str, data: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """The record's entry in ``list`` an assert would update, else a new one."""
        record_id = str(data.get("parent_record_id", ""))
        object = str(data.get("parent_object", ""))
        if record_id.startswith(PLACEHOLDER):
            return self._new_entry(list, data), "creates"
        ids = self._lookup("lists", list)
        mine = [
            e.entry_id
            for e in self.records.iter_entries(object, record_id)
            if list in (e.list_api_slug, e.list_id) or e.list_id == ids.get("list_id")
        ]
        if not mine:
            return self._new_entry(list, data), "creates"
        entry = self._current(f"/v2/lists/{quote(list, safe='')}/entries/{mine[0]}")
        effect = f"updates entry {mine[0]} of {record_id} in {list}"
        if len(mine) > 1:
            effect += (
                f"; the record has {len(mine)} entries in {list}: Attio refuses the assert "
                "(multiple_match_results)"
            )
        return entry, effect

    def _new_note(self, data: dict[str, Any]) -> dict[str, Any]:
        note_id = self._placeholder("note")
        markdown = data.get("format") == "markdown"
        content = str(data.get("content", ""))
        note: dict[str, Any] = {
            "id": {"workspace_id": self._workspace_id(), "note_id": note_id},
            "parent_object": str(data.get("parent_object", "")),
            "parent_record_id": str(data.get("parent_record_id", "")),
            "title": str(data.get("title", "")),
            "meeting_id": data.get("meeting_id"),
            # Attio renders one format from the other; the dry run only has the one given.
            "content_plaintext": "" if markdown else content,
            "content_markdown": content if markdown else "",
            "tags": [],
            "created_by_actor": None,
            "created_at": data.get("created_at"),
        }
        self._made[f"/v2/notes/{note_id}"] = note
        return note

    def _new_task(self, data: dict[str, Any]) -> dict[str, Any]:
        task_id = self._placeholder("task")
        task: dict[str, Any] = {
            "id": {"workspace_id": self._workspace_id(), "task_id": task_id},
            "content_plaintext": str(data.get("content", "")),
            "deadline_at": data.get("deadline_at"),
            "is_completed": bool(data.get("is_completed", False)),
            "linked_records": list(data.get("linked_records") or []),
            "assignees": list(data.get("assignees") or []),
            "created_by_actor": None,
            "created_at": None,
        }
        self._made[f"/v2/tasks/{task_id}"] = task
        return task


class RecordingClient(AttioClient):
    """An ``AttioClient`` that keeps the writes Attio accepted (``done``), so a command that
    fails half-way says what it did before the error: nothing done is left unrecorded."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.done: list[str] = []

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        timeout: float | None = None,
        form: Any = None,  # a multipart upload body (client._http.Form)
    ) -> Any:
        """Send the request; a write that succeeds is kept with the id it answered with."""
        answer = super().request(method, path, params=params, json=json, timeout=timeout, form=form)
        self._keep(method, path, answer)
        return answer

    def request_status(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        timeout: float | None = None,
        form: Any = None,
    ) -> tuple[int, Any]:
        """``request()`` with its status; a write that succeeds is kept as ``request`` keeps it."""
        status, answer = super().request_status(
            method, path, params=params, json=json, timeout=timeout, form=form
        )
        self._keep(method, path, answer)
        return status, answer

    def _keep(self, method: str, path: str, answer: Any) -> None:
        if classify_request(method, path).write:
            data = answer.get("data") if isinstance(answer, dict) else None
            ids = data.get("id") if isinstance(data, dict) else None
            made = ""
            if isinstance(ids, dict) and ids:
                # The last part of a composite id names the thing: record_id, entry_id ...
                key, value = list(ids.items())[-1]
                made = f" ({key} {value})"
            self.done.append(f"{method.upper()} {path}{made}")

    def account(self) -> str:
        """The writes done, as the sentence an error line ends with."""
        steps = "; ".join(f"{n}. {step}" for n, step in enumerate(self.done, 1))
        return (
            f"-- done before the error, and kept: {steps}. Running the same command again "
            "finds what is done and finishes the rest"
        )
