"""A local, stateful stand-in for Attio's REST API v2 (and small stand-ins for other systems).

``create_app()`` returns the ASGI app; ``attio-bridge emulator`` serves it. Laid out like moto:
``models/`` hold state and know no HTTP, ``routes/`` parse, call and serialise, ``errors`` has
one class per Attio error code.
"""

from .app import create_app
from .state import EmulatorConfig

__all__ = ["EmulatorConfig", "create_app"]
