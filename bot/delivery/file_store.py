"""FileStore (bytes on disk under random ids, with a JSON sidecar) and FileLinks (signed URLs)."""

from __future__ import annotations

import json
import logging
import mimetypes
import re
import secrets
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from bot.core.clock import Clock, SystemClock
from bot.core.file_writes import TMP_SUFFIX, fsync_dir, private_dir, write_atomic
from bot.delivery.link_signing import LinkSigner

log = logging.getLogger(__name__)

FILES_DIR = "files"
DEFAULT_MIME = "application/octet-stream"
DEFAULT_NAME = "file"
DEFAULT_LINK_TTL = timedelta(hours=24)
MAX_NAME = 120  # characters; phones cut long names anyway, and headers stay small
_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")  # what put() makes; anything else is refused early
_MIME = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
_DATA, _META, _TMP = ".bin", ".json", TMP_SUFFIX


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One stored file: `path` holds the bytes, `owner` is the person id it belongs to (if any)."""

    id: str
    name: str
    mime: str
    size: int
    path: Path
    created_at: datetime
    owner: int | None


def clean_name(name: str) -> str:
    """A file name safe to show and to put in a header: no folders, no control characters.

    NFC-normalised, so the same Vietnamese name typed on two keyboards is one name.
    """
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]
    base = "".join(c for c in base if not unicodedata.category(c).startswith("C")).strip()
    if base in ("", ".", ".."):
        return DEFAULT_NAME
    if len(base) > MAX_NAME:
        _, dot, ext = base.rpartition(".")
        keep = f"{dot}{ext}" if dot and 0 < len(ext) <= 10 else ""
        base = base[: MAX_NAME - len(keep)].rstrip() + keep
    return base


def clean_mime(mime: str, name: str) -> str:
    """A plain `type/subtype` (parameters dropped); guessed from the name when missing or odd."""
    value = (mime or "").split(";", 1)[0].strip().lower()
    if _MIME.fullmatch(value):
        return value
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or DEFAULT_MIME


class FileStore:
    """Files kept under `root` as `<id>.bin` plus `<id>.json` (name, mime, size, times, owner).

    The sidecar is written last, so a file without one was never finished and is not served.
    Disk work is synchronous: from async code, large puts belong in asyncio.to_thread.
    """

    def __init__(self, root: Path, *, clock: Clock | None = None) -> None:
        self.root = Path(root)
        self._clock = clock or SystemClock()

    @classmethod
    def in_data_dir(cls, data_dir: Path, *, clock: Clock | None = None) -> FileStore:
        """The store at `<data_dir>/files/`."""
        return cls(Path(data_dir) / FILES_DIR, clock=clock)

    def _paths(self, file_id: str) -> tuple[Path, Path]:
        return self.root / f"{file_id}{_DATA}", self.root / f"{file_id}{_META}"

    def put(self, data: bytes, *, name: str, mime: str = "", owner: int | None) -> StoredFile:
        """Store `data` under a new random id and return what was stored."""
        private_dir(self.root)
        file_id = secrets.token_urlsafe(16)  # 128 random bits, 22 url-safe characters
        name = clean_name(name)
        stored = StoredFile(
            id=file_id,
            name=name,
            mime=clean_mime(mime, name),
            size=len(data),
            path=self._paths(file_id)[0],
            created_at=self._clock.now(),
            owner=owner,
        )
        meta = {
            "name": stored.name,
            "mime": stored.mime,
            "size": stored.size,
            "created_at": stored.created_at.isoformat(),
            "owner": owner,
        }
        data_path, meta_path = self._paths(file_id)
        write_atomic(data_path, data)  # private (0600), like every file the bot writes
        write_atomic(meta_path, json.dumps(meta, ensure_ascii=False).encode())
        fsync_dir(self.root)
        log.info("stored file %s (%s, %d bytes, owner %s)", file_id, stored.mime, len(data), owner)
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """The stored file with this id, or None (unknown, unfinished, or not an id at all)."""
        if not isinstance(file_id, str) or not _ID.fullmatch(file_id):
            return None
        data_path, meta_path = self._paths(file_id)
        try:
            meta = json.loads(meta_path.read_bytes())
            size = data_path.stat().st_size
            owner = meta.get("owner")
            return StoredFile(
                id=file_id,
                name=str(meta["name"]),
                mime=str(meta["mime"]),
                size=size,
                path=data_path,
                created_at=datetime.fromisoformat(meta["created_at"]),
                owner=int(owner) if owner is not None else None,
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("file %s has an unreadable sidecar: %s", file_id, type(exc).__name__)
            return None

    def read(self, file_id: str) -> bytes:
        """The bytes of a stored file; KeyError when there is no such file."""
        stored = self.get(file_id)
        if stored is None:
            raise KeyError(file_id)
        try:
            return stored.path.read_bytes()
        except FileNotFoundError:
            raise KeyError(file_id) from None

    def delete(self, file_id: str) -> bool:
        """Delete one stored file (retention, erase); whether there was one."""
        if self.get(file_id) is None:
            return False
        for path in self._paths(file_id):
            path.unlink(missing_ok=True)
        return True

    def claim(self, file_id: str, owner: int) -> bool:
        """Give a file kept without an owner (a photo kept as it arrived, before its sender was
        known) to `owner`, so an erase of that person finds it; whether it changed. A file
        that has an owner keeps it."""
        stored = self.get(file_id)
        if stored is None or stored.owner is not None:
            return False
        _, meta_path = self._paths(file_id)
        meta = json.loads(meta_path.read_bytes())
        meta["owner"] = owner
        write_atomic(meta_path, json.dumps(meta, ensure_ascii=False).encode())
        fsync_dir(self.root)
        log.info("file %s given to owner %s", file_id, owner)
        return True

    def owned_by(self, person: int) -> list[str]:
        """The ids of the stored files that belong to `person`."""
        if not self.root.is_dir():
            return []
        found = (self.get(meta.stem) for meta in self.root.glob(f"*{_META}"))
        return sorted(f.id for f in found if f is not None and f.owner == person)

    def purge(self, *, before: datetime, keep: Collection[str] = ()) -> int:
        """Delete files stored before `before` (except those in `keep`: a directive's file is
        part of its record) and leftovers of unfinished puts; the count."""
        if not self.root.is_dir():
            return 0
        removed = 0
        for meta_path in self.root.glob(f"*{_META}"):
            if meta_path.stem in keep:
                continue
            stored = self.get(meta_path.stem)
            if stored is not None and stored.created_at >= before:
                continue
            # An unreadable sidecar is judged by its age on disk, so it cannot live forever.
            if stored is None and _mtime(meta_path) >= before.timestamp():
                continue
            data_path, _ = self._paths(meta_path.stem)
            data_path.unlink(missing_ok=True)
            meta_path.unlink(missing_ok=True)
            removed += 1
        cutoff = before.timestamp()
        for pattern in (f"*{_DATA}", f"*{_TMP}"):
            for path in self.root.glob(pattern):
                orphan = path.suffix == _TMP or not path.with_suffix(_META).exists()
                if orphan and _mtime(path) < cutoff:
                    path.unlink(missing_ok=True)
        if removed:
            log.info("purged %d stored file(s) older than %s", removed, before.isoformat())
        return removed


class FileLinks:
    """Builds the public download URL of a stored file for one person."""

    def __init__(
        self,
        files: FileStore,
        signer: LinkSigner,
        *,
        public_base_url: str | None,
        default_ttl: timedelta = DEFAULT_LINK_TTL,
    ) -> None:
        self._files = files
        self._signer = signer
        self._base = (public_base_url or "").rstrip("/")
        self.default_ttl = default_ttl

    @property
    def enabled(self) -> bool:
        """Whether links can be made at all (a public base URL is configured)."""
        return bool(self._base)

    def url_for(
        self,
        file_id: str,
        *,
        person: int,
        ttl: timedelta | None = None,
        for_platform: bool = False,
    ) -> str | None:
        """`<base>/f/<token>/<name>`; None without a public base URL; KeyError for no such file.
        `for_platform`: the platform fetches the link itself (a Zalo photo), not the person."""
        if not self._base:
            return None
        stored = self._files.get(file_id)
        if stored is None:
            raise KeyError(file_id)
        token = self._signer.sign(
            file_id, person=person, ttl=ttl or self.default_ttl, for_platform=for_platform
        )
        return f"{self._base}/f/{token}/{quote(stored.name, safe='')}"


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")  # already gone: nothing to delete
