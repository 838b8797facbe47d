"""The async services, written once; ``../_sync`` is generated from them.

Regenerate with ``scripts/gen_sync.py``.
"""
