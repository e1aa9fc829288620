"""The PostgreSQL backend (store.backend: postgres): the repositories of bot.store.interface
over a shared database, for several instances at once.

`connection` (one psycopg connection: transactions, savepoints, errors in the store's terms,
reconnection); `tables`, `own_tables` and `core` (the engine's core surface over SQL tables, so
the generic repositories run unchanged); `schema` and `migrations/` (Alembic); the repositories
that query instead of reading an in-memory index (`reports`, `outbox`, `people`, `inbound`,
`personal`, `records`); `store` (the assembly); `bulk` (loading a whole embedded store, for
`store copy`). `cluster` is the instances' own (liveness, leader, chat turns).
Open it with bot.store.open_store(backend="postgres", url=...).
"""
