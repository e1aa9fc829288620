"""One person's data: find them, export everything about them, erase their identity.

Used by `python -m bot people export|erase`; both write the audit trail, and an export writes
the access log too. Erase keeps the numbers of their reports (the statistics): the reporter
stays as a bare id with no name, account or phone behind it."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from bot.core.models import Person
from bot.features.audit.access_log import record_access
from bot.features.audit.log import AuditLog
from bot.features.privacy.housekeeping import kept_files

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.delivery.file_store import FileStore
    from bot.store.base import Store

log = logging.getLogger(__name__)

EXPORT_FORMAT = 1


class PersonNotFound(LookupError):
    """No person, or more than one, answers to what was given."""


class PersonData:
    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        files: FileStore,
        text_fields: Mapping[str, Collection[str]],
        audit: AuditLog,
    ) -> None:
        self.store = store
        self.clock = clock
        self.files = files
        self.text_fields = text_fields
        self.audit = audit

    def find(self, text: str) -> Person:
        """A person by id (12, #12), account key (telegram:42) or exact name."""
        raw = text.strip()
        found: Person | None = None
        if raw.lstrip("#").isdigit():
            found = self.store.people.get(int(raw.lstrip("#")))
        elif ":" in raw:
            found = self.store.people.by_account(raw)
        if found is not None:
            return found
        named = [p for p in self.store.people.all() if p.name == raw]
        if len(named) == 1:
            return named[0]
        if named:
            ids = ", ".join(str(p.id) for p in named)
            msg = f"{len(named)} people are named {raw!r} (ids {ids}): give the id"
            raise PersonNotFound(msg)
        msg = f"no person {raw!r} (give an id, an account key like telegram:42, or the exact name)"
        raise PersonNotFound(msg)

    def export(self, person: Person, *, who: str, where: str) -> dict[str, Any]:
        """Everything stored about `person`, JSON-ready; the audit trail and access log note
        it (in the same commit, so an export never goes unrecorded)."""
        data = self.store.personal.about(person.id)
        files = self.files.owned_by(person.id)
        with self.store.atomic():
            record_access(
                self.store, self.clock, "people.export", who=who, where=where,
                subject=f"person:{person.id}", detail={"files": len(files)},
            )  # fmt: skip
            self.audit.record("people.export", who=who, where=where, target=f"person:{person.id}")
        return {
            "format": EXPORT_FORMAT,
            "exported_at": self.clock.now().isoformat(),
            "person_id": person.id,
            **data,
            "files": [self._file(f) for f in files],
        }

    def _file(self, file_id: str) -> dict[str, Any]:
        stored = self.files.get(file_id)
        if stored is None:
            return {"id": file_id}
        return {"id": file_id, "name": stored.name, "mime": stored.mime, "size": stored.size,
                "created_at": stored.created_at.isoformat()}  # fmt: skip

    def erase(self, person: Person, *, who: str, where: str) -> dict[str, int]:
        """Remove `person`'s identity everywhere (see PersonalDataRepo.erase) and their files;
        their signed links stop working (the person is marked erased)."""
        owned = self.files.owned_by(person.id)
        with self.store.atomic():
            counts = self.store.personal.erase(
                person.id, at=self.clock.now(), text_fields=self.text_fields
            )
            photos = counts.pop("files")
            summary = {k: v for k, v in counts.items() if v}
            self.audit.record(
                "people.erase", who=who, where=where, target=f"person:{person.id}",
                detail=summary,
            )  # fmt: skip
        kept = kept_files(self.store)
        summary["files"] = sum(
            self.files.delete(f) for f in sorted(set(owned) | set(photos)) if f not in kept
        )
        log.info("erased person id=%s", person.id)
        return summary
