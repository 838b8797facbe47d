"""The mapping the sandbox ships (``sync/sandbox_mapping.toml``) checks clean against the
sandbox workspace's schema and the HubSpot stand-in's properties, so the sandbox's sync can run."""

from __future__ import annotations

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.emulator.standins.hubspot.model import FIELDS
from attio_bridge.sync import check
from attio_bridge.sync.sandbox import sandbox_mappings
from attio_bridge.values import SchemaCache


@pytest.mark.attio_seed("sandbox")
def test_the_sandbox_mapping_checks_clean_against_both_sides(attio_client: AttioClient) -> None:
    mappings = sandbox_mappings()
    assert {(m.object, m.attio_target) for m in mappings} == {
        ("contacts", "people"),
        ("companies", "companies"),
    }
    schema = SchemaCache(attio_client).get()
    for m in mappings:
        assert m.system == "hubspot"
        assert check(m, schema, FIELDS[m.object]) == [], m.name
