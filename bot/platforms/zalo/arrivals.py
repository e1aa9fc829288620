"""Photos and voice notes kept when their update arrives: Zalo's file URLs expire.

A handler may ask for a photo much later (a replayed update after a restart, a command that
replies to an older photo), when Zalo's URL no longer answers. So the transport downloads the
file before the core takes the update in, puts it into the bot's file store (given by the app:
the platform sees only the core) and points the attachment at it with `file_id = "kept:<id>"`.
The size cap and timeouts are those of `files.fetch_attachment`.

The transport does not know who the sender is in the bot's records, so a file is kept without
an owner; intake gives it its sender once the person is known (`kept_ids`), so erasing that
person removes it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Protocol

from bot.core.messages import Attachment, Incoming
from bot.core.platform import BadRequest, RetryLater
from bot.platforms.zalo.files import fetch_attachment

log = logging.getLogger(__name__)

KEPT = "kept:"
# kind → (the stored name and type when Zalo gives none); `.aac` is what Zalo's voice uses.
KEEP_KINDS = {"photo": ("anh.jpg", "image/jpeg"), "voice": ("ghi-am.aac", "audio/aac")}


class Keeper(Protocol):
    """Where arriving files go (the app passes its FileStore)."""

    def put(self, data: bytes, *, name: str, mime: str = "", owner: int | None) -> Any: ...

    def read(self, file_id: str) -> bytes: ...


async def keep_on_arrival(incoming: Incoming, keeper: Keeper | None) -> Incoming:
    """`incoming` with each photo and voice note downloaded and kept; a file that cannot be
    fetched now keeps its URL (the handler tries it and says so), so nothing is held up."""
    if keeper is None or not any(_wanted(a) for a in incoming.attachments):
        return incoming
    kept = tuple([await _keep(a, keeper) if _wanted(a) else a for a in incoming.attachments])
    return replace(incoming, attachments=kept)


def kept_ids(incoming: Incoming) -> list[str]:
    """The file store ids of the files kept at the arrival of `incoming`."""
    return [
        a.file_id.removeprefix(KEPT) for a in incoming.attachments if a.file_id.startswith(KEPT)
    ]


def read_kept(attachment: Attachment, keeper: Keeper | None) -> bytes | None:
    """The bytes kept at arrival, or None (not kept, or gone: then the URL is tried)."""
    if keeper is None or not attachment.file_id.startswith(KEPT):
        return None
    try:
        return keeper.read(attachment.file_id.removeprefix(KEPT))
    except KeyError:
        log.info("zalo %s kept at arrival is gone; trying its URL", attachment.kind)
        return None


def _wanted(attachment: Attachment) -> bool:
    return attachment.kind in KEEP_KINDS and bool(attachment.url) and not attachment.file_id


async def _keep(attachment: Attachment, keeper: Keeper) -> Attachment:
    try:
        data = await fetch_attachment(attachment)
    except (BadRequest, RetryLater) as exc:
        # Only the host is in the message (fetch_attachment's rule): the URL may hold a key.
        log.warning("zalo %s not kept at arrival: %s", attachment.kind, exc)
        return attachment
    name, mime = KEEP_KINDS[attachment.kind]
    try:
        stored = keeper.put(data, name=attachment.name or name, mime=mime, owner=None)
    except OSError as exc:
        log.warning("zalo %s not kept at arrival: %s", attachment.kind, type(exc).__name__)
        return attachment
    return replace(
        attachment, file_id=KEPT + stored.id, name=attachment.name or name,
        mime=attachment.mime or mime, size=len(data),
    )  # fmt: skip
