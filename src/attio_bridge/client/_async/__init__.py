"""The async client, written once; ``../_sync`` is generated from it.

Regenerate with ``scripts/gen_sync.py``.
"""
