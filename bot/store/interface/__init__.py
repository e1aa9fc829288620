"""The repository Protocols every store backend provides, one module per kind of record; the
Store that holds them all, and the errors, are in bot.store.base. Nothing here depends on how a
backend keeps its records."""
