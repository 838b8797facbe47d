"""The Google Drive stand-in: My Drive's files (``model``) and Drive API v3 (``routes``), as
``DRIVE``.

Point a ``DriveConnector`` (or any Drive v3 client) at ``http://HOST:PORT/drive/v3``; tokens come
from the Google stand-in's token endpoint (``..google``). Writes kept with ``--database``:
``files.create``, ``files.update`` and ``files.delete`` with the file id and metadata body.
Injected failures answer Google's error body with the rule's status (500 by default) and its
``error`` as the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base import StandIn, http_errors
from .model import FOLDER_MIME, DriveError, DriveModel
from .routes import NAME, drive_routes, replay

if TYPE_CHECKING:
    from ...state import EmulatorConfig

__all__ = ["DRIVE", "FOLDER_MIME", "DriveError", "DriveModel"]


def _model(config: EmulatorConfig) -> DriveModel:
    return DriveModel()


DRIVE: StandIn[DriveModel] = StandIn(
    NAME, _model, drive_routes, replay, http_errors("backendError", "badRequest")
)
