"""Taking the bot's "@mention" out of a Zalo group text, however the bot is named.

Zalo passes a group message on only when it mentions the bot (or replies to it), and whether
the "@Bot …" stays in `text` is unknown [G]. getMe is documented without a display name
({id, account_name, account_type, can_join_groups}); only one source shows `display_name`. So the
name is what getMe gives when it gives one, else learned from a leading mention: in
"@Bot Dân số /bc sinh 2" everything between "@" and the command is the bot's name. A mention of
a name not known yet is taken to run to the end of its line when no digit follows it (Zalo bot
names start with "Bot"; report figures are digits), else only its "@Bot…" word is dropped.
"""

from __future__ import annotations

import re

# What people type between a leading mention and the command: "@Bot Dân số: /bc".
_TAIL = " \t:,-"
# A command word at the start of the text or after a space.
_COMMAND = re.compile(r"(?:^|(?<=\s))/\w")
_MAX_NAME = 64  # a learned name longer than this is not a name
_SPACES = re.compile(r"[ \t]{2,}")


class Mentions:
    """The names this bot is mentioned by, and the stripping of them from group texts."""

    def __init__(self) -> None:
        self._names: list[str] = []

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._names)

    def know(self, name: str) -> None:
        """Add a name the bot goes by (from getMe or learned); longest names are tried first."""
        name = name.strip().lstrip("@").strip()
        known = {n.casefold() for n in self._names}
        if name and len(name) <= _MAX_NAME and name.casefold() not in known:
            self._names.append(name)
            self._names.sort(key=len, reverse=True)

    def strip(self, text: str) -> str:
        """`text` without mentions of the bot; unchanged when it has none."""
        if "@" not in text:
            return text
        out = text
        for name in self._names:
            out = re.sub(rf"@{re.escape(name)}(?!\w)", " ", out, flags=re.IGNORECASE)
        if "@" in out:
            out = self._strip_unknown(out.strip())
        return _tidy(out)

    def _strip_unknown(self, text: str) -> str:
        if text.startswith("@"):
            command = _COMMAND.search(text)
            if command is not None:
                self.know(text[1 : command.start()].rstrip(_TAIL))
                return text[command.start() :]
            return text
        at = _unknown_mention(text)
        if at < 0:
            return text
        line_end = text.find("\n", at)
        line_end = len(text) if line_end < 0 else line_end
        rest = text[at:line_end]
        if not any(ch.isdigit() for ch in rest) and "/" not in rest:
            return text[:at] + text[line_end:]
        word_end = at + len(rest.split(maxsplit=1)[0])
        return text[:at] + text[word_end:]


def _unknown_mention(text: str) -> int:
    """Where an "@Bot…" word starts after a space, or -1."""
    match = re.search(r"(?:(?<=\s)|^)@Bot", text, flags=re.IGNORECASE)
    return match.start() if match else -1


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip().lstrip(_TAIL)
