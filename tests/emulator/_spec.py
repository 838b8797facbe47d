"""Attio's official OpenAPI spec, for checking that emulator responses have the documented shape.

The spec is vendored (``vendor/attio/openapi.yaml``, read by ``attio_bridge.emulator.spec``), so
a test that needs it and cannot find it fails: a clone that quietly skipped its conformance
checks would look tested without being so. ``$ref``s are inlined and OpenAPI's
``nullable: true`` becomes a JSON-Schema ``null`` type, so ``jsonschema`` checks what the spec
means.
"""

from __future__ import annotations

import functools
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from attio_bridge.emulator.spec import SPEC_ENV, load_spec, spec_path


def require_spec() -> dict[str, Any]:
    """Attio's spec (a private copy); fails the calling test with the fix when it is missing."""
    try:
        return load_spec()
    except FileNotFoundError:
        pytest.fail(
            f"Attio's OpenAPI spec is not at {spec_path()}: it is vendored in the repository at "
            f"vendor/attio/openapi.yaml; restore it (git checkout -- vendor/attio) or point "
            f"{SPEC_ENV} at a copy",
            pytrace=False,
        )


@functools.cache
def _spec() -> dict[str, Any]:
    return require_spec()


def _inline(node: Any, spec: dict[str, Any], depth: int = 0) -> Any:
    if depth > 40:
        raise RecursionError("the spec's $refs nest too deeply to inline")
    if isinstance(node, list):
        return [_inline(n, spec, depth + 1) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return _inline(target, spec, depth + 1)
    out = {k: _inline(v, spec, depth + 1) for k, v in node.items() if k != "example"}
    if out.pop("nullable", False):
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        if isinstance(out.get("enum"), list):
            out["enum"] = [*out["enum"], None]
    return out


def check_response(method: str, path: str, status: int, body: Any) -> None:
    """Fail unless ``body`` fits the spec's response schema for ``method path`` and ``status``."""
    spec = _spec()
    response = spec["paths"][path][method.lower()]["responses"][str(status)]
    schema = _inline(response["content"]["application/json"]["schema"], spec)
    jsonschema.validate(body, schema, cls=jsonschema.Draft202012Validator)
