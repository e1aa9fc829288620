"""Message catalogs (gettext .po files read with Babel) and per-person translation."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
_LOCALES = Path(__file__).parent / "locales"


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

    def __init__(self, default: str = DEFAULT_LANGUAGE) -> None:
        self.default = default if default in LANGUAGES else DEFAULT_LANGUAGE

    def has(self, key: str) -> bool:
        return key in _catalog(DEFAULT_LANGUAGE)

    def __call__(self, lang: str, key: str, /, **params: Any) -> str:
        lang = lang if lang in LANGUAGES else self.default
        template = _catalog(lang).get(key) or _catalog(DEFAULT_LANGUAGE).get(key)
        if template is None:
            log.warning("missing message key %s", key)
            return key
        return template.format_map(_Missing(params))
