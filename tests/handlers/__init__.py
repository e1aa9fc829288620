"""Tests across the handlers (the role matrix)."""
