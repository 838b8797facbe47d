"""Meetings, their call recordings and transcripts, and the cursor pagination they use.

Meetings are found or created by ``external_ref`` (API-NOTES §6); recordings hang off a meeting.
State lives in ``ws.meetings`` and ``ws.call_recordings`` as JSON-ready dicts in Attio's read
shape, plus ``_`` keys for the emulator's own bookkeeping (the de-duplication key, the video URL,
the transcript), which are never rendered.

Attio transcribes a recording's video asynchronously. The emulator has no video to transcribe, so
a new recording is answered as ``processing`` and is ``completed`` from then on, with a short
transcript written from the meeting's title and participants: the same meeting always gets the
same words, timed one word per segment as in the SPEC's example.

Cursors are opaque to clients (base64 of an offset), as Attio's are.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..clock import new_id, now_ts
from ..errors import (
    EmulatorError,
    NotFoundError,
    ValidationTypeError,
    ValueNotFoundError,
)
from .activity import parse_moment, public, require, string_field

if TYPE_CHECKING:
    from ..workspace import Workspace

Actor = dict[str, Any]
MEETING_FIELDS = (
    "title",
    "description",
    "start",
    "end",
    "is_all_day",
    "participants",
    "external_ref",
)
PARTICIPANT_STATUSES = ("accepted", "tentative", "declined", "pending")
TRANSCRIPT_PAGE_SIZE = 20
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# -- cursors -------------------------------------------------------------------------------------
def encode_cursor(offset: int) -> str:
    """An opaque cursor for the page starting at ``offset``."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The offset a cursor stands for (0 when there is none); 400 for a cursor we never issued."""
    if cursor is None:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = raw.partition(":")
        offset = int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        prefix, offset = "", -1
    if prefix != "offset" or offset < 0:
        raise ValidationTypeError(
            f'The cursor "{cursor}" is not valid: pass back the next_cursor of an earlier page.'
        )
    return offset


def cursor_page(items: list[Any], cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
    """One page of ``items`` and the cursor of the next page (None after the last)."""
    start = decode_cursor(cursor)
    end = start + limit
    return items[start:end], encode_cursor(end) if end < len(items) else None


# -- meeting times -------------------------------------------------------------------------------
def _zone(name: Any) -> ZoneInfo | None:
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _render_datetime(moment: datetime, zone: ZoneInfo | None) -> str:
    local = moment.astimezone(zone or UTC)
    # %Y leaves years before 1000 unpadded on glibc, so the year is written out by hand.
    stamp = f"{local.year:04d}-{local:%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}"
    if zone is None:
        return f"{stamp}Z"
    offset = local.strftime("%z")
    return f"{stamp}{offset[:3]}:{offset[3:]}"


def _meeting_time(value: Any, field: str, all_day: bool) -> dict[str, Any]:
    """A meeting's ``start`` or ``end`` in its read shape; 400 for the wrong form."""
    if all_day:
        if not isinstance(value, dict) or set(value) != {"date"}:
            raise ValidationTypeError(
                f'"{field}" of an all-day meeting must be {{"date": "YYYY-MM-DD"}}.'
            )
        try:
            day = date.fromisoformat(str(value["date"]))
        except ValueError:
            raise ValidationTypeError(
                f'"{field}.date" must be an ISO 8601 date, got {value["date"]!r}.'
            ) from None
        return {"date": day.isoformat()}
    if (
        not isinstance(value, dict)
        or "datetime" not in value
        or not set(value)
        <= {
            "datetime",
            "timezone",
        }
    ):
        raise ValidationTypeError(
            f'"{field}" of a meeting that is not all-day must be {{"datetime", "timezone"?}}.'
        )
    raw = value["datetime"]
    # Invalid timezones are treated as UTC (SPEC, POST /v2/meetings).
    zone = _zone(value.get("timezone"))
    if not isinstance(raw, str):
        raise ValidationTypeError(f'"{field}.datetime" must be an ISO 8601 datetime.')
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationTypeError(
            f'"{field}.datetime" must be an ISO 8601 datetime, got "{raw}".'
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone or UTC)
    try:
        rendered = _render_datetime(moment, zone)
    except OverflowError:
        raise ValidationTypeError(f'"{field}.datetime" is out of range, got "{raw}".') from None
    return {"datetime": rendered, "timezone": zone.key if zone else None}


def _instant(value: dict[str, Any], zone: ZoneInfo) -> datetime:
    """When a meeting time happens; an all-day date is midnight in ``zone``."""
    if "date" in value:
        return datetime.combine(date.fromisoformat(value["date"]), datetime.min.time(), zone)
    return datetime.fromisoformat(value["datetime"])


# -- meetings ------------------------------------------------------------------------------------
def _external_key(value: Any) -> str:
    if isinstance(value, str):
        if not value:
            raise ValidationTypeError('"external_ref" cannot be empty.')
        return json.dumps(["text", value])
    if not isinstance(value, dict):
        raise ValidationTypeError(
            '"external_ref" must be a string or {"ical_uid", "provider", "is_recurring", '
            '"original_start_time"?}.'
        )
    require(value, ("ical_uid", "provider", "is_recurring"), "identify a calendar event")
    if value["provider"] not in ("google", "microsoft"):
        raise ValidationTypeError(
            f'"external_ref.provider" must be "google" or "microsoft", got {value["provider"]!r}.'
        )
    if not isinstance(value["is_recurring"], bool):
        raise ValidationTypeError('"external_ref.is_recurring" must be true or false.')
    original = value.get("original_start_time")
    if original is not None:
        original = parse_moment(original, "external_ref.original_start_time").isoformat()
    return json.dumps(["ical", string_field(value, "ical_uid"), value["provider"], original])


def _participants(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ValidationTypeError('"participants" must be an array.')
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise ValidationTypeError(
                'Each participant must be {"email_address", "is_organizer", "status"}.'
            )
        require(item, ("email_address", "is_organizer", "status"), "describe a participant")
        email = item["email_address"]
        if not isinstance(email, str) or not _EMAIL_RE.match(email.strip()):
            raise ValidationTypeError(f'"{email}" is not a valid participant email address.')
        organizer = item["is_organizer"]
        # The SPEC accepts the strings "true" and "false" as well as booleans.
        if organizer in ("true", "false"):
            organizer = organizer == "true"
        if not isinstance(organizer, bool):
            raise ValidationTypeError('"is_organizer" must be true or false.')
        if item["status"] not in PARTICIPANT_STATUSES:
            raise ValidationTypeError(
                f'"status" must be one of {", ".join(PARTICIPANT_STATUSES)}, '
                f"got {item['status']!r}."
            )
        name = item.get("name")
        if name is not None and not isinstance(name, str):
            raise ValidationTypeError('A participant\'s "name" must be a string or null.')
        out.append(
            {
                "status": item["status"],
                "is_organizer": organizer,
                "email_address": email.strip().lower(),
                # Only a name given when the participant was created, else null (the newer
                # spec's MeetingParticipant.name: display names are not resolved into it).
                "name": name,
            }
        )
    return out


def _linked_records(
    ws: Workspace, value: Any, participants: list[dict[str, Any]]
) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise ValidationTypeError('"linked_records" must be an array of {object, record_id}.')
    links: dict[tuple[str, str], None] = {}
    for item in value:
        if not isinstance(item, dict):
            raise ValidationTypeError('Each linked record must be {"object", "record_id"}.')
        require(item, ("object", "record_id"), "link a record")
        obj = ws.schema.find_object(item["object"]) if isinstance(item["object"], str) else None
        if obj is None:
            raise ValueNotFoundError(f'Object with slug/ID "{item["object"]}" not found.')
        rid = item["record_id"]
        if not isinstance(rid, str) or not ws.record_exists(obj.id, rid):
            raise ValueNotFoundError(f'Record with ID "{rid}" not found in "{obj.api_slug}".')
        links[(obj.id, rid)] = None
    # "Participants with matching person records are automatically linked" (SPEC meeting).
    people = ws.schema.find_object("people")
    emails = people.find_attribute("email_addresses") if people else None
    if people is not None and emails is not None:
        for p in participants:
            try:
                person = ws.match_record(people, emails, p["email_address"])
            except EmulatorError:
                person = None
            if person is not None:
                links[(people.id, person)] = None
    return [{"object_id": o, "record_id": r} for o, r in links]


def find_or_create_meeting(ws: Workspace, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """``POST /v2/meetings``: the meeting with this ``external_ref``, created if new."""
    require(data, MEETING_FIELDS, "find or create a meeting")
    key = _external_key(data["external_ref"])
    all_day = data["is_all_day"]
    if not isinstance(all_day, bool):
        raise ValidationTypeError('"is_all_day" must be true or false.')
    start = _meeting_time(data["start"], "start", all_day)
    end = _meeting_time(data["end"], "end", all_day)
    if _instant(end, ZoneInfo("UTC")) < _instant(start, ZoneInfo("UTC")):
        raise ValidationTypeError('"end" must not be before "start".')
    participants = _participants(data["participants"])
    linked = _linked_records(ws, data.get("linked_records", []), participants)
    title = string_field(data, "title")
    description = string_field(data, "description")
    for existing in ws.meetings.values():
        if existing["_external_ref"] == key:
            return existing
    meeting_id = new_id()
    meeting: dict[str, Any] = {
        "id": {"workspace_id": ws.workspace_id, "meeting_id": meeting_id},
        "title": title,
        "description": description,
        "is_all_day": all_day,
        "start": start,
        "end": end,
        "participants": participants,
        "linked_records": linked,
        "created_at": now_ts(),
        "created_by_actor": dict(actor),
        "_external_ref": key,
    }
    ws.meetings[meeting_id] = meeting
    return meeting


def update_meeting(
    ws: Workspace, meeting_id: str, data: dict[str, Any], *, replace: bool
) -> dict[str, Any]:
    """``PATCH`` (``replace`` False: links are added) or ``PUT`` (links are replaced) of a
    meeting's ``linked_records``, the one field the update endpoints take (docs.attio.com
    rest-api/endpoint-reference/meetings/update-a-meeting-append-linked-records and
    …-overwrite-linked-records). Participants with person records stay linked either way."""
    meeting = get_meeting(ws, meeting_id)
    unknown = sorted(set(data) - {"linked_records"})
    if unknown:
        raise ValidationTypeError(
            f"Meeting field(s) {', '.join(unknown)} cannot be updated: only linked_records can."
        )
    require(data, ("linked_records",), "update a meeting")
    given = _linked_records(ws, data["linked_records"], meeting["participants"])
    links = [] if replace else list(meeting["linked_records"])
    for link in given:
        if link not in links:
            links.append(link)
    meeting["linked_records"] = links
    return meeting


def delete_meeting(ws: Workspace, meeting_id: str) -> None:
    """``DELETE /v2/meetings/{id}``: the meeting and its call recordings go."""
    get_meeting(ws, meeting_id)
    del ws.meetings[meeting_id]
    for rid in [
        r for r, rec in ws.call_recordings.items() if rec["id"]["meeting_id"] == meeting_id
    ]:
        del ws.call_recordings[rid]


def render_meeting(ws: Workspace, meeting: dict[str, Any]) -> dict[str, Any]:
    """A meeting in Attio's read shape, linked records with their objects' current slugs."""
    out = public(meeting)
    out["participants"] = [{"name": None, **p} for p in meeting["participants"]]
    out["linked_records"] = [
        {
            "object_slug": ws.schema.parent_slug(link["object_id"]),
            "object_id": link["object_id"],
            "record_id": link["record_id"],
        }
        for link in meeting["linked_records"]
    ]
    return out


def get_meeting(ws: Workspace, meeting_id: str) -> dict[str, Any]:
    """A stored meeting; 404 if missing."""
    meeting = ws.meetings.get(meeting_id)
    if meeting is None:
        raise NotFoundError(f'Meeting with ID "{meeting_id}" not found.')
    return meeting


def list_meetings(
    ws: Workspace,
    *,
    linked: tuple[str, str] | None = None,
    participants: str = "",
    sort: str = "start_asc",
    ends_from: str | None = None,
    starts_before: str | None = None,
    timezone: str = "UTC",
) -> list[dict[str, Any]]:
    """Meetings filtered as ``GET /v2/meetings`` asks, sorted by start (then creation)."""
    if sort not in ("start_asc", "start_desc"):
        raise ValidationTypeError(f'"sort" must be "start_asc" or "start_desc", got "{sort}".')
    zone = _zone(timezone)
    if zone is None:
        raise ValidationTypeError(f'"timezone" must be an IANA timezone, got "{timezone}".')
    link_key = (ws.schema.get_object(linked[0]).id, linked[1]) if linked else None
    wanted = {e.strip().lower() for e in participants.split(",") if e.strip()}
    lower = parse_moment(ends_from, "ends_from") if ends_from else None
    upper = parse_moment(starts_before, "starts_before") if starts_before else None
    keyed = []
    for index, meeting in enumerate(ws.meetings.values()):
        start = _instant(meeting["start"], zone)
        if upper is not None and start >= upper:
            continue
        if lower is not None and _instant(meeting["end"], zone) < lower:
            continue
        if wanted and not any(p["email_address"] in wanted for p in meeting["participants"]):
            continue
        if link_key is not None and all(
            (link["object_id"], link["record_id"]) != link_key for link in meeting["linked_records"]
        ):
            continue
        keyed.append((start, index, meeting))
    keyed.sort(key=lambda k: (k[0], k[1]), reverse=sort == "start_desc")
    return [m for _, _, m in keyed]


# -- call recordings -----------------------------------------------------------------------------
def check_video_url(value: Any) -> str:
    """A recording's ``video_url``: https, and a ``.mp4`` file (SPEC); 400 otherwise."""
    if not isinstance(value, str) or not value:
        raise ValidationTypeError('"video_url" is required: a public https URL of an .mp4 file.')
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() != "https":
        raise ValidationTypeError("Invalid video URL protocol. Only https is supported")
    path = rest.split("?", 1)[0].split("#", 1)[0]
    if "/" not in path or not path.lower().endswith(".mp4"):
        raise ValidationTypeError("Invalid video URL: the file must be an .mp4 video.")
    return value


def _recording_url(ws: Workspace, meeting_id: str, recording_id: str) -> str:
    return f"https://app.attio.com/{ws.slug}/calls/{meeting_id}/{recording_id}"


def create_recording(
    ws: Workspace, meeting_id: str, data: dict[str, Any], actor: Actor
) -> dict[str, Any]:
    """``POST …/call_recordings``: answered ``processing`` (fires ``call-recording.created``)."""
    meeting = ws.meetings.get(meeting_id)
    if meeting is None:
        raise NotFoundError("The referenced meeting was not found.")
    video_url = check_video_url(data.get("video_url"))
    recording_id = new_id()
    recording: dict[str, Any] = {
        "id": {
            "workspace_id": ws.workspace_id,
            "meeting_id": meeting_id,
            "call_recording_id": recording_id,
        },
        "status": "completed",
        "web_url": _recording_url(ws, meeting_id, recording_id),
        "created_by_actor": dict(actor),
        "created_at": now_ts(),
        "_video_url": video_url,
        "_transcript": make_transcript(ws, meeting),
    }
    ws.call_recordings[recording_id] = recording
    ws.emit(
        "call-recording.created",
        {"meeting_id": meeting_id, "call_recording_id": recording_id},
        actor,
    )
    return {**render_recording(recording), "status": "processing", "transcript": None}


def get_recording(ws: Workspace, meeting_id: str, recording_id: str) -> dict[str, Any]:
    """A stored recording of this meeting; 404 if the meeting or recording is missing."""
    get_meeting(ws, meeting_id)
    recording = ws.call_recordings.get(recording_id)
    if recording is None or recording["id"]["meeting_id"] != meeting_id:
        raise NotFoundError(f'Call recording with ID "{recording_id}" not found.')
    return recording


def render_recording(recording: dict[str, Any]) -> dict[str, Any]:
    """A recording in the newer spec's read shape: with its ``video_url`` and, once processed,
    its ``transcript`` (``segments`` and ``raw_transcript``; null while there is none, as the
    newer spec has it)."""
    segments: list[dict[str, Any]] = recording["_transcript"]
    transcript = (
        {"segments": segments, "raw_transcript": _raw_transcript(segments)} if segments else None
    )
    return {**public(recording), "video_url": recording["_video_url"], "transcript": transcript}


def list_recordings(ws: Workspace, meeting_id: str) -> list[dict[str, Any]]:
    """A meeting's recordings in creation order."""
    get_meeting(ws, meeting_id)
    return [
        render_recording(r)
        for r in ws.call_recordings.values()
        if r["id"]["meeting_id"] == meeting_id
    ]


def delete_recording(ws: Workspace, meeting_id: str, recording_id: str) -> None:
    """``DELETE …/call_recordings/{id}``: the recording and its transcript go."""
    get_recording(ws, meeting_id, recording_id)
    del ws.call_recordings[recording_id]


# -- transcripts ---------------------------------------------------------------------------------
_SCRIPT = (
    (0, "Hello everyone, thanks for joining {title}."),
    (1, "Thanks for having me. Shall we start with the agenda?"),
    (0, "Yes. First a quick recap of where things stand, then next steps."),
    (1, "Sounds good. I will take notes and share them afterwards."),
)
_WORD_SECONDS = 0.3
_TURN_GAP_SECONDS = 0.5


def _speaker_name(ws: Workspace, email: str) -> str:
    member_id = ws.find_member(email)
    if member_id is not None:
        m = ws.members[member_id]
        return f"{m.first_name} {m.last_name}".strip()
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in re.split(r"[._+-]+", local) if part) or email


def make_transcript(ws: Workspace, meeting: dict[str, Any]) -> list[dict[str, Any]]:
    """The emulator's transcript of a meeting: one segment per word, two speakers taking turns."""
    ordered = sorted(meeting["participants"], key=lambda p: not p["is_organizer"])
    names = [_speaker_name(ws, p["email_address"]) for p in ordered[:2]]
    names += [f"Speaker {i + 1}" for i in range(len(names), 2)]
    title = meeting["title"] or "this meeting"
    segments = []
    clock = 0.5
    for speaker, line in _SCRIPT:
        for word in line.format(title=title).split():
            segments.append(
                {
                    "speech": word,
                    "start_time": round(clock, 2),
                    "end_time": round(clock + _WORD_SECONDS, 2),
                    "speaker": {"name": names[speaker]},
                }
            )
            clock += _WORD_SECONDS
        clock += _TURN_GAP_SECONDS
    return segments


def _raw_transcript(segments: list[dict[str, Any]]) -> str:
    """``[mm:ss] Speaker: words`` per turn, as in the SPEC's example."""
    lines: list[str] = []
    speaker: str | None = None
    for seg in segments:
        name = seg["speaker"]["name"]
        if name != speaker:
            minutes, seconds = divmod(int(seg["start_time"]), 60)
            lines.append(f"[{minutes:02d}:{seconds:02d}] {name}:")
            speaker = name
        lines[-1] += " " + seg["speech"]
    return "\n".join(lines)


def transcript_page(
    ws: Workspace, meeting_id: str, recording_id: str, cursor: str | None
) -> tuple[dict[str, Any], str | None]:
    """One page of a recording's transcript segments, and the next page's cursor."""
    recording = get_recording(ws, meeting_id, recording_id)
    segments: list[dict[str, Any]] = recording["_transcript"]
    page, next_cursor = cursor_page(segments, cursor, TRANSCRIPT_PAGE_SIZE)
    data = {
        "id": recording["id"],
        "transcript": page,
        "raw_transcript": _raw_transcript(segments),
        "web_url": recording["web_url"] + "/transcript",
    }
    return data, next_cursor
