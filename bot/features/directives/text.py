"""The words of directives: the message itself, its button, the preview, status and chases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.messages import Button
from bot.core.models import Area, Directive
from bot.features.broadcast.wording import excerpt, names, reach_lines

if TYPE_CHECKING:
    from bot.core.i18n import Translator
    from bot.features.broadcast.reach import ReachPreview

MAX_ROWS = 40  # units listed in a status; the rest are counted


@dataclass(frozen=True, slots=True)
class Preview:
    """What a directive would do, shown before /xacnhan."""

    targets: tuple[Area, ...]
    text: str
    deadline: datetime | None
    file_name: str
    reach: ReachPreview


@dataclass(slots=True)
class UnitRow:
    """One commune (or whatever lies one level below the target) in a directive's status."""

    area: Area
    groups: int = 0
    groups_sent: int = 0
    groups_lost: int = 0
    private: int = 0
    private_sent: int = 0
    expected: int = 0
    acked: int = 0
    missing: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StatusView:
    directive: Directive
    author: str
    messages: int
    sent: int
    pending: int
    expected: int
    acked: int
    groups: int
    groups_acked: int
    rows: list[UnitRow]


class DirectiveText:
    """Renders directive texts in a person's language, with dates in the deployment's zone."""

    def __init__(self, translate: Translator, tz: ZoneInfo) -> None:
        self.t = translate
        self.tz = tz

    def when(self, moment: datetime) -> str:
        local = moment.astimezone(self.tz)
        return local.strftime("%d/%m/%Y %H:%M")

    def message(self, lang: str, d: Directive, author: str) -> str:
        t = self.t
        lines = [t(lang, "directive.message", number=d.id, author=author), "", d.text]
        if d.deadline is not None:
            lines += ["", t(lang, "directive.deadline_line", deadline=self.when(d.deadline))]
        return "\n".join(lines)

    def ack_button(self, lang: str, number: int, done: int = 0, total: int = 0) -> Button:
        label = (
            self.t(lang, "directive.ack_button_count", done=done, total=total)
            if total
            else self.t(lang, "directive.ack_button")
        )
        return Button(label, f"ack:{number}", typed=f"ok {number}")

    def preview(self, lang: str, p: Preview, *, minutes: int) -> str:
        t = self.t
        where = ", ".join(a.name for a in p.targets)
        lines = [t(lang, "directive.preview_header", targets=where), "", p.text]
        if p.deadline is not None:
            lines += ["", t(lang, "directive.deadline_line", deadline=self.when(p.deadline))]
        if p.file_name:
            lines.append(t(lang, "directive.preview_file", name=p.file_name))
        lines.append("")
        lines += reach_lines(t, lang, p.reach, kind="directive")
        lines += ["", t(lang, "directive.preview_confirm", minutes=minutes)]
        return "\n".join(lines)

    def status(self, lang: str, s: StatusView) -> str:
        t = self.t
        d = s.directive
        lines = [
            t(lang, "status.header", number=d.id, sent=self.when(d.created_at),
              author=s.author, excerpt=excerpt(d.text)),
        ]  # fmt: skip
        if d.deadline is not None:
            lines.append(t(lang, "directive.deadline_line", deadline=self.when(d.deadline)))
        percent = round(100 * s.acked / s.expected) if s.expected else 0
        lines.append(
            t(lang, "status.totals", sent=s.sent, total=s.messages, acked=s.acked,
              expected=s.expected, percent=percent)
        )  # fmt: skip
        if s.groups:
            lines.append(t(lang, "status.groups", acked=s.groups_acked, total=s.groups))
        if s.pending:
            lines.append(t(lang, "status.pending", count=s.pending))
        for row in s.rows[:MAX_ROWS]:
            lines.append(self._row(lang, row))
        if len(s.rows) > MAX_ROWS:
            lines.append(t(lang, "directive.and_more", count=len(s.rows) - MAX_ROWS))
        return "\n".join(lines)

    def _row(self, lang: str, row: UnitRow) -> str:
        t = self.t
        parts = []
        if row.groups:
            mark = "✅" if row.groups_sent == row.groups else ("✖" if row.groups_lost else "…")
            parts.append(t(lang, "status.row_groups", sent=row.groups_sent, total=row.groups,
                           mark=mark))  # fmt: skip
        if row.private:
            parts.append(t(lang, "status.row_private", sent=row.private_sent, total=row.private))
        parts.append(t(lang, "status.row_acked", acked=row.acked, expected=row.expected))
        lines = [f"• {row.area.name}: " + " · ".join(parts)]
        if row.missing:
            lines.append("   " + t(lang, "status.missing", names=names(row.missing, t, lang)))
        if row.unreachable:
            lines.append(
                "   " + t(lang, "status.unreachable", names=names(row.unreachable, t, lang))
            )
        return "\n".join(lines)
