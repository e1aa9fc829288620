"""How an outbox message's file reaches each platform: uploaded, or as a signed link."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.messages import ChatRef, OutFile
from bot.models import OutboxItem

if TYPE_CHECKING:
    from bot.i18n import Translator
    from bot.services.delivery import Delivery
    from bot.services.files import FileLinks, FileStore


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
        stored = self.files.get(item.file.file_id)
        lang = item.lang or self.default_lang
        if stored is None:
            return None, "\n\n" + self.translate(lang, "file.no_link")
        caps = self.delivery.caps(chat)
        name, kind, mime = item.file.name or stored.name, item.file.kind, stored.mime
        if caps is not None and caps.files:
            return OutFile(name=name, kind=kind, path=str(stored.path), mime=mime), ""
        url = self.links.url_for(stored.id, person=item.recipient or 0)
        if url is None:
            return None, "\n\n" + self.translate(lang, "file.no_link")
        return OutFile(name=name, kind=kind, url=url, mime=mime), ""
