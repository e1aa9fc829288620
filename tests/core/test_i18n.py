"""Message catalogs: both languages complete, every used key exists, placeholders agree."""

from __future__ import annotations

import re
import string
from pathlib import Path

from babel.messages.pofile import read_po

from bot.core.i18n import Translator, glossary

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "bot" / "core" / "i18n" / "locales"


def _catalog(lang: str) -> dict[str, str]:
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {str(m.id): str(m.string) for m in read_po(fh) if m.id}


# The glossary's terms ({directive}…) are filled in by the Translator, not by the caller, so
# each language uses those it needs (English has a plural).
TERMS = set(glossary({})["vi"])


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f} - TERMS


def test_vietnamese_and_english_have_the_same_keys_and_placeholders() -> None:
    """Every message exists in both languages with the same {placeholders}."""
    vi, en = _catalog("vi"), _catalog("en")
    assert vi.keys() == en.keys()
    for key in vi:
        assert vi[key], key
        assert _fields(vi[key]) == _fields(en[key]), key


def test_every_key_used_in_code_is_in_the_catalog() -> None:
    """Keys passed to t()/reply()/UserError in bot/ and handlers/ all resolve."""
    vi = _catalog("vi")
    pattern = re.compile(
        r"""(?:\.t|\.reply|UserError|Forbidden|NotFound|WrongPlace|notify|notify_admins)\(\s*"""
        r"""(?:[a-z_.]+,\s*)?["']([a-z_]+\.[a-z_.]+)["']"""
    )
    used = set()
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert used, "the scan found no keys at all"
    missing = sorted(k for k in used if k not in vi)
    assert not missing, missing


def test_translator_falls_back_and_keeps_unknown_placeholders() -> None:
    """An unknown language falls back to Vietnamese; a missing parameter stays visible."""
    t = Translator()
    assert t("fr", "cancel.done") == t("vi", "cancel.done") == "Đã hủy."
    assert t("en", "cancel.done") == "Cancelled."
    assert "{n}" in t("vi", "approve.not_found")
