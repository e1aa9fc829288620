"""Signed, expiring download-link tokens bound to one person, and the persistent signing secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.clock import Clock, SystemClock
from bot.core.file_writes import open_private, private_dir

log = logging.getLogger(__name__)

ENV_SECRET = "BOT_LINK_SECRET"  # noqa: S105 (the name of an environment variable)
SECRET_FILE = "link-secret"  # noqa: S105 (a file name)
SECRET_BYTES = 32
MIN_ENV_SECRET = 16  # characters; a shorter secret could be guessed offline from one link
VERSION = "v1"
# A link the platform itself fetches (a photo Zalo takes by URL), not the recipient: the mark is
# signed, so no one can make a download of theirs look like the platform's.
PLATFORM_VERSION = "v1p"
# The MAC covers a fixed label too, so a token can never be confused with another HMAC use
# of the same secret (webhook secrets, codes) that might be added later.
_LABEL = b"file-link/"
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_INT = re.compile(r"0|-?[1-9][0-9]{0,18}")  # canonical decimal only: one text per value
_SIG = re.compile(r"[A-Za-z0-9_-]{43}")  # 32 bytes, base64url without padding


class LinkInvalid(Exception):
    """The token is malformed or its signature does not match: refuse, reveal nothing."""


class LinkExpired(Exception):
    """The token is genuine but past its expiry; `link` says whose and which file it was."""

    def __init__(self, link: SignedLink) -> None:
        super().__init__(f"link to file {link.file_id} expired at {link.expires_at.isoformat()}")
        self.link = link


@dataclass(frozen=True, slots=True)
class SignedLink:
    """What a verified token grants: one file, to one person, until a moment."""

    file_id: str
    person: int
    expires_at: datetime
    for_platform: bool = False  # fetched by the platform on the person's behalf, not by them


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class LinkSigner:
    """Makes and checks tokens `v1.<file id>.<person>.<expiry unix s>.<HMAC-SHA256>`.

    Every part is URL-safe and there is no padding, so the token goes into a path as is. The
    MAC is computed over the exact text before the last dot, so no other spelling of the same
    values can pass.
    """

    def __init__(self, secret: bytes, *, clock: Clock | None = None) -> None:
        if len(secret) < MIN_ENV_SECRET:
            msg = f"link secret must be at least {MIN_ENV_SECRET} bytes"
            raise ValueError(msg)
        self._secret = secret
        self._clock = clock or SystemClock()

    def __repr__(self) -> str:
        return "LinkSigner(<secret>)"  # never show the secret

    def _mac(self, payload: str) -> str:
        digest = hmac.new(self._secret, _LABEL + payload.encode("ascii"), hashlib.sha256)
        return _b64(digest.digest())

    def sign(
        self, file_id: str, *, person: int, ttl: timedelta, for_platform: bool = False
    ) -> str:
        """A token for `person` to fetch `file_id` until now + `ttl` (rounded up to seconds);
        `for_platform`: the platform fetches it to deliver it to them (Zalo's sendPhoto)."""
        if not _ID.fullmatch(file_id):
            msg = f"not a file id: {file_id!r}"
            raise ValueError(msg)
        if ttl <= timedelta(0):
            msg = f"ttl must be positive, not {ttl}"
            raise ValueError(msg)
        expires = self._clock.now() + ttl
        expiry = int(expires.timestamp())
        if expiry < expires.timestamp():
            expiry += 1  # never shorter than asked
        version = PLATFORM_VERSION if for_platform else VERSION
        payload = f"{version}.{file_id}.{int(person)}.{expiry}"
        return f"{payload}.{self._mac(payload)}"

    def verify(self, token: str) -> SignedLink:
        """The link a token grants; LinkInvalid if forged or malformed, LinkExpired if late."""
        if not isinstance(token, str) or len(token) > 256 or not token.isascii():
            raise LinkInvalid("malformed token")
        payload, _, signature = token.rpartition(".")
        parts = payload.split(".")
        versions = (VERSION, PLATFORM_VERSION)
        if len(parts) != 4 or parts[0] not in versions or not _SIG.fullmatch(signature):
            raise LinkInvalid("malformed token")
        # Compared before the fields are trusted or even parsed further.
        if not hmac.compare_digest(self._mac(payload).encode(), signature.encode()):
            raise LinkInvalid("bad signature")
        _, file_id, person, expiry = parts
        if not (_ID.fullmatch(file_id) and _INT.fullmatch(person) and _INT.fullmatch(expiry)):
            raise LinkInvalid("malformed token")  # only reachable with a leaked secret
        try:
            expires_at = datetime.fromtimestamp(int(expiry), UTC)
        except (OverflowError, OSError, ValueError):
            raise LinkInvalid("malformed token") from None
        link = SignedLink(
            file_id=file_id, person=int(person), expires_at=expires_at,
            for_platform=parts[0] == PLATFORM_VERSION,
        )  # fmt: skip
        if self._clock.now() >= expires_at:
            raise LinkExpired(link)
        return link


def load_or_create_secret(data_dir: Path, environ: Mapping[str, str]) -> bytes:
    """The link secret: env BOT_LINK_SECRET if set, else `<data_dir>/link-secret` (made once).

    Kept on disk with mode 0600 so links handed out survive a restart.
    """
    given = environ.get(ENV_SECRET, "")
    if given.strip():
        if len(given.strip()) < MIN_ENV_SECRET:
            msg = f"{ENV_SECRET} must be at least {MIN_ENV_SECRET} characters long"
            raise ValueError(msg)
        return given.strip().encode()
    path = Path(data_dir) / SECRET_FILE
    existing = _read_secret(path)
    if existing is not None:
        return existing
    private_dir(path.parent)
    secret = secrets.token_bytes(SECRET_BYTES)
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    fd = open_private(tmp, os.O_WRONLY | os.O_EXCL)
    try:
        os.write(fd, secret.hex().encode() + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        if path.exists():  # only a corrupt file gets here: replace it
            os.replace(tmp, path)
        else:
            # link() fails if another process created the secret meanwhile; then use theirs.
            os.link(tmp, path)
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        raced = _read_secret(path)
        if raced is None:
            raise
        return raced
    tmp.unlink(missing_ok=True)
    log.info("created a new link secret in %s", path)
    return secret


def _read_secret(path: Path) -> bytes | None:
    """The stored secret, or None when there is none (or it is unusable and must be replaced)."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (UnicodeDecodeError, OSError) as exc:
        log.error("link secret %s unreadable (%s); making a new one", path, type(exc).__name__)
        return None
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < MIN_ENV_SECRET:
        log.error("link secret %s is corrupt; making a new one (old links stop working)", path)
        return None
    if path.stat().st_mode & 0o077:
        log.warning("link secret %s was readable by others; setting mode 0600", path)
        path.chmod(0o600)
    return secret
