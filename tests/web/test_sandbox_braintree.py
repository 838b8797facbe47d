"""The sandbox's Braintree, as a process: the stand-in bills the seeded Juniper Pay offline.

At start the stand-in notifies the seeded subscription's charge, signed with the sandbox's own
keys, to the service's ``/webhooks/braintree``: the company in Attio gets its subscription
status, plan and revenue. The banner's command, run as printed, fails a payment: the events
page shows the notification processed, the company turns ``Past Due`` and gets a note and a
task for its account owner. The keys' secrets are never printed.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import signal
import subprocess
import urllib.request
from typing import Any

import pytest

from .test_sandbox import sandbox  # noqa: F401  (the fixture)
from .test_sandbox_sync import _call, _company, _feed, _until, _value

pytestmark = pytest.mark.slow

DOMAIN = "juniperpay.finance"


def _run(line: str) -> Any:
    """The banner's curl as printed (by curl itself when installed); its JSON answer."""
    words = shlex.split(line)
    assert words[:4] == ["curl", "-s", "-X", "POST"], words
    if shutil.which("curl"):
        done = subprocess.run(words, check=True, capture_output=True, text=True, timeout=30)
        return json.loads(done.stdout)
    header = words[words.index("-H") + 1].split(": ", 1)
    request = urllib.request.Request(
        words[4], data=words[words.index("-d") + 1].encode(), headers=dict([header])
    )
    with urllib.request.urlopen(request, timeout=10) as got:
        return json.loads(got.read())


def _billing(url: str, key: str) -> dict[str, Any]:
    company = _company(url, key, DOMAIN)
    slugs = ("subscription_status", "subscription_plan", "subscription_revenue")
    return {slug: _value(company, slug) for slug in slugs}


def _processed(feed: str, kind: str) -> bool:
    """Whether the events page lists a ``kind`` row whose status is succeeded."""
    row = rf"<td>{kind}</td>\s*<td>[^<]*</td>\s*<td class=\"status-succeeded\">"
    return re.search(row, feed) is not None


def test_the_banners_command_fails_a_payment_and_the_company_gets_a_note_and_a_task(
    sandbox: tuple[subprocess.Popen[bytes], list[str], dict[str, str]],  # noqa: F811
) -> None:
    proc, banner, _ = sandbox
    url = re.search(r"(http://127\.0\.0\.1:\d+)/", banner[0])[1]  # type: ignore[index]
    key = next(re.search(r"export ATTIO_API_KEY=(\S+)", b) for b in banner if "ATTIO_API_KEY=" in b)
    assert key is not None
    api_key = key[1]
    (line,) = [b.strip() for b in banner if "/_emulator/braintree/" in b]

    # The start: the seeded subscription's charge reached its company through the service.
    started = {
        "subscription_status": "Active",
        "subscription_plan": "growth-monthly",
        "subscription_revenue": 499,
    }
    _until("the first charge on Juniper Pay", lambda: _billing(url, api_key) == started)
    assert _processed(_feed(url), "subscription_charged_successfully")

    answer = _run(line)
    assert answer["kind"] == "subscription_charged_unsuccessfully"
    assert answer["destination"] == f"{url}/webhooks/braintree"
    assert answer["subscription"]["transactions"][0]["status"] == "processor_declined"

    _until(
        "the failed payment on the page",
        lambda: _processed(_feed(url), "subscription_charged_unsuccessfully"),
    )
    assert _billing(url, api_key) == {**started, "subscription_status": "Past Due"}
    company = _company(url, api_key, DOMAIN)
    assert company is not None
    record_id = company["id"]["record_id"]
    query = f"parent_object=companies&parent_record_id={record_id}"
    notes = _call("GET", f"{url}/v2/notes?{query}", api_key)["data"]
    [note] = [n for n in notes if n["title"] == "Payment failed"]  # the seed has one of its own
    assert "499.00" in note["content_plaintext"]
    tasks = [
        t
        for t in _call("GET", f"{url}/v2/tasks", api_key)["data"]
        if "failed payment" in t["content_plaintext"]
    ]
    assert len(tasks) == 1 and "juniper-growth" in tasks[0]["content_plaintext"]
    assert [r["target_record_id"] for r in tasks[0]["linked_records"]] == [record_id]
    [owner] = company["values"]["owner"]  # the seed's account owner
    assert [a["referenced_actor_id"] for a in tasks[0]["assignees"]] == [
        owner["referenced_actor_id"]
    ]

    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    printed = "\n".join(banner) + out.decode()
    # The Braintree private key and HubSpot's client secret (48 hex digits each) stay unsaid.
    assert re.search(r"\b[0-9a-f]{48}\b", printed) is None
