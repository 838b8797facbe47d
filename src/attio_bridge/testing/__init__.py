"""Test helpers shipped to users: run the emulator in-process or as a separate process.

``EmulatorProcess`` starts ``attio-bridge emulator`` on a free loopback port and waits until it
answers, so a suite (or a benchmark) can talk to it over real HTTP. ``SyncASGITransport`` serves
an ASGI app (the emulator) in-process to a sync ``httpx.Client`` such as ``AttioClient``'s.
"""

from .process import EmulatorProcess, free_port
from .transport import SyncASGITransport

__all__ = ["EmulatorProcess", "SyncASGITransport", "free_port"]
