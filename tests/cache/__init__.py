"""Tests of attio_bridge.cache."""
