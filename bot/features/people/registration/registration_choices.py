"""The questions of /dangky: which commune, then which village, as numbered choices a page at a
time (number buttons on Telegram; on Zalo the numbers are typed), kept in the prompt's data so
that a page, a typed number and a pressed button all mean the same thing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.core.messages import Button
from bot.core.text import fold
from bot.features.people.registration.village_lookup import Lookup, communes_of, example

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.core.models import Area

KIND = "register.pick"  # the prompt's kind (the name predates the choices; stored prompts keep it)
CALLBACK = "rg"  # button data: rg:<area code>, rg:+ (next page), rg:- (back to the communes)
PAGE = 10
PER_ROW = 5
MORE, BACK = "+", "-"
MORE_TYPED, BACK_TYPED = "tiep", "0"
_MORE_WORDS = {"tiep", "xem them", "them", "trang sau", "sau", "next", "more", "+"}
_BACK_WORDS = {"0", "quay lai", "lai", "back", "-"}

Translate = Callable[..., str]
Buttons = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Question:
    """One question to put: its text, its buttons and the prompt data that answers it."""

    text: str
    buttons: Buttons
    data: dict[str, Any]


def answer_kind(text: str) -> str:
    """What a typed answer asks for: "more" (the next page), "back" or "" (anything else)."""
    folded = fold(text)
    if folded in _MORE_WORDS:
        return "more"
    return "back" if folded in _BACK_WORDS else ""


class RegistrationChoices:
    """Builds the questions from the area tree; holds no state of its own."""

    def __init__(self, areas: AreaTree) -> None:
        self.areas = areas

    def example(self) -> str:
        return example(self.areas)

    def communes(self, t: Translate, *, not_found: str = "") -> Question:
        """Every commune (or only its villages when the tree has one commune)."""
        all_communes = communes_of(self.areas)
        if len(all_communes) == 1:
            return self.villages(t, all_communes[0], not_found=not_found)
        head = [["register.no_village", {"text": not_found}]] if not_found else []
        head.append(["register.ask_commune", {}])
        return self.render(
            t, {"step": "commune", "codes": [c.code for c in all_communes], "head": head,
                "hint": True, "page": 0},
        )  # fmt: skip

    def for_lookup(self, t: Translate, found: Lookup, text: str) -> Question:
        """The question a lookup that found no single village leads to."""
        if found.commune is not None:
            if found.villages:
                close = len(found.villages) == 1  # only looks like it: confirmed, not guessed
                head = ["register.pick_close", {"text": text}] if close else ["register.pick", {}]
                return self.render(
                    t, {"step": "village", "codes": [v.code for v in found.villages],
                        "head": [head], "parent": True, "page": 0},
                )  # fmt: skip
            return self.villages(t, found.commune, not_found=found.missing)
        if found.communes:
            key = "register.which_commune" if found.matches else "register.ask_commune"
            head = [[key, {"text": text, "count": len(found.communes)}]]
            if found.missing:
                head.insert(0, ["register.no_village", {"text": found.missing}])
            return self.render(
                t, {"step": "commune", "codes": [c.code for c in found.communes], "head": head,
                    "matches": {k: list(v) for k, v in found.matches.items()}, "page": 0},
            )  # fmt: skip
        return self.communes(t, not_found=text)

    def villages(self, t: Translate, commune: Area, *, not_found: str = "") -> Question:
        """Every village of `commune`, with a way back to the communes when there are several."""
        head = [["register.not_in_commune", {"text": not_found, "commune": commune.name}]]
        if not not_found:
            head = []
        head.append(["register.ask_village", {"commune": commune.name}])
        codes = [a.code for a in self.areas.children(commune.code) if a.kind == "village"]
        back = len(communes_of(self.areas)) > 1
        return self.render(
            t, {"step": "village", "codes": codes, "head": head, "back": back,
                "commune": commune.code, "page": 0},
        )  # fmt: skip

    def after_commune(self, t: Translate, data: dict[str, Any], commune: Area) -> Area | Question:
        """A commune was chosen: the one village that matched there, or its villages to pick."""
        matched = [c for c in data.get("matches", {}).get(commune.code, []) if c in self.areas]
        if len(matched) == 1:
            return self.areas.get(matched[0])
        if matched:
            return self.render(
                t, {"step": "village", "codes": matched, "head": [["register.pick", {}]],
                    "parent": True, "page": 0},
            )  # fmt: skip
        return self.villages(t, commune)

    def render(self, t: Translate, data: dict[str, Any]) -> Question:
        """The question of `data` at its page: the heading, the numbered options of that page,
        the page count; number buttons, and the next page and back buttons with typed twins."""
        codes = [c for c in data["codes"] if c in self.areas]
        pages = max(1, -(-len(codes) // PAGE))
        page = min(max(int(data.get("page", 0)), 0), pages - 1)
        data = {**data, "codes": codes, "page": page}
        lines = [t(key, **params) for key, params in data.get("head", [])]
        numbers: list[Button] = []
        for n in range(page * PAGE + 1, min((page + 1) * PAGE, len(codes)) + 1):
            area = self.areas.get(codes[n - 1])
            line = f"{n}. {area.name}"
            if data.get("parent") and area.parent in self.areas:
                line += f" – {self.areas.get(area.parent).name}"
            lines.append(line)
            numbers.append(Button(str(n), f"{CALLBACK}:{area.code}"))
        if pages > 1:
            lines.append(t("register.page", page=page + 1, pages=pages))
        if data.get("hint"):
            lines.append(t("register.usage", example=self.example()))
        rows = [tuple(numbers[i : i + PER_ROW]) for i in range(0, len(numbers), PER_ROW)]
        if page + 1 < pages:
            rows.append((Button(t("register.more_button"), f"{CALLBACK}:{MORE}", MORE_TYPED),))
        if data.get("back"):
            rows.append((Button(t("register.back_button"), f"{CALLBACK}:{BACK}", BACK_TYPED),))
        return Question("\n".join(lines), tuple(rows), data)
