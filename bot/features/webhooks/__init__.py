"""Outgoing webhooks: reports and acknowledgements told to other systems (docs/webhooks.md)."""
