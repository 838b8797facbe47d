"""The mapping the sandbox ships (``sync/sandbox_mapping.toml``) checks clean against the
sandbox workspace's schema (with the custom object ``services`` its seed creates) and the HubSpot
and Zoho stand-ins' fields, so the sandbox's sync can run."""

from __future__ import annotations

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.emulator.standins.hubspot.model import FIELDS
from attio_bridge.emulator.standins.zoho.model import FIELDS as ZOHO_FIELDS
from attio_bridge.sync import check
from attio_bridge.sync.sandbox import sandbox_mappings
from attio_bridge.values import SchemaCache


@pytest.mark.attio_seed("sandbox")
def test_the_sandbox_mapping_checks_clean_against_both_sides(attio_client: AttioClient) -> None:
    mappings = sandbox_mappings()
    assert {(m.object, m.attio_target) for m in mappings} == {
        ("contacts", "people"),
        ("companies", "companies"),
        ("Services", "services"),
    }
    schema = SchemaCache(attio_client).get()
    fields = {"hubspot": FIELDS, "zoho": ZOHO_FIELDS}
    for m in mappings:
        assert check(m, schema, fields[m.system][m.object]) == [], m.name
    [zoho] = [m for m in mappings if m.system == "zoho"]
    assert zoho.direction == "into_attio"
