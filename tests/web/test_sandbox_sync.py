"""The sandbox's sync, as a process: HubSpot's stand-in and the emulator's Attio kept in step.

After start, the first full sync (a durable job) has brought the stand-in's seeded contacts into
Attio; the banner's curl changes a HubSpot contact, whose signed webhook reaches the service and
the change reaches the Attio person; a change made in Attio reaches the HubSpot contact.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from .test_sandbox import _get, sandbox  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow

SEEDED = ("ada@acme.example", "grace@globex.example", "alan@acme.example")


def _call(method: str, url: str, token: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=10) as got:
        return json.loads(got.read() or b"null")


def _until(what: str, probe: Callable[[], Any], timeout: float = 60.0) -> Any:
    """``probe()`` once it is truthy, tried for ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(0.25)
    raise AssertionError(f"{what} within {timeout:.0f} s: last saw {last!r}")


def _first(url: str, key: str, object: str, filter: dict[str, str]) -> dict[str, Any] | None:
    body = {"filter": filter, "limit": 1}
    found = _call("POST", f"{url}/v2/objects/{object}/records/query", key, body)["data"]
    return found[0] if found else None


def _person(url: str, key: str, email: str) -> dict[str, Any] | None:
    return _first(url, key, "people", {"email_addresses": email})


def _company(url: str, key: str, domain: str) -> dict[str, Any] | None:
    return _first(url, key, "companies", {"domains": domain})


def _feed(url: str) -> str:
    return _get(f"{url}/events/feed")[1]


def _url_and_key(banner: list[str]) -> tuple[str, str]:
    """The sandbox's address and the API key its banner tells to export."""
    url = re.search(r"(http://127\.0\.0\.1:\d+)/", banner[0])
    key = next(re.search(r"export ATTIO_API_KEY=(\S+)", b) for b in banner if "ATTIO_API_KEY=" in b)
    assert url is not None and key is not None, banner
    return url[1], key[1]


def _value(record: dict[str, Any] | None, slug: str) -> Any:
    values = (record or {}).get("values", {}).get(slug) or [{}]
    return values[0].get("value")


def test_the_sandbox_syncs_hubspots_stand_in_and_attio_both_ways(
    sandbox: tuple[subprocess.Popen[bytes], list[str], dict[str, str]],  # noqa: F811
) -> None:
    _, banner, env = sandbox
    url, api_key = _url_and_key(banner)
    (curl,) = [b.strip() for b in banner if b.strip().startswith("curl ") and "/crm/v3/" in b]
    words = shlex.split(curl)
    contact_url = next(w for w in words if "/crm/v3/objects/contacts/" in w)
    token = words[words.index("-H") + 1].removeprefix("Authorization: Bearer ")
    change = json.loads(words[words.index("-d") + 1])
    assert any("people get ada@acme.example" in b for b in banner)
    assert _get(f"{url}/sync/conflicts")[0] == 200

    # The first full sync: every seeded HubSpot contact is an Attio person.
    for email in SEEDED:
        _until(f"{email} in Attio", lambda email=email: _person(url, api_key, email))
    for domain in ("acme.example.com", "globex.example.com"):
        _until(f"{domain} in Attio", lambda domain=domain: _company(url, api_key, domain))

    # The banner's change in HubSpot reaches Attio (through HubSpot's signed webhook).
    assert _call("PATCH", contact_url, token, change)["properties"]["jobtitle"]
    title = change["properties"]["jobtitle"]
    _until(
        "HubSpot's change in Attio",
        lambda: _value(_person(url, api_key, "ada@acme.example"), "job_title") == title,
    )
    _until("HubSpot's event on the page", lambda: "contact.propertyChange" in _feed(url))

    # The banner's sync status line, run as printed in the newcomer's shell, shows this run's
    # links (not the user's own state store).
    (line,) = [b.strip() for b in banner if " sync status " in b]
    words = shlex.split(line)
    assignments = dict(w.split("=", 1) for w in words if re.fullmatch(r"[A-Z_]+=\S+", w))
    shell = {**env, "PATH": env["ATTIO_BRIDGE_SHELL_PATH"], **assignments}
    shown = subprocess.run(
        [*words[len(assignments) :], "--json"], env=shell, check=True, capture_output=True
    )
    status = {row["mapping"]: row for row in json.loads(shown.stdout)}
    assert status["sandbox-hubspot-contacts"]["linked"] >= len(SEEDED)
    assert status["sandbox-hubspot-contacts"]["last_pull_started"] is not None

    # A change made in Attio (a field both sides own) reaches HubSpot.
    ada = _person(url, api_key, "ada@acme.example")
    assert ada is not None
    record_id = ada["id"]["record_id"]
    body = {"data": {"values": {"job_title": "Analyst of Engines"}}}
    _call("PATCH", f"{url}/v2/objects/people/records/{record_id}", api_key, body)
    _until(
        "Attio's change in HubSpot",
        lambda: (
            _call("GET", f"{contact_url}?properties=jobtitle", token)["properties"].get("jobtitle")
            == "Analyst of Engines"
        ),
    )
