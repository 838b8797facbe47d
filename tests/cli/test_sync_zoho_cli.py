"""Zoho CRM's Services into an Attio custom object, end to end: the shipped example mapping
(docs/examples/zoho-services.toml), the real ``attio-bridge sync check|run`` with the real
``ZohoConnector`` (``ZOHO_API_URL``), and an emulator process serving both Attio's API and the
Zoho stand-in. Changes and deletes in Zoho reach Attio; nothing is ever written to Zoho."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.testing import EmulatorProcess
from tests.client._factories import attribute_body
from tests.connectors._support import call

from ._support import invoke, one_error_line

KEY = "sync-zoho-cli-key"
EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "zoho-services.toml"
ZOHO = "Zoho-oauthtoken 1000.sandbox"


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:  # type: ignore[override]
    """An emulator process: the Zoho connector reaches it over HTTP, as it would Zoho."""
    with EmulatorProcess(api_key=KEY, read_rate=0, write_rate=0) as process:
        yield process


@pytest.fixture
def client(emu: EmulatorProcess) -> Iterator[AttioClient]:  # type: ignore[override]
    budget: dict[str, Any] = {"rate_limit_backend": "memory", "read_rate": 0, "write_rate": 0}
    with AttioClient(api_key=KEY, base_url=emu.base_url, **budget) as c:
        yield c


def make_services_object(client: AttioClient) -> None:
    """The custom object the example's comment asks for."""
    client.objects.create(api_slug="services", singular_noun="Service", plural_noun="Services")
    for slug, kind in [
        ("service_name", "text"),
        ("price", "number"),
        ("duration", "number"),
        ("status", "select"),
        ("description", "text"),
    ]:
        client.attributes.create("objects", "services", attribute_body(slug, kind))
    client.attributes.create(
        "objects", "services", attribute_body("zoho_id", "text", is_unique=True)
    )
    for title in ("Active", "Draft"):
        client.attributes.create_option("objects", "services", "status", title=title)


def zoho(emu: EmulatorProcess, method: str, path: str = "", body: Any = None) -> Any:
    """A call to the Zoho stand-in as someone working in Zoho would make it."""
    status, answer = call(
        f"{emu.base_url}/crm/v7/Services{path}", body, method=method, authorization=ZOHO
    )
    assert status in (200, 201, 204), answer
    return answer


def zoho_services(emu: EmulatorProcess) -> dict[str, dict[str, Any]]:
    fields = "Service_Name,Price,Duration,Status,Description"
    return {r["id"]: r for r in zoho(emu, "GET", f"?fields={fields}")["data"]}


def attio_services(client: AttioClient) -> dict[str, dict[str, Any]]:
    """Attio's services by zoho_id: their values, first value of each."""
    out = {}
    for record in client.records.iter("services"):
        values = {
            slug: (
                items[0].get("option", {}).get("title") if slug == "status" else items[0]["value"]
            )
            for slug, items in record.values.items()
            if items and slug in {"service_name", "price", "duration", "status", "zoho_id"}
        }
        out[values["zoho_id"]] = values
    return out


def crm_writes(emu: EmulatorProcess) -> list[str]:
    status, entries = call(f"{emu.base_url}/_emulator/journal")
    assert status == 200
    return [
        f"{e['method']} {e['path']}"
        for e in entries
        if str(e["path"]).startswith("/crm/") and e["method"] != "GET"
    ]


def test_zoho_services_reach_an_attio_custom_object_and_nothing_goes_back(
    emu: EmulatorProcess, client: AttioClient, tmp_path: Path, config_home: Path
) -> None:
    make_services_object(client)
    file = tmp_path / "zoho.toml"
    file.write_text(EXAMPLE.read_text())
    env: dict[str, str | None] = {
        "ATTIO_API_KEY": KEY,
        "ATTIO_BASE_URL": emu.base_url,
        "ZOHO_ACCESS_TOKEN": "1000.sandbox",
        "ZOHO_API_URL": emu.base_url,
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "ATTIO_BRIDGE_DATABASE_URL": None,
    }

    def sync(*args: str) -> Any:
        return invoke(["sync", *args], env, config_home, KEY)

    checked = sync("check", str(file))
    assert checked.exit_code == 0, checked.stderr
    assert "1 mapping(s) OK" in checked.stdout
    # Zoho only reads: a two-way mapping of it is refused, naming the line and the fix.
    two_way = tmp_path / "two-way.toml"
    two_way.write_text(EXAMPLE.read_text().replace('direction = "into_attio"\n', ""))
    line = one_error_line(sync("check", str(two_way)))
    header = EXAMPLE.read_text().splitlines().index("[[mapping]]") + 1
    assert f"{two_way}, line {header}: mapping 'zoho-services'" in line
    assert 'add direction = "into_attio"' in line

    done = sync("run", str(file), "--json")
    assert done.exit_code == 0, done.stderr
    [report] = json.loads(done.stdout)["mappings"]
    seeded = zoho_services(emu)
    assert report["errors"] == [] and report["written"] == {"attio": len(seeded), "external": 0}
    assert {
        i: (s["Service_Name"], s["Price"], s["Duration"], s["Status"]) for i, s in seeded.items()
    } == {
        i: (a["service_name"], a["price"], a["duration"], a["status"])
        for i, a in attio_services(client).items()
    }

    # A change in Zoho reaches Attio on the next (incremental) run; a delete follows on_delete.
    changed, gone = sorted(seeded)[:2]
    zoho(emu, "PUT", f"/{changed}", {"data": [{"Price": 1750.5, "Status": "Draft"}]})
    zoho(emu, "DELETE", f"/{gone}")
    again = sync("run", str(file))
    assert again.exit_code == 0, again.stderr
    after = attio_services(client)
    assert (after[changed]["price"], after[changed]["status"]) == (1750.5, "Draft")
    assert gone not in after and len(after) == len(seeded) - 1

    # An Attio edit of a field Zoho owns is put back by the next run that reads the record.
    [record] = client.records.query("services", filter={"zoho_id": changed})
    client.records.update("services", record.record_id, {"price": 1.0})
    full = sync("run", str(file), "--full", "--json")
    [report] = json.loads(full.stdout)["mappings"]
    assert attio_services(client)[changed]["price"] == 1750.5
    assert [(c["field"], c["decision"]) for c in report["conflicts"]] == [("price", "external")]
    assert report["written"]["external"] == 0
    assert sync("run", str(file), "--json").exit_code == 0

    # The only writes Zoho ever received are the two this test made as a Zoho user.
    assert crm_writes(emu) == [f"PUT /crm/v7/Services/{changed}", f"DELETE /crm/v7/Services/{gone}"]


def test_a_missing_or_refused_zoho_token_exits_as_a_usage_or_auth_error(
    emu: EmulatorProcess, client: AttioClient, tmp_path: Path, config_home: Path
) -> None:
    file = tmp_path / "zoho.toml"
    file.write_text(EXAMPLE.read_text())
    env: dict[str, str | None] = {
        "ATTIO_API_KEY": KEY,
        "ATTIO_BASE_URL": emu.base_url,
        "ZOHO_ACCESS_TOKEN": None,
        "ZOHO_API_URL": emu.base_url,
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "ATTIO_BRIDGE_DATABASE_URL": None,
    }
    missing = invoke(["sync", "check", str(file)], env, config_home, KEY)
    assert missing.exit_code == 2 and "ZOHO_ACCESS_TOKEN" in one_error_line(missing)
    refused = invoke(
        ["sync", "check", str(file)], env | {"ZOHO_ACCESS_TOKEN": "not-a-token"}, config_home, KEY
    )
    assert refused.exit_code == 3, refused.stderr
    assert "not-a-token" not in refused.stderr + refused.stdout
