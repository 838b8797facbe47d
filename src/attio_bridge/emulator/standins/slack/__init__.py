"""The Slack stand-in: channels and messages (``model``) and Slack's Web API (``routes``), as
``SLACK``.

Point ``slack_sdk.WebClient(base_url=...)`` at ``http://HOST:PORT/slack/api/``. Writes kept with
``--database``: ``conversations.create``, ``conversations.archive`` and ``chat.postMessage``
with their arguments, never the token. Injected failures answer ``{"ok": false, "error"}``
with HTTP 200 as Slack does (429 with ``Retry-After`` for ``ratelimited``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..base import StandIn
from .model import SlackError, SlackModel
from .routes import NAME, replay, slack_routes

if TYPE_CHECKING:
    from ...state import EmulatorConfig

__all__ = ["SLACK", "SlackError", "SlackModel"]


def _model(config: EmulatorConfig) -> SlackModel:
    return SlackModel(config.workspace_name, config.workspace_slug)


def _failure(error: Any, status: Any) -> tuple[str, int]:
    # Slack answers errors with HTTP 200 and a code, so the code is what a rule must give.
    if not isinstance(error, str) or not error:
        raise ValueError(
            '"error" is required for Slack: a Slack error code such as "restricted_action"'
        )
    if status is None:
        status = 429 if error == "ratelimited" else 200
    if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599:
        raise ValueError(f'"status" must be an HTTP status (200-599), not {status!r}')
    return error, status


SLACK: StandIn[SlackModel] = StandIn(NAME, _model, slack_routes, replay, _failure)
