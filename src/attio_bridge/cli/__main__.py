"""``python -m attio_bridge.cli``: the same as the ``attio-bridge`` command."""

from . import main

main()
