"""The sandbox's Zoho sync, as a process: Zoho's stand-in's services one way into Attio.

After start, the first full sync has made every service of the Zoho stand-in a record of the
custom object ``services`` (created by the emulator's sandbox seed); the banner's curl reprices
a service in Zoho, whose notification reaches the service's /webhooks/zoho (its event on the
page) and the change reaches Attio; the stand-in's journal shows that no write ever reached Zoho
but the one the test made.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import urllib.request
from typing import Any

import pytest

from .test_sandbox import _get, sandbox  # noqa: F401  (the fixture)
from .test_sandbox_sync import _feed, _until, _url_and_key

pytestmark = pytest.mark.slow

FIELDS = "Service_Name,Price,Duration,Status,Description"


def _call(method: str, url: str, headers: dict[str, str], body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=10) as got:
        return json.loads(got.read() or b"null")


def _attio_services(url: str, key: str) -> dict[str, dict[str, Any]]:
    """Attio's services by zoho_id: service name and price."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    body = {"limit": 100}
    found = _call("POST", f"{url}/v2/objects/services/records/query", headers, body)["data"]
    out = {}
    for record in found:
        values = {slug: items[0].get("value") for slug, items in record["values"].items() if items}
        if values.get("zoho_id"):
            out[values["zoho_id"]] = values
    return out


def _crm_writes(url: str) -> list[str]:
    status, text = _get(f"{url}/_emulator/journal")
    assert status == 200
    return [
        f"{e['method']} {e['path']}"
        for e in json.loads(text)
        if str(e["path"]).startswith("/crm/v7/") and e["method"] != "GET"
    ]


def test_the_sandbox_brings_zohos_services_into_attio_and_writes_nothing_to_zoho(
    sandbox: tuple[subprocess.Popen[bytes], list[str], dict[str, str]],  # noqa: F811
) -> None:
    _, banner, _ = sandbox
    url, api_key = _url_and_key(banner)
    (line,) = [b for b in banner if "/crm/v7/Services/" in b]
    assert any("records query services" in b and "ATTIO_API_KEY=" in b for b in banner)
    words = shlex.split(line[line.index("curl ") :])
    service_url = next(w for w in words if "/crm/v7/Services/" in w)
    headers = dict(
        (name.strip(), value.strip())
        for name, value in (words[i + 1].split(":", 1) for i, w in enumerate(words) if w == "-H")
    )
    change = json.loads(words[words.index("-d") + 1])
    zoho = _call("GET", f"{url}/crm/v7/Services?fields={FIELDS}", headers)["data"]
    assert len(zoho) >= 3

    # The first full sync: every Zoho service is a record of Attio's custom object.
    def landed() -> bool:
        found = _attio_services(url, api_key)
        return {i: (s["service_name"], s["price"]) for i, s in found.items()} == {
            s["id"]: (s["Service_Name"], s["Price"]) for s in zoho
        }

    _until("Zoho's services in Attio", landed, timeout=90)

    # The banner's change in Zoho arrives (its notification, else the next pull: 30 s).
    service_id = service_url.rsplit("/", 1)[1]
    price = change["data"][0]["Price"]
    assert price != next(s["Price"] for s in zoho if s["id"] == service_id)
    answer = _call("PUT", service_url, headers, change)
    assert answer["data"][0]["code"] == "SUCCESS"
    _until(
        "Zoho's change in Attio",
        lambda: _attio_services(url, api_key)[service_id]["price"] == price,
        timeout=120,
    )
    _until("Zoho's notification on the page", lambda: "Services.update" in _feed(url))
    assert "sandbox-zoho-services" in _feed(url)

    # Nothing flows back: the one write Zoho received is the test's own.
    assert _crm_writes(url) == [f"PUT /crm/v7/Services/{service_id}"]
