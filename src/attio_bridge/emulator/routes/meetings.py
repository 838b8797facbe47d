"""Routes for meetings, call recordings and transcripts (API-NOTES §1, §6; cursor pagination).

Creating a call recording is limited to one request per second per token in Attio (SPEC,
API-NOTES §8). That limit is enforced here, on top of the shared read and write budgets, and
only while rate limiting is on (a write rate above zero), so tests that turn limits off are not
slowed down by it.
"""

from __future__ import annotations

import math
import time
import weakref
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from ..errors import RateLimitError, ValidationTypeError
from ..http import Call, RouteTable, error_response, retry_after_date
from ..models import meetings

if TYPE_CHECKING:
    from ..state import EmulatorState

table = RouteTable()

RECORDING_INTERVAL_S = 1.0


class IntervalLimit:
    """At most one request per ``interval`` seconds per token, measured from the last allowed."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}

    def wait(self, token_id: str, now: float) -> float | None:
        """None and count the request if it may go ahead; else when it may (epoch seconds)."""
        last = self._last.get(token_id)
        if last is not None and now - last < self.interval:
            return last + self.interval
        self._last[token_id] = now
        return None


# One limiter per running emulator, dropped with it.
_recording_limits: weakref.WeakKeyDictionary[EmulatorState, IntervalLimit] = (
    weakref.WeakKeyDictionary()
)


def _recording_limited(call: Call) -> Response | None:
    """Attio's 429 when this token created a recording less than a second ago."""
    if call.state.budget.write_rate <= 0:
        return None
    limit = _recording_limits.setdefault(call.state, IntervalLimit(RECORDING_INTERVAL_S))
    allowed_at = limit.wait(call.token.token_id, time.time())
    if allowed_at is None:
        return None
    # retry_after_date(t) names the second after t; aim at the first whole second that is allowed.
    header = retry_after_date(math.ceil(allowed_at) - 1)
    return error_response(RateLimitError(), {"Retry-After": header})


def _limit(call: Call, default: int) -> int:
    return call.query_int("limit", default, 1, 200)


# -- meetings ------------------------------------------------------------------------------------
@table.route("GET", "/v2/meetings")
async def list_meetings(call: Call) -> Any:
    ws = call.ws
    obj, rid = call.query("linked_object"), call.query("linked_record_id")
    if (obj is None) != (rid is None):
        raise ValidationTypeError(
            'Query parameters "linked_object" and "linked_record_id" must be given together.'
        )
    found = meetings.list_meetings(
        ws,
        linked=(obj, rid) if obj is not None and rid is not None else None,
        participants=call.query("participants", "") or "",
        sort=call.query("sort", "start_asc") or "start_asc",
        ends_from=call.query("ends_from"),
        starts_before=call.query("starts_before"),
        timezone=call.query("timezone", "UTC") or "UTC",
    )
    page, next_cursor = meetings.cursor_page(found, call.query("cursor"), _limit(call, 50))
    return {
        "data": [meetings.render_meeting(ws, m) for m in page],
        "pagination": {"next_cursor": next_cursor},
    }


@table.route("POST", "/v2/meetings")
async def find_or_create_meeting(call: Call) -> Any:
    ws = call.ws
    meeting = meetings.find_or_create_meeting(ws, await call.data(), call.actor)
    return {"data": meetings.render_meeting(ws, meeting)}


@table.route("GET", "/v2/meetings/{meeting_id}")
async def get_meeting(call: Call) -> Any:
    ws = call.ws
    return {"data": meetings.render_meeting(ws, meetings.get_meeting(ws, call.path["meeting_id"]))}


# -- call recordings -----------------------------------------------------------------------------
@table.route("GET", "/v2/meetings/{meeting_id}/call_recordings")
async def list_recordings(call: Call) -> Any:
    found = meetings.list_recordings(call.ws, call.path["meeting_id"])
    page, next_cursor = meetings.cursor_page(found, call.query("cursor"), _limit(call, 50))
    return {"data": page, "pagination": {"next_cursor": next_cursor}}


@table.route("POST", "/v2/meetings/{meeting_id}/call_recordings")
async def create_recording(call: Call) -> Any:
    limited = _recording_limited(call)
    if limited is not None:
        return limited
    data = await call.data()
    return {"data": meetings.create_recording(call.ws, call.path["meeting_id"], data, call.actor)}


@table.route("GET", "/v2/meetings/{meeting_id}/call_recordings/{call_recording_id}")
async def get_recording(call: Call) -> Any:
    rec = meetings.get_recording(call.ws, call.path["meeting_id"], call.path["call_recording_id"])
    return {"data": meetings.render_recording(rec)}


@table.route("DELETE", "/v2/meetings/{meeting_id}/call_recordings/{call_recording_id}")
async def delete_recording(call: Call) -> Any:
    meetings.delete_recording(call.ws, call.path["meeting_id"], call.path["call_recording_id"])
    # The one delete in Attio's API that answers 204 with no body (API-NOTES gotcha 18).
    return Response(status_code=204)


@table.route("GET", "/v2/meetings/{meeting_id}/call_recordings/{call_recording_id}/transcript")
async def get_transcript(call: Call) -> Any:
    data, next_cursor = meetings.transcript_page(
        call.ws, call.path["meeting_id"], call.path["call_recording_id"], call.query("cursor")
    )
    return {"data": data, "pagination": {"next_cursor": next_cursor}}
