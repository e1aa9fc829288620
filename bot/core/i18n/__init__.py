"""Message catalogs (gettext .po files read with Babel) and per-person translation."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
_LOCALES = Path(__file__).parent / "locales"
# What a directive is called where people read it (config: directives.heading): commune
# officers say "Thông báo", the law says "Chỉ thị". Messages name it through {Directive} (a
# heading), {directive} (inside a sentence) and {directives} (English plural).
DEFAULT_HEADINGS = {"vi": "Thông báo", "en": "Notice"}


def glossary(headings: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The terms every message may use, per language, from the directive's heading."""
    terms: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        heading = headings.get(lang) or DEFAULT_HEADINGS[lang]
        word = _inside_sentence(heading)
        terms[lang] = {
            "Directive": heading,
            "directive": word,
            "directives": _plural(word) if lang == "en" else word,
        }
    return terms


def _inside_sentence(heading: str) -> str:
    # "Thông báo" → "thông báo"; an abbreviation ("UBND") keeps its capitals.
    if len(heading) > 1 and heading[1].isupper():
        return heading
    return heading[:1].lower() + heading[1:]


def _plural(word: str) -> str:
    last = word.rsplit(" ", 1)[-1].lower()
    if last.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


class _Missing(dict[str, Any]):
    """Leaves an unknown {placeholder} visible: a typo must not crash a reply."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@cache
def _catalog(lang: str) -> dict[str, str]:
    path = _LOCALES / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


class Translator:
    """Looks up message keys in the catalog of one language, falling back to Vietnamese."""

    def __init__(
        self, default: str = DEFAULT_LANGUAGE, *, headings: Mapping[str, str] | None = None
    ) -> None:
        self.default = default if default in LANGUAGES else DEFAULT_LANGUAGE
        self.terms = glossary(headings or {})

    def has(self, key: str) -> bool:
        return key in _catalog(DEFAULT_LANGUAGE)

    def __call__(self, lang: str, key: str, /, **params: Any) -> str:
        lang = lang if lang in LANGUAGES else self.default
        template = _catalog(lang).get(key) or _catalog(DEFAULT_LANGUAGE).get(key)
        if template is None:
            log.warning("missing message key %s", key)
            return key
        return template.format_map(_Missing({**self.terms[lang], **params}))
