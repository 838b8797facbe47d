"""The Google stand-in: the OAuth token endpoint for service accounts, as ``GOOGLE``.

Its model is the set of access tokens it issued (``GoogleAuth``); the Drive stand-in accepts
them. Tokens outlive a reset (``keep_on_reset``), as a real token outlives the data it reached,
and are kept with ``--database`` (each issue is logged; the emulator does not expire them).
Failures injected with ``{"system": "google", "method": "token"}`` answer the OAuth error body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base import StandIn
from .model import GoogleAuth
from .routes import JWT_BEARER, NAME, google_routes, replay

if TYPE_CHECKING:
    from ...state import EmulatorConfig

__all__ = ["GOOGLE", "JWT_BEARER", "NAME", "GoogleAuth"]


def _model(config: EmulatorConfig) -> GoogleAuth:
    return GoogleAuth()


GOOGLE: StandIn[GoogleAuth] = StandIn(NAME, _model, google_routes, replay, keep_on_reset=True)
