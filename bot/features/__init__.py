"""One package per capability: its service (the rules), its grammar and its chat text.

Capabilities never import each other except through the layers that import-linter checks
(pyproject.toml): digest and handbook on top, then the field capabilities, then the shared
pieces (reports, broadcast, audit)."""
