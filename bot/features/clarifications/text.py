"""What officers type after /dinhchinh them|sua, and the words the rumour watch says."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.errors import UserError
from bot.core.text import fold
from bot.features.clarifications.rumour_match import usable

if TYPE_CHECKING:
    from bot.core.i18n import Translator
    from bot.core.models import Clarification

MAX_TEXT = 3000  # the clarification with its header and source fits one Telegram message
MAX_PHRASES = 20
MAX_PHRASE = 200
EXCERPT = 300  # characters of an overheard message kept and quoted to officers

# Labels of the parts, folded; a line or a `|`-separated part starts with one and a colon.
_LABELS = {
    "tin don": "phrases", "tindon": "phrases", "rumour": "phrases", "rumor": "phrases",
    "dinh chinh": "text", "dinhchinh": "text", "noi dung": "text", "text": "text",
    "clarification": "text",
    "nguon": "source", "source": "source",
    "dia ban": "area", "area": "area",
}  # fmt: skip
_LABEL = re.compile(r"^\s*([^:|\n]{1,20}?)\s*:\s*(.*)$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class ClarificationParts:
    """What was typed: only the parts given are set (None: not given)."""

    phrases: tuple[str, ...] | None = None
    text: str | None = None
    source: str | None = None
    area: str | None = None


def parse_parts(args: str, *, need_all: bool) -> ClarificationParts:
    """Read `tin đồn: a; b | đính chính: … | nguồn: …` (parts on lines or split by `|`; a line
    without a label continues the part before it). `need_all`: phrases and text are required."""
    found: dict[str, list[str]] = {}
    current = ""
    for piece in re.split(r"\n|\|", args):
        labelled = _LABEL.match(piece)
        name = _LABELS.get(fold(labelled.group(1))) if labelled else None
        if labelled and name:
            current = name
            found.setdefault(name, []).append(labelled.group(2).strip())
        elif current:
            found[current].append(piece.strip())
        elif piece.strip():
            raise UserError("clarify.usage")
    if not found or (need_all and not ("phrases" in found and "text" in found)):
        raise UserError("clarify.usage")
    parts = {k: "\n".join(v for v in values if v).strip() for k, values in found.items()}
    phrases = None
    if "phrases" in parts:
        phrases = _phrases(parts["phrases"])
    text = parts.get("text")
    if text is not None and not text:
        raise UserError("clarify.usage")
    if text is not None and len(text) > MAX_TEXT:
        raise UserError("clarify.too_long", length=len(text), limit=MAX_TEXT)
    return ClarificationParts(phrases, text, parts.get("source"), parts.get("area"))


def _phrases(raw: str) -> tuple[str, ...]:
    phrases: list[str] = []
    for part in re.split(r"[;\n]", raw):
        phrase = " ".join(part.split()).strip(" .,\"'«»“”")
        if not phrase or phrase in phrases:
            continue
        if len(phrase) > MAX_PHRASE:
            raise UserError("clarify.phrase_long", phrase=phrase[:40], limit=MAX_PHRASE)
        if not usable(phrase):
            raise UserError("clarify.phrase_short", phrase=phrase)
        phrases.append(phrase)
    if not phrases:
        raise UserError("clarify.usage")
    if len(phrases) > MAX_PHRASES:
        raise UserError("clarify.too_many", limit=MAX_PHRASES)
    return tuple(phrases)


def excerpt(text: str, limit: int = EXCERPT) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


class ClarificationText:
    """Renders clarifications, the reply under a rumour and the officers' alert."""

    def __init__(self, translate: Translator) -> None:
        self.t = translate

    def reply(self, lang: str, c: Clarification) -> str:
        """What the bot posts under a message that repeated the rumour."""
        lines = [self.t(lang, "clarify.reply_header", number=c.id), "", c.text]
        if c.source:
            lines += ["", self.t(lang, "clarify.source", source=c.source)]
        return "\n".join(lines)

    def full(self, lang: str, c: Clarification, *, area: str, sightings: int) -> str:
        """One clarification in full, for the officers who keep it."""
        phrases = "\n".join(f"• {p}" for p in c.phrases)
        lines = [
            self.t(lang, "clarify.full_header", number=c.id, area=area),
            self.t(lang, "clarify.phrases", phrases=phrases), "", c.text,
        ]  # fmt: skip
        if c.source:
            lines.append(self.t(lang, "clarify.source", source=c.source))
        if c.file is not None:
            lines.append(self.t(lang, "clarify.file", name=c.file.name))
        if c.retired_at is not None:
            lines.append(self.t(lang, "clarify.retired_mark"))
        lines.append(self.t(lang, "clarify.sightings", count=sightings))
        return "\n".join(lines)

    def row(self, lang: str, c: Clarification, *, area: str, sightings: int) -> str:
        first = excerpt(c.phrases[0], 60) if c.phrases else ""
        more = self.t(lang, "clarify.more_phrases", count=len(c.phrases) - 1)
        return self.t(
            lang, "clarify.row", number=c.id, area=area, phrase=first,
            more=more if len(c.phrases) > 1 else "", sightings=sightings,
        )  # fmt: skip

    def alert(
        self,
        lang: str,
        c: Clarification,
        *,
        group: str,
        sender: str,
        text: str,
        replied: bool,
        sure: bool = True,
    ) -> str:
        """The private note to an officer: where, who, what, and what the bot did (when the
        watch is unsure: that it did not answer, and why)."""
        head = "clarify.alert" if sure else "clarify.alert_unsure"
        done = "clarify.alert_replied" if replied else "clarify.alert_already"
        return "\n".join(
            [
                self.t(lang, head, group=group, sender=sender, number=c.id),
                f"«{excerpt(text)}»",
                self.t(lang, done if sure else "clarify.alert_unsure_done", number=c.id),
            ]
        )
