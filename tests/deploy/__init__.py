"""Tests of the deploy recipe."""
