"""Attio's vendored OpenAPI spec: where it lives, loading it once, and the operations it lists.

The spec (Attio's ``https://api.attio.com/openapi/api`` as of 2026-03, see ``SOURCE.md`` beside
it) is vendored in the repository at ``vendor/attio/openapi.yaml``; ``ATTIO_OPENAPI_SPEC`` points
elsewhere. It is a development aid for the conformance tests and
``scripts/operations_table.py``: the emulator itself never reads it, and PyYAML (a dev
dependency) is imported only when the spec is loaded.

``NOTES_OPERATIONS`` are the endpoints Attio added after that spec which the emulator serves,
as API-NOTES §1b or Attio's current documentation (the page in each one's ``source``)
documents them.
"""

from __future__ import annotations

import copy
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPEC_ENV = "ATTIO_OPENAPI_SPEC"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
_REPO_ROOT = Path(__file__).resolve().parents[3]
_PARAM = re.compile(r"\{[^}/]+\}")


@dataclass(frozen=True, slots=True)
class Operation:
    """One API operation: ``GET /v2/objects`` and what the spec (or API-NOTES) says of it."""

    method: str
    path: str
    summary: str
    tag: str
    statuses: tuple[str, ...]
    source: str = "spec"

    @property
    def key(self) -> str:
        """``METHOD /path/{template}``, the name tests and tables use for the operation."""
        return f"{self.method} {self.path}"


NOTES_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "POST",
        "/v2/objects/{object}/records/merge",
        "Merge records",
        "Records",
        ("200", "202", "400", "404"),
        source="API-NOTES §1b",
    ),
    Operation(
        "POST",
        "/v2/sql",
        "Query SQL",
        "SQL",
        ("200", "400", "403", "429"),
        source="docs.attio.com/rest-api/endpoint-reference/sql/query-sql",
    ),
)


def spec_path() -> Path:
    """Where the vendored spec is read from."""
    override = os.environ.get(SPEC_ENV)
    if override:
        return Path(override)
    return _REPO_ROOT / "vendor" / "attio" / "openapi.yaml"


@functools.cache
def _load(path: Path) -> dict[str, Any]:
    import yaml

    with path.open("rb") as fh:
        loaded = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(loaded, dict) or "paths" not in loaded:
        raise ValueError(f"{path} is not an OpenAPI document")
    return loaded


def load_spec() -> dict[str, Any]:
    """The parsed spec (a private copy; parsing happens once per process).

    Raises ``FileNotFoundError`` when the spec is not where ``spec_path()`` says.
    """
    return copy.deepcopy(_load(spec_path()))


def spec_operations(spec: dict[str, Any]) -> list[Operation]:
    """Every operation of ``spec``, in the spec's order."""
    out: list[Operation] = []
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            tags = op.get("tags") or [""]
            out.append(
                Operation(
                    method.upper(),
                    path,
                    str(op.get("summary", "")),
                    str(tags[0]),
                    tuple(sorted(op.get("responses", {}))),
                )
            )
    return out


def path_shape(path: str) -> str:
    """``path`` with every ``{parameter}`` (Starlette's ``{name:conv}`` too) written ``{}``."""
    return _PARAM.sub("{}", path)


def match_operation(method: str, path: str, operations: list[Operation]) -> Operation | None:
    """The operation a concrete request ``method path`` is for.

    Where several templates match (``/v2/objects/records/search`` also fits
    ``/v2/objects/{object}/records``), the one with more literal segments wins, as in Attio.
    """
    segments = path.rstrip("/").split("/")
    best: tuple[int, Operation] | None = None
    for op in operations:
        if op.method != method.upper():
            continue
        template = op.path.split("/")
        if len(template) != len(segments):
            continue
        literal = 0
        for want, got in zip(template, segments, strict=True):
            if _PARAM.fullmatch(want):
                if not got:
                    break
            elif want == got:
                literal += 1
            else:
                break
        else:
            if best is None or literal > best[0]:
                best = (literal, op)
    return best[1] if best else None
