"""State kept before the store existed, brought into it once: the kickoff manifests (JSON files
under ``$XDG_STATE_HOME/attio-bridge/kickoff/``) and an import's checkpoint file
(``FILE.attio-import.json`` beside the imported file).

A file brought in is renamed ``*.imported``: it is not read again (a manifest a rollback later
removed from the store must not come back), and it is still there to look at.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._errors import StateError
from ._url import state_home
from .store import StateStore

__all__ = [
    "IMPORTED_SUFFIX",
    "KICKOFF_NAMESPACE",
    "LegacyImport",
    "identity_key",
    "import_legacy_kickoff_manifests",
    "legacy_kickoff_dir",
    "read_legacy_checkpoint",
    "retire_legacy_file",
]

KICKOFF_NAMESPACE = "kickoff"
IMPORTED_SUFFIX = ".imported"
_KICKOFF_IMPORT_LOCK = "legacy-import:kickoff"


def legacy_kickoff_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the kickoff manifests were kept: ``$XDG_STATE_HOME/attio-bridge/kickoff``."""
    return state_home(environ) / "kickoff"


@dataclass
class LegacyImport:
    """What ``import_legacy_kickoff_manifests`` did, by domain: ``imported`` into the store,
    ``kept`` (the store already had one, which wins; the file is retired all the same), and
    ``damaged`` files left in place with why (path, reason)."""

    imported: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    damaged: list[tuple[Path, str]] = field(default_factory=list)


def retire_legacy_file(path: Path) -> Path | None:
    """Rename ``path`` to ``path.imported`` (replacing an older one); the new path, or
    ``None`` when ``path`` is already gone."""
    target = path.with_name(path.name + IMPORTED_SUFFIX)
    try:
        os.replace(path, target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateError(
            f"cannot rename {path} to {target.name} after bringing it into the state store "
            f"({exc.strerror}); make {path.parent} writable by this user"
        ) from None
    return target


def _read_json_object(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"holds a JSON {type(data).__name__}, not an object")
    return data


def import_legacy_kickoff_manifests(
    store: StateStore, old_dir: Path | None = None, *, lock_timeout: float | None = 120.0
) -> LegacyImport:
    """Bring the manifests ``old_dir/{domain}.json`` into ``store`` (namespace ``"kickoff"``,
    key: the manifest's domain), each as it is on disk, then rename each file
    ``{domain}.json.imported``. ``old_dir`` defaults to ``legacy_kickoff_dir()``.

    Safe to call on every start and from several processes at once: it runs under the store
    lock ``"legacy-import:kickoff"``, and a domain the store already holds keeps the stored
    document. A file that is not a JSON object is left as it is and reported in ``damaged``.
    """
    directory = legacy_kickoff_dir() if old_dir is None else old_dir
    result = LegacyImport()
    if not directory.is_dir():
        return result
    with store.lock(_KICKOFF_IMPORT_LOCK, timeout=lock_timeout):
        for path in sorted(directory.glob("*.json")):
            if not path.is_file():
                continue
            try:
                manifest = _read_json_object(path)
            except FileNotFoundError:
                continue  # retired meanwhile by a run that did not take the lock
            except (OSError, ValueError) as exc:
                result.damaged.append((path, str(exc)))
                continue
            domain = manifest.get("domain")
            if not isinstance(domain, str) or not domain:
                domain = path.stem
            if store.get(KICKOFF_NAMESPACE, domain) is None:
                store.put(KICKOFF_NAMESPACE, domain, manifest)
                result.imported.append(domain)
            else:
                result.kept.append(domain)
            # After the put: a kill in between leaves the file, and the next call keeps the
            # stored document and retires the file.
            retire_legacy_file(path)
    return result


def read_legacy_checkpoint(path: Path) -> dict[str, Any] | None:
    """The import checkpoint kept in the JSON file ``path`` (``{"identity": {...}, "done":
    [[start, end], ...]}``), or ``None`` when there is none or it cannot be read (as before,
    an unreadable checkpoint means starting over). The caller puts what it wants of it into
    the store, then calls ``retire_legacy_file(path)``."""
    with contextlib.suppress(OSError, ValueError):
        return _read_json_object(path)
    return None


def identity_key(identity: Mapping[str, Any]) -> str:
    """A stable key for a run described by the JSON ``identity`` (the hex SHA-256 of its
    canonical JSON): the same identity always gives the same key, on every machine."""
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
