"""The read-only API for dashboards under /api/v1 (docs/api.md): routes, auth, pages, OpenAPI."""
