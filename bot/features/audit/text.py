"""The audit trail in words for /nhatky: one line per entry, newest first, split to fit a chat.

A line reads: time (local, dd/mm HH:MM) · who (the person's name when known) · what (a label per
action, else the action code) and on what · where (a group's area, a private chat, the server).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.core.admin_records import AuditEntry
from bot.core.models import Role
from bot.core.text import split_text

if TYPE_CHECKING:
    from bot.core.areas import AreaTree
    from bot.core.i18n import Translator
    from bot.store.base import Store

DEFAULT_LINES, MAX_LINES = 20, 100
# Targets "<kind>:<number>" that the trail names by a numbered thing (directive 4, reminder 2…).
NUMBERED = (
    "directive", "survey", "reminder", "clarification", "handbook", "registration", "report",
)  # fmt: skip
MAX_AREAS = 3  # a directive to many communes names the first few and counts the rest


class AuditText:
    """Renders audit entries for admins, looking names up in the store at the time of reading."""

    def __init__(self, translate: Translator, tz: ZoneInfo, areas: AreaTree, store: Store) -> None:
        self.t = translate
        self.tz = tz
        self.areas = areas
        self.store = store

    def parts(self, entries: Iterable[AuditEntry], lang: str, *, limit: int) -> list[str]:
        """The header and one line per entry, newest first, in parts of at most `limit`."""
        newest = sorted(entries, key=lambda e: e.id, reverse=True)
        if not newest:
            return [self.t(lang, "audit.none")]
        lines = [self.t(lang, "audit.header", count=len(newest))]
        lines += [self.line(e, lang) for e in newest]
        return split_text("\n".join(lines), limit)

    def line(self, e: AuditEntry, lang: str, *, time_format: str = "%d/%m %H:%M") -> str:
        target = self.target(e, lang)
        return self.t(
            lang,
            "audit.line",
            time=e.at.astimezone(self.tz).strftime(time_format),
            who=self.who(e.who, lang),
            what=self.what(e.action, lang),
            target=f": {target}" if target else "",
            where=self.where(e.where, lang),
        )

    def what(self, action: str, lang: str) -> str:
        key = f"audit.action.{action}"
        return self.t(lang, key) if self.t.has(key) else action

    def who(self, who: str, lang: str) -> str:
        kind, _, rest = who.partition(":")
        if kind == "person":
            return self._person(rest)
        if kind == "cli":
            return self.t(lang, "audit.who_cli", user=rest)
        if kind == "system":
            return self.t(lang, "audit.who_system")
        return rest if kind == "account" and rest else who

    def where(self, where: str, lang: str) -> str:
        if where == "cli":
            return self.t(lang, "audit.where_cli")
        if where in ("start", "system", "scheduler"):
            return self.t(lang, "audit.where_system")
        if where.count(":") < 2:  # not a chat key
            return where
        binding = self.store.groups.get(where)
        if binding is not None:
            return self.t(lang, "audit.where_group", area=self._area(binding.area))
        return self.t(lang, "audit.where_private")

    def target(self, e: AuditEntry, lang: str) -> str:
        """What the action acted on, then what the detail says of it in words (role, areas,
        period); never message text, which the trail does not keep."""
        main = self._thing(e.target, lang) if e.target else ""
        extra = self._extras(e.detail, lang, skip=e.target)
        if main and extra:
            return f"{main} ({extra})"
        return main or extra

    def _thing(self, target: str, lang: str) -> str:
        kind, _, rest = target.partition(":")
        if kind == "person" and rest:
            return self._person(rest)
        if kind in NUMBERED and rest.isdigit():
            return self.t(lang, f"audit.target.{kind}", n=rest)
        if target in self.areas:
            return self.areas.get(target).name
        return target

    def _extras(self, detail: Mapping[str, Any], lang: str, *, skip: str) -> str:
        words: list[str] = []
        role = detail.get("role")
        if isinstance(role, str) and role:
            words.append(", ".join(self._role(r, lang) for r in role.split(",")))
        codes = detail.get("areas")
        codes = [detail["area"]] if isinstance(detail.get("area"), str) else codes
        if isinstance(codes, list):
            named = [self._area(c) for c in codes if isinstance(c, str) and c != skip]
            if len(named) > MAX_AREAS:
                more = self.t(lang, "audit.more", n=len(named) - MAX_AREAS)
                named = [*named[:MAX_AREAS], more]
            words.extend(named)
        if isinstance(detail.get("period"), str):
            words.append(detail["period"])
        return ", ".join(words)

    def _person(self, raw: str) -> str:
        person = self.store.people.get(int(raw)) if raw.isdigit() else None
        return person.name if person is not None else f"#{raw}"

    def _area(self, code: str) -> str:
        return self.areas.get(code).name if code in self.areas else code

    def _role(self, value: str, lang: str) -> str:
        try:
            return self.t(lang, f"role.{Role(value).name.lower()}")
        except ValueError:
            return value


def wanted_lines(args: str) -> int | None:
    """`/nhatky [n]`: how many lines (default 20, at most 100); None when `args` is not that."""
    text = args.strip()
    if not text:
        return DEFAULT_LINES
    if not text.isdigit() or not 1 <= int(text) <= MAX_LINES:
        return None
    return int(text)
