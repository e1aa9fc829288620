"""Directives from the center: preview, send, acknowledgements, status, chases, deadline."""
