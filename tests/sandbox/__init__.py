"""Tests of the sandbox (API and browser)."""
