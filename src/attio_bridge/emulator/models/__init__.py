"""The emulated workspace's state, one module per resource; knows no HTTP (moto's models).

Nothing is exported here: ``..workspace`` and the routes import the modules they use.
"""

__all__: list[str] = []
