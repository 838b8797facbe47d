"""attio-bridge: a library, command line and service for Attio CRM integrations.

The package is laid out by dependency order (see docs/ARCHITECTURE.md): ``client`` talks to
Attio's REST API, ``emulator`` stands in for it locally, ``cli`` is the ``attio-bridge`` command.
"""

__version__ = "0.1.0"
