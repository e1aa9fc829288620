"""Alembic's entry for the PostgreSQL store's schema (bot/store/postgres/schema.py runs it).

The store hands over an open SQLAlchemy connection (config.attributes["connection"]), already
holding the advisory lock that keeps two instances from upgrading at once; there is no
alembic.ini and no URL here, so the password never passes through Alembic's logs.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the store runs these migrations
    msg = "run the store's migrations through bot.store.postgres.schema.upgrade"
    raise RuntimeError(msg)

context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
