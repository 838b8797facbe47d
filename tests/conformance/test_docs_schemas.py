"""Every operation taken from Attio's endpoint reference (``spec.DOCS_OPERATIONS``) has its
documented statuses' response schemas in ``docs_schemas``, so the conformance client can check
what the emulator answers for it."""

from __future__ import annotations

from attio_bridge.emulator.spec import DOCS_OPERATIONS, DOCS_ROOT

from .docs_schemas import DOCS_RESPONSE_SCHEMAS


def test_each_docs_operation_has_a_schema_per_documented_status_and_names_its_page() -> None:
    for op in DOCS_OPERATIONS:
        assert op.source.startswith("docs "), op.key
        assert not op.source.removeprefix("docs ").startswith(DOCS_ROOT), op.key
        assert set(DOCS_RESPONSE_SCHEMAS.get(op.key, {})) == set(op.statuses), op.key
