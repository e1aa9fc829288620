"""Every relative link of README.md and docs/*.md points to a file of this repository (and to a
heading of it, when it names one), and every path to a document written in backticks exists:
no reader is sent to a document that is not in the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
BACKTICKED_DOC = re.compile(r"`((?:\.\./|[\w.-]+/)[\w./-]*\.md)(?:#[\w-]*)?`")
FENCE = re.compile(r"^(```|~~~)")


def _prose(path: Path) -> list[str]:
    """The lines outside fenced code blocks."""
    lines, fenced = [], False
    for line in path.read_text("utf-8").splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {slug(line.lstrip("#")) for line in _prose(path) if re.match(r"#{1,6} ", line)}


def _targets(doc: Path) -> list[str]:
    found = []
    for line in _prose(doc):
        found += LINK.findall(line) + IMAGE.findall(line)
    return [t for t in found if not re.match(r"[a-z][a-z0-9+.-]*:", t)]  # http:, mailto:…


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_to_a_file_here(doc: Path) -> None:
    broken = []
    for target in _targets(doc):
        path_part, _, anchor = target.partition("#")
        file = (doc.parent / path_part).resolve() if path_part else doc
        if ROOT not in file.parents and file != ROOT:
            broken.append(f"{target}: outside the repository")
        elif not file.exists():
            broken.append(f"{target}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
            broken.append(f"{target}: no heading #{anchor} in {file.name}")
    assert broken == [], f"{doc.name}: {broken}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_document_path_in_backticks_exists(doc: Path) -> None:
    missing = [
        path
        for line in _prose(doc)
        for path in BACKTICKED_DOC.findall(line)
        if not (ROOT / path).resolve().is_file() or ROOT not in (ROOT / path).resolve().parents
    ]
    assert missing == [], f"{doc.name} names documents that are not here: {missing}"


def test_the_checks_catch_a_broken_link(tmp_path: Path) -> None:
    """The parsing above finds what it must (so an empty result means something)."""
    doc = tmp_path / "x.md"
    doc.write_text(
        "# Le nom đúng\n[a](missing.md) [b](#le-nom-đúng) [c](https://x.org) ![d](pic.png)\n"
        "```\n[e](inside-code.md)\n```\n`../shared/COMMANDS.md` `docs/commands.md`\n",
        encoding="utf-8",
    )
    assert _targets(doc) == ["missing.md", "#le-nom-đúng", "pic.png"]
    assert _anchors(doc) == {"le-nom-đúng"}
    assert BACKTICKED_DOC.findall(doc.read_text("utf-8")) == [
        "../shared/COMMANDS.md",
        "docs/commands.md",
    ]
    assert slug("The report grammar (`/baocao`)") == "the-report-grammar-baocao"
