"""Text rules of the fake Telegram API: parse_mode checks, automatic entities, reply markup."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.fakes.telegram_model import ApiError

# Tags the Bot API accepts in HTML mode (https://core.telegram.org/bots/api#html-style).
_HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")
_MD_RESERVED = set("_*[]()~`>#+-=|{}.!")
_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}")
_MAX_CALLBACK_DATA = 64


def utf16_len(text: str) -> int:
    """Telegram measures entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def plain_text(text: str, parse_mode: str | None) -> str:
    """The text a user sees once markup is removed; ApiError 400 when the markup is bad."""
    if not parse_mode:
        return text
    mode = parse_mode.lower()
    if mode == "html":
        return _html_plain(text)
    if mode == "markdownv2":
        return _markdown_v2_plain(text)
    if mode == "markdown":
        return re.sub(r"[*_`\[\]]", "", text)
    raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode}")


def _bad_entities(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


def _html_plain(text: str) -> str:
    stack: list[str] = []
    out: list[str] = []
    pos = 0
    for match in _TAG.finditer(text):
        out.append(_html_text(text[pos : match.start()], pos))
        pos = match.end()
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name not in _HTML_TAGS:
            kind = "end" if closing else "start"
            raise _bad_entities(f'Unsupported {kind} tag "{name}" at byte offset {match.start()}')
        if not closing:
            stack.append(name)
        elif not stack or stack[-1] != name:
            raise _bad_entities(
                f'Unmatched end tag at byte offset {match.start()}, expected "</{stack[-1]}>", '
                f'found "</{name}>"'
                if stack
                else f"Unexpected end tag at byte offset {match.start()}"
            )
        else:
            stack.pop()
    out.append(_html_text(text[pos:], pos))
    if stack:
        raise _bad_entities(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def _html_text(chunk: str, offset: int) -> str:
    """Text between tags: a bare `<` or an unknown `&name;` is an error, like in Telegram."""
    if "<" in chunk or ">" in chunk:
        at = offset + min(i for i in (chunk.find("<"), chunk.find(">")) if i >= 0)
        raise _bad_entities(f"Unsupported start tag at byte offset {at}")
    # A lone "&" or an unknown "&name;" stays as text, as in Telegram; known ones are decoded.
    return _ENTITY.sub(lambda m: html.unescape(m[0]), chunk)


def _markdown_v2_plain(text: str) -> str:
    """Roughly Telegram's MarkdownV2: escapes, balanced markers, reserved characters."""
    out: list[str] = []
    open_marks: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 < len(text):
                out.append(text[i + 1])
            i += 2
            continue
        two = text[i : i + 2]
        if two in ("__", "||"):
            _toggle(open_marks, two)
            i += 2
            continue
        if ch in "*_~`":
            _toggle(open_marks, ch)
            i += 1
            continue
        if ch == "[":
            close = text.find("](", i)
            end = text.find(")", close + 2) if close >= 0 else -1
            if close < 0 or end < 0:
                raise _bad_entities(f"Can't find end of Url at byte offset {i}")
            out.append(_markdown_v2_plain(text[i + 1 : close]))
            i = end + 1
            continue
        if ch in _MD_RESERVED:
            raise _bad_entities(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(ch)
        i += 1
    if open_marks:
        raise _bad_entities(f"Can't find end of the entity starting at byte offset {len(text)}")
    return "".join(out)


def _toggle(open_marks: list[str], mark: str) -> None:
    if open_marks and open_marks[-1] == mark:
        open_marks.pop()
    else:
        open_marks.append(mark)


def auto_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram attaches to a user's text: a leading /command and @mentions."""
    entities: list[dict[str, Any]] = []
    command = _COMMAND.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command[0])})
    for mention in _MENTION.finditer(text):
        if command and mention.start() < command.end():
            continue
        entities.append(
            {
                "type": "mention",
                "offset": utf16_len(text[: mention.start()]),
                "length": utf16_len(mention[0]),
            }
        )
    return entities


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Validate reply_markup the way the Bot API does; return it as a dict, or None."""
    if markup in (None, "", {}):
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(400, 'Bad Request: field "inline_keyboard" must be an Array of Array')
        for row in rows:
            for button in row:
                _check_button(button)
    elif not ({"force_reply", "keyboard", "remove_keyboard"} & markup.keys()):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    return markup


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise ApiError(
            400, "Bad Request: can't parse inline keyboard button: Text must be non-empty"
        )
    if "callback_data" in button:
        data = str(button["callback_data"]).encode()
        if not 1 <= len(data) <= _MAX_CALLBACK_DATA:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    elif not ({"url", "switch_inline_query", "web_app", "login_url", "pay"} & button.keys()):
        raise ApiError(
            400,
            "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must have "
            "exactly one optional field",
        )
