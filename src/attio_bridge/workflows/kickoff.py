"""The lead-kickoff workflow, sync: ``kickoff_lead`` asserts a company by domain, gives it a
Slack channel and a Google Drive folder, writes both URLs to it and notes the links; safe to
re-run, honest about partial failures, and undone by ``rollback_kickoff``. What each run
created is kept in the state store (``attio_bridge.state``, namespace "kickoff", keyed by the
domain), never a token.

The run is ``_async/kickoff.py`` and the rollback ``_async/kickoff_rollback.py``, the one
hand-written copy each (these are generated from them, and ``aio`` has the async ones); their
module docstrings tell the whole story. The results and the manifest are ``_model/kickoff.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..state import legacy_kickoff_dir
from ._model.kickoff import (
    DEFAULT_SUBFOLDERS,
    DRIVE_ATTRIBUTE,
    LOCK_TIMEOUT,
    NOTE_TITLE,
    SLACK_ATTRIBUTE,
    KickoffBusyError,
    KickoffResult,
    Manifest,
    RollbackResult,
    Step,
    read_manifest,
)
from ._sync.kickoff import kickoff_lead
from ._sync.kickoff_rollback import rollback_kickoff

__all__ = [
    "DEFAULT_SUBFOLDERS",
    "DRIVE_ATTRIBUTE",
    "LOCK_TIMEOUT",
    "NOTE_TITLE",
    "SLACK_ATTRIBUTE",
    "KickoffBusyError",
    "KickoffResult",
    "Manifest",
    "RollbackResult",
    "Step",
    "default_state_dir",
    "kickoff_lead",
    "manifest_path",
    "read_manifest",
    "rollback_kickoff",
]


def default_state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where older versions kept the manifests as files (``$XDG_STATE_HOME/attio-bridge/
    kickoff``, else ``~/.local/state/attio-bridge/kickoff``); a run brings them into the state
    store once."""
    return legacy_kickoff_dir(environ)


def manifest_path(domain: str, state_dir: Path | None = None) -> Path:
    """The file in which older versions kept the manifest of ``domain`` (see
    ``default_state_dir``); ``read_manifest`` reads the one the state store holds."""
    return (state_dir or default_state_dir()) / f"{domain}.json"
