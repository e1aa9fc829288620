"""The `privacy` section of config.yaml: the notice's version, consent, retention per kind."""

from __future__ import annotations

from pydantic import Field

from bot.config.base import Section

# Kinds of personal data with their own retention; each falls back to `retention_days`.
RETENTION_KINDS = (
    "report_text",  # a report's free-text fields and its photo (its numbers are kept)
    "questions",  # the text of questions (/hoi) and of their answers
    "files",  # stored files that belong to no record (photos, uploads)
    "inbox",  # stored incoming events waiting to be handled, and seen update ids
    "outbox",  # the text of messages the bot sent or queued
    "sightings",  # group messages that repeated a rumour (sender's name and text)
    "audit",  # the audit trail of privileged actions
    "access_log",  # who exported or downloaded what about whom
)


class RetentionSection(Section):
    """Days each kind is kept; null (the default) means `privacy.retention_days`."""

    report_text: int | None = Field(default=None, ge=1)
    questions: int | None = Field(default=None, ge=1)
    files: int | None = Field(default=None, ge=1)
    inbox: int | None = Field(default=None, ge=1)
    outbox: int | None = Field(default=None, ge=1)
    sightings: int | None = Field(default=None, ge=1)
    audit: int | None = Field(default=None, ge=1)
    access_log: int | None = Field(default=None, ge=1)


class PrivacySection(Section):
    """What the bot tells people at /batdau, whether it asks their consent, how long it keeps."""

    retention_days: int = Field(default=730, ge=1)
    retention: RetentionSection = RetentionSection()
    # Raise it when the notice changes materially: people are asked to agree again.
    notice_version: int = Field(default=1, ge=1)
    # Off only where the processing rests on another legal basis than consent (e.g. a public
    # body's own duties) and the notice alone is given.
    consent_required: bool = True
    # The first message the bot sends each person privately opens by saying that an automated
    # assistant is talking (Zalo's bot terms of 10 December 2025 ask for it). Off only where
    # every person has been told some other way.
    tell_automated: bool = True

    def days(self, kind: str) -> int:
        """The retention of one kind of data, in days."""
        if kind not in RETENTION_KINDS:
            msg = f"unknown kind of data: {kind!r}"
            raise ValueError(msg)
        override = getattr(self.retention, kind)
        return int(override) if override is not None else self.retention_days
