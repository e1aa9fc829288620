"""The sandbox: a local web chat with the demo district, for trying and training (issue #7)."""
