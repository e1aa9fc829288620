"""The area tree in memory: lookups by code, subtrees, ancestry and forgiving search by name."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from bot.core.models import Area
from bot.core.text import fold

# Words people may or may not type before a place's name; longest first so "to dan pho"
# wins over "to". Only one prefix is stripped, so a name like "Xóm Tổ" keeps its "to".
_PREFIXES = tuple(
    sorted(
        (
            "thon",
            "xom",
            "ban",
            "ap",
            "to dan pho",
            "tdp",
            "khu pho",
            "to",
            "khu",
            "xa",
            "phuong",
            "thi tran",
            "thi xa",
            "thanh pho",
            "huyen",
            "quan",
            "tinh",
            "ttyt khu vuc",
            "trung tam y te khu vuc",
            "khu vuc",
        ),
        key=len,
        reverse=True,
    )
)
FUZZY_LIMIT = 5
FUZZY_CUTOFF = 0.8


def bare_name(text: str) -> str:
    """`text` folded, without a leading kind word: "Thôn Trung Lương 1" → "trung luong 1"."""
    folded = fold(text)
    for prefix in _PREFIXES:
        if folded.startswith(prefix + " ") and len(folded) > len(prefix) + 1:
            return folded[len(prefix) + 1 :]
    return folded


def _field(node: Any, name: str) -> Any:
    return node.get(name) if isinstance(node, Mapping) else getattr(node, name)


class AreaTree:
    """Immutable index over the configured areas; every lookup is a dict access or O(depth)."""

    def __init__(self, areas: Iterable[Area]) -> None:
        self._areas: dict[str, Area] = {}
        self._children: dict[str, list[str]] = {}
        for area in areas:
            if area.code in self._areas:
                msg = f"duplicate area code {area.code!r}"
                raise ValueError(msg)
            self._areas[area.code] = area
            self._children[area.code] = []
            if area.parent:
                self._children[area.parent].append(area.code)
        roots = [a for a in self._areas.values() if not a.parent]
        if len(roots) != 1:
            msg = f"an area tree has exactly one root, not {len(roots)}"
            raise ValueError(msg)
        self._root = roots[0]
        # Search indexes: folded full name and bare name → codes, in tree order.
        self._by_folded: dict[str, list[str]] = {}
        self._by_bare: dict[str, list[str]] = {}
        self._bare: dict[str, str] = {}
        self._folded: dict[str, str] = {}
        for code, area in self._areas.items():
            bare, folded = bare_name(area.name), fold(area.name)
            self._bare[code], self._folded[code] = bare, folded
            self._by_folded.setdefault(folded, []).append(code)
            self._by_bare.setdefault(bare, []).append(code)
        self._bare_keys = list(self._by_bare)

    @classmethod
    def from_config(cls, root: Any) -> AreaTree:
        """Build from the config's root node (a pydantic AreaNode or a plain mapping)."""
        areas: list[Area] = []
        stack: list[tuple[Any, str, tuple[str, ...]]] = [(root, "", ())]
        while stack:
            node, parent, above = stack.pop()
            code = str(_field(node, "code"))
            path = (*above, code)
            areas.append(
                Area(
                    code=code,
                    name=str(_field(node, "name")),
                    kind=str(_field(node, "kind")),
                    parent=parent,
                    path=path,
                )
            )
            children = _field(node, "children") or ()
            # Reversed so that pops come out in file order (a pre-order walk).
            stack.extend((child, code, path) for child in reversed(list(children)))
        return cls(areas)

    @property
    def root(self) -> Area:
        return self._root

    def __len__(self) -> int:
        return len(self._areas)

    def __contains__(self, code: object) -> bool:
        return code in self._areas

    def get(self, code: str) -> Area:
        """The area with `code`; KeyError if there is none."""
        try:
            return self._areas[code]
        except KeyError:
            msg = f"no area has the code {code!r}"
            raise KeyError(msg) from None

    def all(self) -> list[Area]:
        """Every area, parents before children, in the order of the config file."""
        return list(self._areas.values())

    def children(self, code: str) -> list[Area]:
        return [self._areas[c] for c in self._children[self.get(code).code]]

    def subtree(self, code: str) -> list[str]:
        """Codes of `code` and everything below it, in pre-order."""
        out: list[str] = []
        stack = [self.get(code).code]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(reversed(self._children[current]))
        return out

    def contains(self, ancestor: str, code: str) -> bool:
        """Whether `code` is `ancestor` or lies below it; False for unknown codes."""
        area = self._areas.get(code)
        return area is not None and ancestor in area.path

    def villages_under(self, code: str) -> list[Area]:
        return [a for c in self.subtree(code) if (a := self._areas[c]).kind == "village"]

    def find(self, text: str, *, limit: int | None = None) -> list[Area]:
        """Areas matching `text`, best first.

        Ranking: exact code; exact name (diacritics and case ignored); the same without a
        "thôn"/"xã"/… prefix; names starting with the text; names with a word starting with
        it; codes starting with it. Only if none of these match: close spellings (typos),
        closest first. Within a rank, file order.
        """
        query = text.strip()
        if not query:
            return []
        folded, bare = fold(query), bare_name(query)
        ranked: dict[str, None] = {}  # an ordered set of codes

        def add(codes: Iterable[str]) -> None:
            ranked.update(dict.fromkeys(codes))

        if query in self._areas:
            add([query])
        add(c for c in self._areas if c.casefold() == query.casefold())
        add(self._by_folded.get(folded, ()))
        add(self._by_bare.get(bare, ()))
        add(self._by_bare.get(folded, ()))
        add(c for c, name in self._bare.items() if name.startswith(bare))
        add(c for c, name in self._folded.items() if name.startswith(folded))
        add(c for c, name in self._bare.items() if f" {bare}" in f" {name}")
        if " " not in query:
            add(c for c in self._areas if c.casefold().startswith(query.casefold()))
        if not ranked and len(bare) >= 3:
            # Only when nothing matched as typed: a typo's neighbours would be noise otherwise.
            close = difflib.get_close_matches(
                bare, self._bare_keys, n=FUZZY_LIMIT, cutoff=FUZZY_CUTOFF
            )
            for key in close:
                add(self._by_bare[key])
        found = [self._areas[c] for c in ranked]
        return found if limit is None else found[:limit]
