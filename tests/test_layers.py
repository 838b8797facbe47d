"""The layers docs/ARCHITECTURE.md states are the ones import-linter checks.

``lint-imports`` (a step of ``python3 dev.py test``) holds the code to the contracts in
``pyproject.toml``; this test holds the document to the contracts, so neither can change alone.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def contract(contract_id: str) -> dict[str, object]:
    """The import-linter contract ``contract_id`` of pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    [found] = [c for c in config["contracts"] if c["id"] == contract_id]
    return dict(found)


def names(layer: str) -> list[str]:
    """The packages of one layer, ``"(snapshot) | (sync)"`` or a document's row's first cell,
    ``"*`snapshot`* \\| *`sync`*"``, without the marks."""
    return re.findall(r"[a-z_]+", layer)


def documented_layers() -> list[list[str]]:
    """The first column of the table under ``## Layers``, top to bottom."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    section = text.split("\n## Layers\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][2:]  # after the head
    return [names(row.split(" | ", 1)[0]) for row in rows]


def test_the_documented_order_is_the_checked_order() -> None:
    layers = contract("layers")["layers"]
    assert isinstance(layers, list)
    assert documented_layers() == [names(layer) for layer in layers]


def test_the_rooms_to_come_are_optional_and_in_italics() -> None:
    layers = contract("layers")["layers"]
    assert isinstance(layers, list)
    optional = {name for layer in layers for name in re.findall(r"\(([a-z_]+)\)", layer)}
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    italic = set(re.findall(r"\*`([a-z_]+)`\*", text.split("\n## Layers\n", 1)[1]))
    assert optional == italic
