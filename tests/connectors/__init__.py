"""Tests of the connectors (Slack, Google Drive) against the emulator's stand-ins."""
