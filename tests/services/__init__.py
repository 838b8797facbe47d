"""Tests of attio_bridge.services."""
