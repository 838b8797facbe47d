"""Pydantic models of Attio's responses. They tolerate unknown fields (``extra="allow"``),
because the real API returns more than its spec says (STYLE rule 6).

Values stay as Attio sends them (``dict`` per value, keyed by attribute slug); turning them into
plain Python is the job of ``attio_bridge.values``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AttioModel(BaseModel):
    """Base of every response model."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Actor(AttioModel):
    """Who did something: ``{type, id}``."""

    type: str | None = None
    id: str | None = None


class ObjectId(AttioModel):
    """``{workspace_id, object_id}``."""

    workspace_id: str
    object_id: str


class AttioObject(AttioModel):
    """An object (people, companies, deals, ... or a custom one)."""

    id: ObjectId
    api_slug: str | None = None
    singular_noun: str | None = None
    plural_noun: str | None = None
    created_at: str | None = None


class AttributeId(AttioModel):
    """``{workspace_id, object_id, attribute_id}`` (object_id holds the list id on lists)."""

    workspace_id: str
    object_id: str
    attribute_id: str


class Attribute(AttioModel):
    """An attribute of an object or list."""

    id: AttributeId
    title: str
    api_slug: str
    type: str
    description: str | None = None
    is_system_attribute: bool = False
    is_writable: bool = True
    is_required: bool = False
    is_unique: bool = False
    is_multiselect: bool = False
    is_default_value_enabled: bool = False
    is_archived: bool = False
    default_value: Any = None
    relationship: dict[str, Any] | None = None
    created_at: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)


class SelectOption(AttioModel):
    """A select option."""

    id: dict[str, str]
    title: str
    is_archived: bool = False


class Status(AttioModel):
    """A status of a status attribute."""

    id: dict[str, str]
    title: str
    is_archived: bool = False
    celebration_enabled: bool = False
    target_time_in_status: str | None = None


class RecordId(AttioModel):
    """``{workspace_id, object_id, record_id}``."""

    workspace_id: str
    object_id: str
    record_id: str


class Record(AttioModel):
    """A record: values keyed by attribute slug, each a list of value dicts."""

    id: RecordId
    created_at: str | None = None
    web_url: str | None = None
    values: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)

    @property
    def record_id(self) -> str:
        """The record's id."""
        return self.id.record_id


class ListId(AttioModel):
    """``{workspace_id, list_id}``."""

    workspace_id: str
    list_id: str


class AttioList(AttioModel):
    """A list."""

    id: ListId
    api_slug: str
    name: str
    parent_object: list[str]
    workspace_access: str | None = None
    workspace_member_access: list[dict[str, Any]] = Field(default_factory=list)
    created_by_actor: Actor | None = None
    created_at: str | None = None


class EntryId(AttioModel):
    """``{workspace_id, list_id, entry_id}``."""

    workspace_id: str
    list_id: str
    entry_id: str


class Entry(AttioModel):
    """A list entry."""

    id: EntryId
    parent_record_id: str
    parent_object: str
    created_at: str | None = None
    entry_values: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)

    @property
    def entry_id(self) -> str:
        """The entry's id."""
        return self.id.entry_id


class RecordEntry(AttioModel):
    """One of a record's list entries (``GET .../records/{id}/entries``)."""

    list_id: str
    list_api_slug: str
    entry_id: str
    created_at: str | None = None


class SearchResult(AttioModel):
    """One hit of record search."""

    id: RecordId
    record_text: str | None = None
    record_image: str | None = None
    object_slug: str | None = None


class MergeResult(AttioModel):
    """``POST .../records/merge``: the id of the new record both originals became.

    ``in_progress`` is True when Attio answered 202: the merge is still being applied and the
    new record reads as 404 ``merge_in_progress`` until it is done (``records.wait_for_merge``).
    """

    new_record_id: str
    in_progress: bool = False


class WorkspaceMember(AttioModel):
    """A workspace member."""

    id: dict[str, str]
    first_name: str | None = None
    last_name: str | None = None
    avatar_url: str | None = None
    email_address: str | None = None
    created_at: str | None = None
    access_level: str | None = None


class Note(AttioModel):
    """A note on a record."""

    id: dict[str, str]
    parent_object: str
    parent_record_id: str
    title: str
    meeting_id: str | None = None
    content_plaintext: str = ""
    content_markdown: str = ""
    tags: list[dict[str, Any]] = Field(default_factory=list)
    created_by_actor: Actor | None = None
    created_at: str | None = None


class Task(AttioModel):
    """A task."""

    id: dict[str, str]
    content_plaintext: str = ""
    deadline_at: str | None = None
    is_completed: bool = False
    completed_at: str | None = None
    linked_records: list[dict[str, Any]] = Field(default_factory=list)
    assignees: list[dict[str, Any]] = Field(default_factory=list)
    created_by_actor: Actor | None = None
    created_at: str | None = None


class Comment(AttioModel):
    """A comment in a thread."""

    id: dict[str, str]
    thread_id: str
    content_plaintext: str = ""
    entry: dict[str, Any] | None = None
    record: dict[str, Any] | None = None
    resolved_at: str | None = None
    resolved_by: Actor | None = None
    created_at: str | None = None
    author: Actor | None = None


class Thread(AttioModel):
    """A comment thread."""

    id: dict[str, str]
    comments: list[Comment] = Field(default_factory=list)
    created_at: str | None = None


class MeetingParticipant(AttioModel):
    """Someone invited to a meeting (``name`` is null when Attio does not know it)."""

    email_address: str | None = None
    name: str | None = None
    is_organizer: bool = False
    status: str | None = None


class Meeting(AttioModel):
    """A meeting."""

    id: dict[str, str]
    title: str | None = None
    description: str | None = None
    is_all_day: bool | None = None
    start: dict[str, Any] | None = None
    end: dict[str, Any] | None = None
    participants: list[MeetingParticipant] = Field(default_factory=list)
    linked_records: list[dict[str, Any]] = Field(default_factory=list)
    created_at: str | None = None


class Transcript(AttioModel):
    """A processed call recording's transcript: its segments and the whole text."""

    segments: list[dict[str, Any]] = Field(default_factory=list)
    raw_transcript: str = ""


class CallRecording(AttioModel):
    """A call recording of a meeting; ``transcript`` is null until it has been processed."""

    id: dict[str, str]
    status: str | None = None
    web_url: str | None = None
    video_url: str | None = None
    transcript: Transcript | None = None
    created_at: str | None = None


class View(AttioModel):
    """A saved view of an object or a list (``id`` holds ``object_id`` or ``list_id``)."""

    id: dict[str, str]
    title: str
    created_at: str | None = None


class TranscriptPage(AttioModel):
    """One page of a call recording's transcript."""

    id: dict[str, str] | None = None
    transcript: list[dict[str, Any]] = Field(default_factory=list)
    raw_transcript: str | None = None
    web_url: str | None = None


class Webhook(AttioModel):
    """A webhook; ``secret`` is only present on the create response."""

    id: dict[str, str]
    target_url: str
    subscriptions: list[dict[str, Any]] = Field(default_factory=list)
    status: str | None = None
    created_at: str | None = None
    secret: str | None = None


class Self(AttioModel):
    """``GET /v2/self``: what the token is (not wrapped in ``data``)."""

    active: bool
    scope: str | None = None
    client_id: str | None = None
    token_type: str | None = None
    exp: int | None = None
    iat: int | None = None
    sub: str | None = None
    aud: str | None = None
    iss: str | None = None
    token_level: str | None = None  # "workspace" (an API key) or "user" (a member's token)
    authorized_by_workspace_member_id: str | None = None
    workspace_id: str | None = None
    workspace_name: str | None = None
    workspace_slug: str | None = None
    workspace_logo_url: str | None = None


# -- files, activities, emails, sequences (newer than the vendored spec: Attio's endpoint
# reference, files/*, activities/*, activity-records/*, emails/*, sequences/*) ----------------
class FileEntry(AttioModel):
    """A file, folder, connected file or connected folder on a record (``file_type`` tells)."""

    id: dict[str, str]
    object_id: str | None = None
    object_slug: str | None = None
    record_id: str | None = None
    storage_provider: str | None = None
    created_by_actor: Actor | None = None
    created_at: str | None = None
    file_type: str
    name: str | None = None
    content_type: str | None = None
    content_size: int | None = None
    parent_folder_id: str | None = None
    external_provider_file_id: str | None = None
    microsoft_drive_id: str | None = None

    @property
    def file_id(self) -> str:
        """The entry's id."""
        return self.id["file_id"]


class Activity(AttioModel):
    """An activity: a kind of event logged against records (``extends`` names its schema)."""

    id: dict[str, str]
    api_slug: str
    singular_noun: str | None = None
    plural_noun: str | None = None
    extends: list[dict[str, str]] = Field(default_factory=list)
    is_system_activity: bool = False
    created_at: str | None = None


class ActivityRecord(AttioModel):
    """One event of an activity, holding values like a record."""

    id: dict[str, str]
    created_at: str | None = None
    values: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)

    @property
    def record_id(self) -> str:
        """The activity record's id."""
        return self.id["record_id"]


class Email(AttioModel):
    """An email's metadata (never its content) and the records it links to now."""

    id: dict[str, str]
    sent_at: str | None = None
    direction: str | None = None
    subject_line: str | None = None
    participants: list[dict[str, Any]] = Field(default_factory=list)
    linked_records: list[dict[str, Any]] = Field(default_factory=list)


class UnsubscribedEmail(AttioModel):
    """An address on the sequences unsubscribe list, and since when."""

    email_address: str
    created_at: str | None = None
