"""The workflow tests: ``_async`` holds the only hand-written copy, run against the async
workflows; ``_sync`` is generated from it by ``scripts/gen_sync.py`` and runs the same tests
against the sync twins."""
