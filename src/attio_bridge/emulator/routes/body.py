"""Field type checks for write bodies: a field of the wrong JSON type is 400 ``validation_type``.

Attio validates every body against its schema before acting (API-NOTES §8 ``validation_type``:
"wrong value type or shape"); the routes name each field's kind here instead of letting a
number reach code that expects a string.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from ..errors import ValidationTypeError

_KINDS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "str": ("a non-empty string", lambda v: isinstance(v, str) and bool(v.strip())),
    "str?": ("a string or null", lambda v: v is None or isinstance(v, str)),
    "bool": ("a boolean", lambda v: isinstance(v, bool)),
    "object": ("an object", lambda v: isinstance(v, dict)),
    "object?": ("an object or null", lambda v: v is None or isinstance(v, dict)),
}
EMPTY_PAYLOAD = (
    "You passed an empty payload. Please ensure you are updating at least one property in your "
    "request."
)


def check_fields(data: dict[str, Any], **kinds: str) -> None:
    """Refuse ``data`` if a present field is not of its kind (``str``, ``str?``, ``bool``,
    ``object`` or ``object?``); absent fields are the caller's concern."""
    for key, kind in kinds.items():
        if key not in data:
            continue
        described, fits = _KINDS[kind]
        if not fits(data[key]):
            shown = orjson.dumps(data[key]).decode()
            if len(shown) > 60:
                shown = shown[:57] + "..."
            raise ValidationTypeError(f'"{key}" must be {described}, got {shown}.')


def check_not_empty(data: dict[str, Any]) -> None:
    """SPEC's 400 for an update body with nothing in it."""
    if not data:
        raise ValidationTypeError(EMPTY_PAYLOAD)
