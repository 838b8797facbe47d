"""What a test does when a real server it needs (PostgreSQL, Redis) does not answer: skip, saying
why and how to run it, on a developer's machine; fail on CI (``CI`` set), where the servers must
be there, so that a missing one is never a quiet green run."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def server_absent(reason: str, how: str) -> NoReturn:
    """Skip the test with ``reason`` and ``how`` to run it; fail it instead when ``CI`` is set."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the tests that need it must run")
    pytest.skip(f"{reason}; {how}")
