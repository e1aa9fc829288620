"""The house rules of what people read, checked over every message of the catalogs, so that they
hold for messages added later: one spelling (xóa), no district after the 2025 reform, no
shouting capitals, no internal codes, the directive named by the configured word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.support.harness import read_yaml

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "bot" / "core" / "i18n" / "locales"

# Abbreviations written in capitals: a vaccine, web terms for admins, a survey's and a
# clarification's number as typed (KS3, ĐC2), megabytes, "OK", the health centre (TTYT).
ACRONYMS = frozenset(
    {"HPV", "HTTP", "HTTPS", "API", "URL", "ID", "KS", "ĐC", "MB", "OK", "TTYT", "UBND"}
)
# Messages that name the district level itself (an area tree of the old shape still has one).
DISTRICT_LEVEL = re.compile(r"\.district$")
# Old-style tone placement (xoá, hoà, khoẻ, thuỷ) where the catalogs write xóa, hòa, khỏe,
# thủy; "qu" is a consonant, so "quý" is fine.
OLD_TONE = re.compile(r"(?<![qQ])(?:o[áàảãạ]|o[éèẻẽẹ]|u[ýỳỷỹỵ])(?!\w)", re.IGNORECASE)
# Said naturally: "Đang gửi…", "có hiệu lực 30 phút".
STIFF = {
    "Đang gửi:": "Đang gửi…",
    "giữ {minutes} phút": "có hiệu lực {minutes} phút",
    "dùng được đến": "có hiệu lực đến",
}


def _catalog(lang: str) -> dict[str, str]:
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {str(m.id): str(m.string) for m in read_po(fh) if m.id}


VI = _catalog("vi")
EN = _catalog("en")


def _prose(text: str) -> str:
    """What people read as words: no {placeholders}, commands (/xoa) or handles (@BotFather)."""
    return re.sub(r"\{[^}]*\}|[/@]\w+", " ", text)


def _codes() -> set[str]:
    """The report types' codes and the area codes of the shipped config."""
    config = read_yaml(ROOT / "config.yaml")
    codes = {t["code"] for t in config["report_types"]}
    stack = [config["areas"]]
    while stack:
        node = stack.pop()
        codes.add(str(node["code"]))
        stack.extend(node.get("children", ()))
    # A short number ("42", the province) is as likely a count: only distinctive codes.
    return {c for c in codes if not c.isdigit() or len(c) >= 5}


def test_one_spelling_xoa_and_the_new_tone_marks() -> None:
    """One spelling in every Vietnamese message: xóa, never xoá (and hòa, khỏe, thủy)."""
    found = {k: m.group() for k, t in VI.items() if (m := OLD_TONE.search(_prose(t)))}
    assert not found, found


def test_no_district_after_the_2025_reform() -> None:
    """Defaults speak of the health region (khu vực) and the commune; "huyện" only names the
    district level of an old-shaped tree."""
    found = [
        k
        for k, t in VI.items()
        if re.search(r"\bhuyện\b", t, re.IGNORECASE) and not DISTRICT_LEVEL.search(k)
    ]
    found += [k for k, t in EN.items() if "district" in t.lower() and not DISTRICT_LEVEL.search(k)]
    assert not found, found


@pytest.mark.parametrize(("lang", "catalog"), [("vi", VI), ("en", EN)])
def test_no_shouting_capitals(lang: str, catalog: dict[str, str]) -> None:
    """No word in capitals but the usual abbreviations: a heading is written like a sentence."""
    found = {
        k: w
        for k, t in catalog.items()
        for w in re.findall(r"\w+", _prose(t))
        if len(w) > 1 and w.isupper() and not any(c.isdigit() for c in w) and w not in ACRONYMS
    }
    assert not found, found


def test_no_internal_codes_where_names_belong() -> None:
    """No report type's or area's code of the shipped config is written into a message: a
    message gets names through its {placeholders}."""
    codes = _codes()
    assert {"danso", "kehoach", "18115"} <= codes
    found = {
        k: c
        for k, t in VI.items()
        for c in codes
        if re.search(rf"(?<![\w/-]){re.escape(c)}(?![\w-])", _prose(t))
    }
    assert not found, found


def test_the_directive_is_named_by_the_configured_word() -> None:
    """A directive is named through {Directive}/{directive}, never a fixed "chỉ thị", so that the
    communes' own word (directives.heading) reaches every message."""
    found = [k for k, t in VI.items() if "chỉ thị" in _prose(t).lower()]
    found += [k for k, t in EN.items() if re.search(r"\bdirectives?\b", _prose(t), re.I)]
    assert not found, found
    uses = [k for k, t in VI.items() if "{directive}" in t or "{Directive}" in t]
    assert "directive.message" in uses and "ack.done" in uses and len(uses) > 20


def test_natural_vietnamese() -> None:
    """The stiff phrasings found in field use stay out ("Đang gửi…", "có hiệu lực 30 phút")."""
    found = {k: stiff for k, t in VI.items() for stiff in STIFF if stiff in t}
    assert not found, {k: f"{s} → {STIFF[s]}" for k, s in found.items()}
