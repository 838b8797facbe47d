"""Test helpers shipped to users: the emulator in-process, as a process, and as a pytest plugin.

``EmulatorProcess`` starts ``attio-bridge emulator`` on a free loopback port and waits until it
answers, so a suite (or a benchmark) can talk to it over real HTTP. ``SyncASGITransport`` serves
an ASGI app (the emulator) in-process to a sync ``httpx.Client`` such as ``AttioClient``'s.
``EmulatorControl`` drives either one's control plane (reset, seed, faults, journal).
``pytest_plugin`` (registered as the ``pytest11`` entry point ``attio_bridge``) turns them into
``attio_*`` fixtures.
"""

from .control import EmulatorControl
from .process import EmulatorProcess, EmulatorProcessError, free_port
from .transport import SyncASGITransport

__all__ = [
    "EmulatorControl",
    "EmulatorProcess",
    "EmulatorProcessError",
    "SyncASGITransport",
    "free_port",
]
