"""The async workflows, written once; ``../_sync`` is generated from them.

Each module here is the only hand-written copy of a workflow's I/O sequence; its sync twin in
``../_sync`` is written by ``scripts/gen_sync.py``, which picks up every module and subpackage
placed here. Connector calls (sync libraries) go through ``in_thread`` (``.._threads``), which
the generator turns into a direct call.
"""
