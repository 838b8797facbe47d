"""Every Attio operation is served and tested, and ``docs/OPERATIONS.md`` says so, up to date."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "operations_table.py"


@pytest.fixture(scope="module")
def table(raw_spec: dict[str, Any]) -> ModuleType:
    """``scripts/operations_table.py`` as a module (``raw_spec`` skips when the spec is absent)."""
    spec = importlib.util.spec_from_file_location("operations_table", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("operations_table", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rows(table: ModuleType) -> list[Any]:
    """The table's rows, computed once (they scan every test module)."""
    result: list[Any] = table.rows()
    return result


def test_every_operation_is_served(rows: list[Any]) -> None:
    """Each spec operation, and merge (API-NOTES §1b), has a route in the emulator."""
    missing = [row.operation.key for row in rows if not row.served]
    assert missing == []


def test_every_operation_is_covered_by_a_test(rows: list[Any]) -> None:
    """Each operation is named by at least one ``@pytest.mark.operation`` test."""
    untested = [row.operation.key for row in rows if not row.tests]
    assert untested == []


def test_markers_name_real_operations(table: ModuleType) -> None:
    """A typo in a marker would cover nothing: every marked key is an operation."""
    known = {op.key for op in table.all_operations()}
    assert sorted(set(table.covering_tests()) - known) == []


def test_the_table_finds_aliased_markers_and_constants(table: ModuleType) -> None:
    """The scan resolves ``op = pytest.mark.operation`` and ``QUERY = "POST …"`` (as used here)."""
    covered = table.covering_tests()
    assert "conformance/test_records.py::test_query_records_errors" in {
        name.removeprefix("tests/") for name in covered["POST /v2/objects/{object}/records/query"]
    }


def test_docs_operations_md_is_current(table: ModuleType) -> None:
    """``docs/OPERATIONS.md`` is what ``scripts/operations_table.py`` generates now."""
    current = table.OUTPUT.read_text(encoding="utf-8") if table.OUTPUT.exists() else ""
    assert current == table.render(), "docs/OPERATIONS.md is out of date: run the script"
