"""Children that a test interrupts with SIGINT (Ctrl-C): they must get Python's
``KeyboardInterrupt`` even when this test run itself was started with SIGINT ignored, as a
background job of a script or under ``nohup`` starts it, since a child inherits that."""

from __future__ import annotations

import signal


def sigint_default() -> None:
    """``preexec_fn`` for such a child: SIGINT back to its default disposition, so the child's
    Python installs its own handler (Python leaves an ignored SIGINT ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
