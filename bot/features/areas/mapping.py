"""Reading an area mapping for `areas migrate`: old area code → new area code.

Two forms:
- CSV, one `old_code,new_code` a line (a header line `old_code,new_code` is allowed);
- JSON, a tree in the form of the 2025 reform lists (data/ha-tinh-2025-07.json): nodes with
  `code`, `name`, `children`, and `formed_from`, the NAMES of the old areas a new one was formed
  from. Names are resolved to old codes with the names the store knows (each report keeps the
  name its area had) and, optionally, the old tree (data/ha-tinh-2025-03.json).

Everything that cannot be resolved for sure is a problem, and a mapping with problems is not
applied: a name no known area has, a name two old areas share, an old area split between
several new ones that still has records (unless `choose` says where they go), a new code that
is not in the current tree.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.areas import AreaTree
from bot.core.text import fold

_UNKNOWN = "no known old area is named "


@dataclass(slots=True)
class AreaMapping:
    """Where each old code goes, the old names known, and what stops it from being applied."""

    moves: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # old code → its old name
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def old_names(tree_file: Path) -> dict[str, str]:
    """code → name of every node of an old tree file (JSON: code, name, children)."""
    return {str(node["code"]): str(node["name"]) for node in _walk(_read_json(tree_file))}


def read_mapping(
    path: Path,
    *,
    tree: AreaTree,
    known: Mapping[str, str],
    used: set[str],
    choose: Mapping[str, str] | None = None,
    strict: bool = True,
) -> AreaMapping:
    """The mapping in `path` (.json: a tree with `formed_from`; anything else: CSV).

    `tree`: the current config tree (new codes must be in it). `known`: old code → old name,
    from the store and the old tree. `used`: the codes stored records point at (a split or an
    unknown code matters only there). `choose`: old code → new code, for split areas.
    `strict`: a name no known area has is a problem (with the old tree at hand, it is a typo);
    otherwise a note (the store knows only the areas it has records for; a code records point
    at that stays unmapped is refused anyway).
    """
    if path.suffix.lower() == ".json":
        mapping = _from_tree(_read_json(path), known=known, used=used, choose=choose or {})
        if not strict:
            unknown = [p for p in mapping.problems if p.startswith(_UNKNOWN)]
            mapping.problems = [p for p in mapping.problems if not p.startswith(_UNKNOWN)]
            if unknown:
                mapping.notes.append(
                    f"{len(unknown)} old name(s) match no area the store has records for: "
                    "nothing to move for them (give --old-tree to check every name)"
                )
    else:
        mapping = _from_csv(path.read_text(encoding="utf-8-sig"))
    for old, new in sorted(mapping.moves.items()):
        if new not in tree:
            mapping.problems.append(f"{old} → {new}: {new} is not an area of the current config")
        if old in known:
            mapping.names.setdefault(old, known[old])
    return mapping


def _from_csv(text: str) -> AreaMapping:
    mapping = AreaMapping()
    for number, row in enumerate(csv.reader(io.StringIO(text)), 1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and fold(cells[0]).replace(" ", "_") in {"old_code", "old", "from"}:
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            mapping.problems.append(f"line {number}: write old_code,new_code, e.g. 18076,18073")
            continue
        old, new = cells[0], cells[1]
        if mapping.moves.get(old, new) != new:
            mapping.problems.append(f"line {number}: {old} is mapped twice")
        mapping.moves[old] = new
    return mapping


def _from_tree(
    root: Any, *, known: Mapping[str, str], used: set[str], choose: Mapping[str, str]
) -> AreaMapping:
    mapping = AreaMapping()
    by_name: dict[str, list[str]] = {}
    for code, name in known.items():
        by_name.setdefault(fold(name), []).append(code)
    targets: dict[str, list[str]] = {}  # old code → the new codes formed from it
    for node in _walk(root):
        for name in node.get("formed_from") or ():
            codes = by_name.get(fold(str(name)), [])
            new = str(node["code"])
            if not codes:
                mapping.problems.append(
                    f"{_UNKNOWN}{name!r} (formed {new} {node.get('name', '')}): give the old "
                    "tree with --old-tree, or check the spelling"
                )
            elif len(codes) > 1:
                listed = ", ".join(sorted(codes))
                mapping.problems.append(
                    f"{new} {node.get('name', '')}: {name!r} names several old areas ({listed}): "
                    "map them in a CSV file (old_code,new_code) instead"
                )
            else:
                targets.setdefault(codes[0], []).append(new)
    for old, news in sorted(targets.items()):
        news = list(dict.fromkeys(news))
        if len(news) == 1:
            mapping.moves[old] = news[0]
        elif old in choose and choose[old] in news:
            mapping.moves[old] = choose[old]
        elif old in used:
            mapping.problems.append(
                f"{old} {known[old]} was split between {', '.join(news)}: say where its records "
                f"go with --choose {old}={news[0]} (or another of them)"
            )
        else:
            mapping.notes.append(f"{old} {known[old]} was split; no record points at it")
    return mapping


def _walk(root: Any) -> Iterator[dict[str, Any]]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.get("children") or ()))


def _read_json(path: Path) -> Any:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"cannot read {path}: {exc}"
        raise ValueError(msg) from exc
    if not isinstance(data, dict) or "code" not in data:
        msg = f"{path} is not an area tree (an object with code, name and children)"
        raise ValueError(msg)
    return data
