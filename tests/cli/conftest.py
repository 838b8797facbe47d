"""Fixtures the command tests share: an empty config home, the emulator in this process, a
client of it, and the environment that points the commands at it.

A module that needs a workspace set up before its tests (lists, attributes) defines its own
``emu``; the one here is a bare emulator accepting the module's ``KEY``, the key every module's
``run`` checks is never printed. The commands reach it through ``_support.ENVIRONMENT``, which
``_support.invoke`` gives every run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from attio_bridge.client import AttioClient

from ._support import InProcessEmulator


@pytest.fixture(scope="module")
def emu(request: pytest.FixtureRequest) -> Iterator[InProcessEmulator]:
    """The emulator in this process, without rate limits, accepting the test module's ``KEY``,
    seeded with the module's ``SEED`` if it has one (``"sandbox"``)."""
    key: str = request.module.KEY
    with InProcessEmulator(key, seed=getattr(request.module, "SEED", None)) as emulator:
        yield emulator


@pytest.fixture
def client(emu: InProcessEmulator) -> Iterator[AttioClient]:
    """A client of the emulator, to set up and check."""
    with emu.client() as c:
        yield c


@pytest.fixture
def config_home(tmp_path: Path) -> Path:
    """An empty config home, so no real user config is read."""
    home = tmp_path / "config-home"
    home.mkdir()
    return home


@pytest.fixture
def env(emu: InProcessEmulator) -> dict[str, str]:
    """The environment pointing the commands at the emulator."""
    return {"ATTIO_API_KEY": emu.api_key, "ATTIO_BASE_URL": emu.base_url}
