"""Fixture that runs a real Label Studio server on loopback (filled in by the Label Studio work)."""
