"""The page of /duyet: pending registrations of the officer's area, oldest first, a page at a
time, with the buttons (typed twins on Zalo) to the page before and after."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.core.messages import Button

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.features.people.registration.registrations import PendingItem

# Button data of approvals: ap:ok:<n> approves registration n (the notice), ap:no:<n> refuses
# it, ap:p:<page> shows a page of /duyet.
CALLBACK = "ap"
PAGE = 20  # lines of one page: a Zalo message (2,000 characters) holds them with room to spare
TYPED_PAGE = "/duyet trang {page}"

Translate = Callable[..., str]
Buttons = tuple[tuple[Button, ...], ...]


def pages(count: int) -> int:
    return max(1, -(-count // PAGE))


def render(
    t: Translate, areas: AreaTree, items: Sequence[PendingItem], page: int
) -> tuple[str, Buttons, int]:
    """The text and buttons of page `page` (1-based, kept within the pages there are), and
    that page's number."""
    last = pages(len(items))
    page = min(max(page, 1), last)
    lines = [t("approve.list_header", count=len(items))]
    for item in items[(page - 1) * PAGE : page * PAGE]:
        parent = areas.get(item.area.parent).name if item.area.parent in areas else ""
        lines.append(
            t("approve.item", n=item.registration.id, name=item.person.name,
              area=item.area.name, parent=parent)
        )  # fmt: skip
    if last > 1:
        lines.append(t("approve.page", page=page, pages=last))
    lines.append(t("approve.how"))
    nav: list[Button] = []
    if page > 1:
        nav.append(_page_button(t("approve.page_before"), page - 1))
    if page < last:
        nav.append(_page_button(t("approve.page_after"), page + 1))
    return "\n".join(lines), ((tuple(nav),) if nav else ()), page


def _page_button(label: str, page: int) -> Button:
    return Button(label, f"{CALLBACK}:p:{page}", TYPED_PAGE.format(page=page))
