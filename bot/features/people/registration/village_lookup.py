"""What a newcomer typed after /dangky, read as one village of the tree, or the choice to ask.

People type the village alone ("to dan pho 4"), the village and its commune with a comma
("Tổ dân phố 4, Bắc Hồng Lĩnh") or without one ("Tổ dân phố 4 Bắc Hồng Lĩnh"), the commune
alone, with or without diacritics. A name that several communes share is never guessed: the
commune is asked first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.areas import bare_name
from bot.core.text import fold

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.core.models import Area

VILLAGE = "village"
MAX_WORDS = 16  # a village and its commune, typed out in full, never take more


@dataclass(frozen=True, slots=True)
class Lookup:
    """One village (`village`), or what to ask: a village of `commune` (among `villages`, or
    all of its villages when empty), or first which of `communes` (with, per commune code, the
    villages that matched there). Nothing set: nothing matched."""

    village: Area | None = None
    commune: Area | None = None
    villages: tuple[Area, ...] = ()
    communes: tuple[Area, ...] = ()
    matches: dict[str, tuple[str, ...]] = field(default_factory=dict)
    missing: str = ""  # the village part that named no village of the commune(s) given


def communes_of(areas: AreaTree) -> list[Area]:
    """The areas that hold villages (communes and wards, whatever the depth), in tree order."""
    seen = dict.fromkeys(a.parent for a in areas.all() if a.kind == VILLAGE and a.parent)
    return [areas.get(code) for code in seen]


def example(areas: AreaTree) -> str:
    """A registration line from this deployment's own tree: "Tổ dân phố 1, Phường Bắc Hồng
    Lĩnh" (never a name the tree does not have)."""
    village = next((a for a in areas.all() if a.kind == VILLAGE), None)
    if village is None:
        return areas.root.name
    return label(areas, village)


def label(areas: AreaTree, area: Area) -> str:
    """A village with its commune ("Tổ dân phố 4, Phường Bắc Hồng Lĩnh"): village names
    repeat from one commune to the next."""
    if area.kind != VILLAGE or not area.parent or area.parent not in areas:
        return area.name
    return f"{area.name}, {areas.get(area.parent).name}"


def same(area: Area, text: str) -> bool:
    """Whether `text` names exactly this area (its code, or its name with or without the
    kind word, any case and diacritics)."""
    text = text.strip()
    return (
        area.code == text
        or fold(area.name) == fold(text)
        or bare_name(area.name) == bare_name(text)
    )


def villages_matching(areas: AreaTree, text: str, *, within: Area | None = None) -> list[Area]:
    """Villages `text` names (inside `within` if given): the exact ones if any, else every
    partial or close match, best first."""
    found = [
        a
        for a in areas.find(text)
        if a.kind == VILLAGE and (within is None or areas.contains(within.code, a.code))
    ]
    exact = [a for a in found if same(a, text)]
    return exact or found


def communes_matching(areas: AreaTree, text: str) -> list[Area]:
    """Communes `text` names: the exact ones if any, else partial or close matches."""
    if not text.strip():
        return []
    holders = {a.code for a in communes_of(areas)}
    found = [a for a in areas.find(text) if a.code in holders]
    named = [a for a in found if same(a, text)]
    return named or found


def lookup(areas: AreaTree, text: str) -> Lookup:
    """Read `text` as a village, or say what to ask next (see Lookup)."""
    text = text.strip().strip(".,;").strip()
    if not text:
        return Lookup()
    if "," in text:
        left, right = (p.strip() for p in text.rsplit(",", 1))
        for village_part, commune_part in ((left, right), (right, left)):
            communes = communes_matching(areas, commune_part)
            if communes and village_part:
                return within(areas, village_part, communes)
        text = " ".join(text.replace(",", " ").split())
    villages = villages_matching(areas, text)
    exact = [v for v in villages if same(v, text)]
    if len(exact) == 1:
        return Lookup(village=exact[0])
    split = _split(areas, text)
    if split is not None:
        return Lookup(village=split)
    named = [c for c in communes_of(areas) if same(c, text)]
    if len(named) == 1 and not exact:
        return Lookup(commune=named[0])  # "Hồng Lộc": the commune, not its "Xóm Hồng Lộc 1…5"
    if villages:
        return _grouped(areas, villages)  # one close match too: it is confirmed, not guessed
    communes = communes_matching(areas, text)
    if len(communes) == 1:
        return Lookup(commune=communes[0])
    return Lookup(communes=tuple(communes))


def within(areas: AreaTree, text: str, communes: list[Area]) -> Lookup:
    """`text` as a village of one of `communes`; when it names none there, ask a village of
    the commune (or which commune, when several were named)."""
    hits: dict[str, list[Area]] = {}
    for commune in communes:
        found = villages_matching(areas, text, within=commune)
        if found:
            hits[commune.code] = found
    if not hits:
        if len(communes) == 1:
            return Lookup(commune=communes[0], missing=text)
        return Lookup(communes=tuple(communes), missing=text)
    found = [v for villages in hits.values() for v in villages]
    if len(found) == 1 and same(found[0], text):
        return Lookup(village=found[0])
    return _grouped(areas, found)


def _grouped(areas: AreaTree, villages: list[Area]) -> Lookup:
    """Villages of one commune to choose from (one that only looks like what was typed is
    asked too); or, across communes, which commune first."""
    by_commune: dict[str, list[Area]] = {}
    for village in villages:
        by_commune.setdefault(village.parent, []).append(village)
    if len(by_commune) == 1:
        commune = areas.get(villages[0].parent)
        return Lookup(commune=commune, villages=tuple(villages))
    return Lookup(
        communes=tuple(areas.get(code) for code in by_commune),
        matches={code: tuple(v.code for v in found) for code, found in by_commune.items()},
    )


def _split(areas: AreaTree, text: str) -> Area | None:
    """ "Tổ dân phố 4 Bắc Hồng Lĩnh" without a comma: the one village that some cut of the
    words into an exact village name and an exact commune name (either order) gives."""
    words = text.split()
    if len(words) > MAX_WORDS:
        return None
    communes = communes_of(areas)
    found: dict[str, Area] = {}
    for cut in range(1, len(words)):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        for village_part, commune_part in ((head, tail), (tail, head)):
            for commune in (c for c in communes if same(c, commune_part)):
                for village in areas.children(commune.code):
                    if village.kind == VILLAGE and same(village, village_part):
                        found[village.code] = village
    return next(iter(found.values())) if len(found) == 1 else None
