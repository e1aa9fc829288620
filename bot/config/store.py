"""The `store:` section: where the records live, and how several instances share them."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from bot.config.base import Section

BACKENDS = ("tinydb", "postgres")


class StoreSection(Section):
    """Where the records are: "tinydb" (the default), one process holding `data_dir`; or
    "postgres", a shared PostgreSQL database whose address comes from the DATABASE_URL
    environment variable, never from this file; several instances may then run at once in
    webhook mode (docs/deploy.md)."""

    backend: Literal["tinydb", "postgres"] = "tinydb"
    # Files behind signed links (directive attachments, spreadsheets, photos kept at arrival):
    # with several instances, a folder every one of them reads and writes (a shared mount), so
    # a link made by one opens on any. Empty: <data_dir>/files. Relative: to config.yaml.
    files_dir: Path | None = None
    # Several instances: each says it is alive this often; one silent this long is taken for
    # dead (its outbox claims and chats are taken over, another becomes the scheduler leader).
    heartbeat_seconds: float = Field(default=2.0, gt=0, le=60)
    dead_after_seconds: float = Field(default=10.0, gt=0, le=600)
    # Filled from DATABASE_URL by load_config; never read from the file.
    database_url: SecretStr | None = Field(default=None, exclude=True)

    @field_validator("database_url", mode="before")
    @classmethod
    def _not_in_the_file(cls, value: object) -> object:
        # Filled by load_config (model_copy, no validation); a value here came from the file.
        if value is not None:
            msg = "the database address (and its password) goes in DATABASE_URL, not the file"
            raise ValueError(msg)
        return value

    def files_root(self, data_dir: Path) -> Path:
        """Where files behind signed links are kept: files_dir, or <data_dir>/files."""
        return self.files_dir or Path(data_dir) / "files"

    @model_validator(mode="after")
    def _beats_fit(self) -> StoreSection:
        if self.dead_after_seconds < 3 * self.heartbeat_seconds:
            msg = (
                "store.dead_after_seconds must be at least 3 heartbeats "
                f"(3 × {self.heartbeat_seconds:g} s): a busy instance is not a dead one"
            )
            raise ValueError(msg)
        return self
