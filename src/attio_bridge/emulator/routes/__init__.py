"""The emulator's HTTP routes, one module per resource: each parses, calls the workspace and
renders Attio's shapes (a ``RouteTable`` per module; ``..app`` registers them in order).

Nothing is exported here: ``..app`` imports the modules' tables.
"""

__all__: list[str] = []
