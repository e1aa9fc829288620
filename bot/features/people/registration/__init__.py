"""Joining: a newcomer's request for a village (found by choices or by name), the officers'
notices and approvals, the pending list in pages, and the optional daily summary."""
