"""Reading the settings files users write (scoring rules, webhook subscriptions, workspaces):
TOML, or JSON when the name ends in ``.json``, with one wording for every way one can be
unreadable. Each caller gives the error class its layer raises and checks the content itself.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import AttioError

__all__ = ["read_settings_file"]


def read_settings_file(
    path: str | Path, error: Callable[[str], AttioError], what: str = "file"
) -> Any:
    """The parsed content of ``path`` (TOML, or JSON for a ``.json`` name); ``error(message)``
    raised when it is missing (``"<path>: no such <what>"``), unreadable, or not valid TOML or
    JSON (the message names the line and column)."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{where}: no such {what}") from None
    except UnicodeDecodeError:
        raise error(f"{where}: cannot be read: it is not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise error(f"{where}: cannot be read: {exc.strerror or exc}") from None
    if where.lower().endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise error(
                f"{where}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends with "(at line N, column M)".
        raise error(f"{where}: not valid TOML ({exc}); a JSON file must end in .json") from None
