"""The words a send of each kind raises (`<kind>.<what>`, built at run time, so the catalog scan
of tests/core/test_i18n.py cannot see them) are all in the catalog."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from bot.features.broadcast.sending import KEYS

LOCALES = Path(__file__).resolve().parents[3] / "bot" / "core" / "i18n" / "locales"
KINDS = ("directive", "survey")
PREVIEW = ("preview_reach", "preview_expected", "preview_unreachable")


def test_every_kind_has_its_words() -> None:
    for lang in ("vi", "en"):
        with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            catalog = {str(m.id) for m in read_po(fh) if m.id}
        wanted = {f"{kind}.{what}" for kind in KINDS for what in KEYS + PREVIEW}
        wanted |= {f"audit.action.{kind}.send" for kind in KINDS}
        assert not sorted(wanted - catalog), lang
