"""The database's schema, kept by Alembic (migrations/): brought to this program's head at
open, under an advisory lock so that two instances starting together do not race; a database
already at a revision this program does not know (written by a newer one) is refused."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import psycopg

from bot.store.base import StoreVersionError
from bot.store.postgres.connection import Database

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
# Held while a process migrates: any fixed number; pg_advisory_lock is per database.
UPGRADE_LOCK = 0x64616E736F  # "danso"
# The newest revision in migrations/versions (a test checks it against Alembic's own answer):
# known without importing Alembic, so an open of an up-to-date database stays quick.
HEAD_REVISION = "0001"


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The head as Alembic reads it from migrations/versions."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None for an empty database."""
    exists = db.one("SELECT to_regclass('alembic_version') IS NOT NULL")[0]
    if not exists:
        return None
    row = db.one("SELECT version_num FROM alembic_version")
    return None if row is None else str(row[0])


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_alembic_config())
    return {script.revision for script in scripts.walk_revisions()}


def ensure_schema(db: Database, url: str) -> None:
    """Bring the database to this program's schema; StoreVersionError when it is newer."""
    head = HEAD_REVISION
    if current_revision(db) == head:
        return  # the common case: no lock, no SQLAlchemy
    db.execute("SELECT pg_advisory_lock(%s)", [UPGRADE_LOCK])
    try:
        current = current_revision(db)  # another instance may have migrated meanwhile
        if current == head:
            return
        if current is not None and current not in known_revisions():
            msg = (
                f"the database at {db.url_safe} has schema revision {current}, which this "
                f"program does not know (it knows up to {head}): it was written by a newer "
                "version of the bot; run that version (or restore a backup)"
            )
            raise StoreVersionError(msg)
        _upgrade(url)
        log.info("PostgreSQL store %s: schema %s -> %s", db.url_safe, current or "empty", head)
    finally:
        db.execute("SELECT pg_advisory_unlock(%s)", [UPGRADE_LOCK])


def _upgrade(url: str) -> None:
    """Run Alembic's upgrade to head on a connection of its own (SQLAlchemy is only
    Alembic's engine; the URL goes to psycopg directly, never into a log)."""
    from alembic import command
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine(
        "postgresql+psycopg://", creator=lambda: psycopg.connect(url), poolclass=NullPool
    )
    try:
        with engine.connect() as connection:
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
    finally:
        engine.dispose()
