"""Helpers of the lead-kickoff tests (workflow and command): the emulator's control plane (reset,
injected Slack and Drive failures, the journal), the connectors pointed at its stand-ins, and
what the workspace, Slack and Drive hold afterwards."""

from __future__ import annotations

import contextlib
import json
import urllib.request
from collections.abc import Iterator
from typing import Any

from google.oauth2.credentials import Credentials

from attio_bridge.client import AttioClient
from attio_bridge.connectors import DriveConnector, SlackConnector
from attio_bridge.testing import EmulatorProcess

from ..client._factories import attribute_body

LEAD_STATUSES = ("Hot", "Warm", "Cold")
# Stand-in calls that only read.
_SLACK_READS = ("auth.test", "conversations.list", "conversations.info")


def control(emu: EmulatorProcess, method: str, path: str, body: Any = None) -> Any:
    """Call the emulator's control plane (``/_emulator/...``); its JSON answer."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{emu.base_url}/_emulator{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        raw = answer.read()
    return json.loads(raw) if raw else None


def reset(emu: EmulatorProcess) -> None:
    """An empty workspace, empty Slack and Drive stand-ins, no failures, an empty journal."""
    control(emu, "POST", "/reset", {})
    control(emu, "DELETE", "/journal")


def fail(emu: EmulatorProcess, system: str, method: str, error: str, **extra: Any) -> None:
    """Make the stand-in of ``system`` ("slack" or "drive") fail calls of ``method``."""
    control(
        emu, "POST", "/standins/fail", {"system": system, "method": method, "error": error} | extra
    )


def mend(emu: EmulatorProcess) -> None:
    """Clear the injected failures."""
    control(emu, "DELETE", "/standins/fail")


def writes(emu: EmulatorProcess) -> list[str]:
    """Every write the emulator received on any of its systems, ``"METHOD path"``, oldest first:
    Attio's (not the queries and searches), Slack's (not its reads), Drive's (not GETs)."""
    out = []
    for e in control(emu, "GET", "/journal"):
        path, method = str(e["path"]), str(e["method"])
        if path.startswith("/v2/"):
            if method != "GET" and not path.endswith(("/query", "/search")):
                out.append(f"{method} {path}")
        elif path.startswith("/slack/api/"):
            if path.rsplit("/", 1)[1] not in _SLACK_READS:
                out.append(f"{method} {path}")
        elif path.startswith("/drive/") and method != "GET":
            out.append(f"{method} {path}")
    return out


def slack_for(emu: EmulatorProcess, token: str | None = None) -> SlackConnector:
    """A Slack connector on the emulator's stand-in (its API key is a valid bot token)."""
    return SlackConnector(token or emu.api_key, base_url=f"{emu.base_url}/slack/api/")


def drive_for(emu: EmulatorProcess) -> DriveConnector:
    """A Drive connector on the emulator's stand-in (its API key is a valid access token)."""
    return DriveConnector(Credentials(emu.api_key), base_url=f"{emu.base_url}/drive/v3")  # type: ignore[no-untyped-call]


def add_lead_status(client: AttioClient) -> None:
    """Give companies a ``lead_status`` select with ``LEAD_STATUSES``."""
    client.attributes.create("objects", "companies", attribute_body("lead_status", "select"))
    for title in LEAD_STATUSES:
        client.attributes.create_option("objects", "companies", "lead_status", title=title)


@contextlib.contextmanager
def fresh_workspace(emu: EmulatorProcess) -> Iterator[AttioClient]:
    """A sync client of a fresh workspace whose companies have a ``lead_status`` select; the
    stand-ins are empty and the journal starts empty."""
    reset(emu)
    with AttioClient(api_key=emu.api_key, base_url=emu.base_url, read_rate=0, write_rate=0) as c:
        add_lead_status(c)
        control(emu, "DELETE", "/journal")
        yield c


def add_url_attributes(client: AttioClient) -> None:
    """Give companies the two text attributes the kickoff writes."""
    for slug in ("prospect_slack_channel", "google_drive_folder_url"):
        client.attributes.create("objects", "companies", attribute_body(slug, "text"))


def company_values(client: AttioClient, record_id: str) -> dict[str, Any]:
    """The company's current values as plain data: text and select titles by slug."""
    record = client.records.get("companies", record_id)
    out: dict[str, Any] = {}
    for slug, items in record.values.items():
        if not items:
            continue
        item = items[0]
        if "option" in item:
            out[slug] = item["option"]["title"]
        elif "value" in item:
            out[slug] = item["value"]
    return out


def note_texts(client: AttioClient, record_id: str) -> list[str]:
    """The plain text of every note on the company, titles first."""
    return [
        f"{n.title}\n{n.content_plaintext}"
        for n in client.notes.iter(parent_object="companies", parent_record_id=record_id)
    ]
