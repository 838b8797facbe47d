"""The async workflows, written once; ``../_sync`` is generated from them.

``_async`` holds the only hand-written copy of each workflow's I/O sequence and ``_sync`` its
twin, written by ``scripts/gen_sync.py``, which picks up every module and subpackage placed in
``_async``. Blocking calls (connectors, providers, locks) go through ``.._threads``, which the
generator turns into direct calls.
"""
