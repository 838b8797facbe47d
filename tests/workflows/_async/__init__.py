"""The workflow tests, written once for the async workflows; ``../_sync`` is generated from them
by ``scripts/gen_sync.py`` and runs the same tests against the sync twins."""
