"""Files people send and files the bot sends: keeping the file of a command (or of the message
it replies to), and how an outbox message's file reaches each platform (uploaded, or as a
signed link)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.messages import Attachment, ChatRef, Incoming, OutFile
from bot.core.models import OutboxFile, OutboxItem

if TYPE_CHECKING:
    from bot.core.i18n import Translator
    from bot.delivery.file_store import FileLinks, FileStore
    from bot.delivery.sender import Delivery


class AttachmentResolver:
    """Telegram gets the file itself; Zalo, which sends no files, a link bound to the recipient."""

    def __init__(
        self,
        *,
        files: FileStore,
        links: FileLinks,
        delivery: Delivery,
        translate: Translator,
        default_lang: str,
    ) -> None:
        self.files = files
        self.links = links
        self.delivery = delivery
        self.translate = translate
        self.default_lang = default_lang

    def __call__(self, item: OutboxItem, chat: ChatRef) -> tuple[OutFile | None, str]:
        """The file to attach, and any text to add (a note where no link can be made)."""
        if item.file is None:
            return None, ""
        out = file_for_chat(self.files, self.links, self.delivery, item.file, chat,
                            person=item.recipient or 0)  # fmt: skip
        if out is None:
            return None, "\n\n" + self.translate(item.lang or self.default_lang, "file.no_link")
        return out, ""


def file_for_chat(
    files: FileStore,
    links: FileLinks,
    delivery: Delivery,
    file: OutboxFile,
    chat: ChatRef,
    *,
    person: int,
) -> OutFile | None:
    """A stored file for one chat: the file itself where the platform takes files, else a
    signed link bound to `person`; None when the file is gone or no link can be made."""
    stored = files.get(file.file_id)
    if stored is None:
        return None
    caps = delivery.caps(chat)
    name, kind, mime = file.name or stored.name, file.kind, stored.mime
    if caps is not None and caps.files:
        return OutFile(name=name, kind=kind, path=str(stored.path), mime=mime)
    # A photo goes to a platform without file uploads by URL (Zalo's sendPhoto), and the
    # platform's servers fetch it: a download the access log must not put on the person.
    url = links.url_for(stored.id, person=person, for_platform=kind == "photo")
    return None if url is None else OutFile(name=name, kind=kind, url=url, mime=mime)


FILE_KINDS = ("document", "photo")


async def keep_attachment(
    inc: Incoming, *, delivery: Delivery, files: FileStore, owner: int | None
) -> OutboxFile | None:
    """The document or photo sent with the command, or of the message it replies to, fetched
    from the platform and kept in the file store; None when there is none."""
    found: Attachment | None = next((a for a in inc.attachments if a.kind in FILE_KINDS), None)
    if found is None and inc.reply_to is not None:
        found = next((a for a in inc.reply_to.attachments if a.kind in FILE_KINDS), None)
    if found is None:
        return None
    data = await delivery.download(inc.chat, found)
    default = "anh.jpg" if found.kind == "photo" else "tai-lieu"
    mime = found.mime or ("image/jpeg" if found.kind == "photo" else "application/octet-stream")
    stored = files.put(data, name=found.name or default, mime=mime, owner=owner)
    return OutboxFile(stored.id, stored.name, found.kind, stored.mime)
