"""Digests: the daily digest on demand (/tonghop) and as the scheduler's messages to
supervisors and configured groups, with its chart and the period's spreadsheet."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.core import periods
from bot.core.actor import Actor
from bot.core.errors import Forbidden, UserError
from bot.core.messages import ChatKind, ChatRef
from bot.core.models import Area, OutboxFile, Role
from bot.core.text import fold, split_text
from bot.delivery.outbox import Message
from bot.delivery.sender import chat_from_key, private_chat
from bot.features.broadcast.reach import private_account
from bot.features.digest.chart import PNG_MIME, completeness_png
from bot.features.digest.data import DigestBuilder, DigestData, units_of
from bot.features.digest.sheet_data import TypeSheet, type_sheets
from bot.features.export.chat import XLSX_MIME, Spreadsheet
from bot.features.reports.types import ReportType

if TYPE_CHECKING:
    from bot.config.models import DigestSection
    from bot.core.areas import AreaTree
    from bot.delivery.file_store import FileStore
    from bot.delivery.sender import Delivery
    from bot.features.digest.text import DigestText
    from bot.features.reports.service import Reports

log = logging.getLogger(__name__)

VIEWERS = (Role.OFFICER, Role.SUPERVISOR)
# Where a platform is not running in this process, its known limit splits the text.
TEXT_LIMITS = {"telegram": 4096, "zalo": 2000}
_RELATIVE = {"homnay": 0, "homqua": 1}  # folded, spaces dropped: days back from today
_DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class OnDemand:
    """What /tonghop answers: the text, the chart (PNG) and the period's spreadsheet."""

    data: DigestData
    text: str
    chart: bytes
    chart_name: str
    chart_caption: str
    sheet: Spreadsheet
    sheet_caption: str


@dataclass(slots=True)
class _Pack:
    """One area's digest for a daily run: numbers once, words and chart once per language."""

    data: DigestData
    texts: dict[str, str] = field(default_factory=dict)
    charts: dict[str, OutboxFile] = field(default_factory=dict)
    sheets: dict[str, tuple[OutboxFile, int]] = field(default_factory=dict)  # and its villages
    sheet_parts: tuple[TypeSheet, ...] | None = None  # the sheets' numbers, read once


class Digests:
    """The digest of an area for a day, for a person asking or for everyone it goes to daily."""

    def __init__(
        self,
        *,
        reports: Reports,
        text: DigestText,
        settings: DigestSection,
        default_lang: str,
        files: FileStore | None = None,
        delivery: Delivery | None = None,
    ) -> None:
        self.reports = reports
        self.store = reports.store
        self.areas = reports.areas
        self.text = text
        self.settings = settings
        self.default_lang = default_lang
        self.files = files
        self.delivery = delivery
        self.builder = DigestBuilder(store=reports.store, areas=reports.areas, tz=reports.tz)

    def types(self) -> list[ReportType]:
        """The report types of the digest (config.digest.report_types, or the default one)."""
        types = self.reports.types
        chosen = [t for code in self.settings.report_types if (t := types.get(code)) is not None]
        return chosen or [types.default]

    def build(self, area_code: str, on: date) -> DigestData:
        """The numbers of `area_code`'s digest as of the end of `on` (or now, if it is today)."""
        return self.builder.build(area_code, on, types=self.types(), now=self.reports.clock.now())

    # --- on demand -------------------------------------------------------------------------------

    async def on_demand(self, actor: Actor, args: str, *, lang: str) -> OnDemand:
        """`/tonghop [area] [date]`: default the actor's widest area and today."""
        area, on = self.request(actor, args)
        data = self.build(area.code, on)
        parts = self.sheet_parts(data)
        # Drawing and writing the workbook take a moment; the numbers are already read, so only
        # pixels and cells leave the loop.
        sheet = await asyncio.to_thread(self.spreadsheet, data, lang, parts)
        chart = await asyncio.to_thread(self.chart, data, lang)
        return OnDemand(
            data=data, text=self.text.render(data, lang), chart=chart,
            chart_name=self.chart_name(data), chart_caption=self.text.chart_caption(data, lang),
            sheet=sheet, sheet_caption=self.text.sheet_caption(data, lang, villages=sheet.rows),
        )  # fmt: skip

    def request(self, actor: Actor, args: str) -> tuple[Area, date]:
        """The area and day `args` name ("Xã Hương Sơn 20/11", "hom qua", ""), checked."""
        today = self.reports.today()
        words = args.split()
        on = today
        folded = [fold(w) for w in words]
        try:
            for size in (2, 1):  # "hôm qua", "homqua", "hôm nay"
                if len(folded) >= size and "".join(folded[-size:]) in _RELATIVE:
                    back = _RELATIVE["".join(folded[-size:])]
                    on, words = today - timedelta(days=back), words[:-size]
                    break
            else:
                if words and _DATE.fullmatch(folded[-1]):
                    on, words = self._day(folded[-1], today), words[:-1]
                    if folded[-2:-1] == ["ngay"]:
                        words = words[:-1]
        except periods.PeriodError as exc:
            raise UserError("digest.usage") from exc
        if on > today:
            raise UserError("digest.usage")
        return self._area(actor, " ".join(words)), on

    @staticmethod
    def _day(word: str, today: date) -> date:
        if len(word) == 10 and word[4] == "-":
            try:
                return date.fromisoformat(word)
            except ValueError:
                raise periods.PeriodError(word, "invalid") from None
        found = periods.match_period_words(["ngay", word], today=today)
        assert found is not None and found.day is not None
        return found.day

    def _area(self, actor: Actor, text: str) -> Area:
        if text.strip():
            return self.reports.viewed_area(actor, text)
        own = [self.areas.get(c) for c in actor.areas_of(VIEWERS) if c in self.areas]
        area = min(own, key=lambda a: len(a.path)) if own else self.areas.root
        if not actor.covers(self.areas, area.code, VIEWERS):
            raise Forbidden("report.not_your_area", area=area.name)
        return area

    # --- the chart and the spreadsheet -------------------------------------------------------

    def chart(self, data: DigestData, lang: str) -> bytes:
        """Completeness per unit as a PNG (one bar per unit and report type)."""
        units = units_of(self.areas, data.area)
        series = [
            (part.type.name(lang), [(u.reported, u.expected) for u in part.units])
            for part in data.types
        ]
        return completeness_png(
            [u.name for u in units], series, title=self.text.chart_title(data, lang),
            axis=self.text.chart_axis(lang),
        )  # fmt: skip

    @staticmethod
    def chart_name(data: DigestData) -> str:
        return f"tong-hop-{data.area.code}-{data.on.isoformat()}.png"

    def sheet_parts(self, data: DigestData) -> tuple[TypeSheet, ...]:
        """The numbers of the digest's spreadsheet: every report type (the digest's first, then
        the others), each for its period on the digest's day as it stood at the cutoff."""
        chosen = [p.type for p in data.types]
        chosen += [t for t in self.reports.types if t not in chosen]
        return type_sheets(self.builder, data.area, data.on, data.cutoff, chosen)

    def spreadsheet(
        self, data: DigestData, lang: str, parts: tuple[TypeSheet, ...] | None = None
    ) -> Spreadsheet:
        """The digest as the XLSX a supervisor would build by hand, in `lang`: a sheet per
        report type, every village of the area, subtotals (see digest.sheet). `parts`: the
        numbers if already read (sheet_parts); the store is not read then."""
        from bot.features.digest.sheet import workbook_bytes  # openpyxl loads only when needed

        parts = self.sheet_parts(data) if parts is None else parts
        book = workbook_bytes(
            parts, area=data.area, cutoff=data.cutoff, lang=lang, tz=self.reports.tz,
            t=lambda key, **params: self.text.t(lang, key, **params),
        )  # fmt: skip
        name = f"tong-hop-{data.area.code}-{data.on.isoformat()}.xlsx"
        villages = parts[0].villages if parts else 0
        return Spreadsheet(name, book, villages, data.on.isoformat(), data.area.name)

    # --- daily -----------------------------------------------------------------------------------

    def daily_messages(self, on: date) -> list[Message]:
        """For every active supervisor (privately, in their language) and every group bound to
        an area of config.digest.groups: the text in parts under the platform's limit, then the
        chart as a photo and the spreadsheet as a document. Nothing is sent here."""
        if self.files is None or self.delivery is None:
            msg = "daily digests need the file store and the delivery layer"
            raise RuntimeError(msg)
        try:
            self.types()
        except UserError:  # a deployment without report types has no digest to send
            log.info("digest: no report types configured, nothing to send")
            return []
        packs: dict[str, _Pack] = {}
        out: list[Message] = []
        running = set(self.delivery.platforms)
        for person in self.store.people.all():
            codes = [g.area for g in person.roles
                     if g.role is Role.SUPERVISOR and g.area in self.areas]  # fmt: skip
            if not person.active or not codes:
                continue
            account = private_account(person, running)
            if not account:
                log.info("digest: supervisor %s has no reachable private chat", person.id)
                continue
            lang = person.language or self.default_lang
            for code in _widest(self.areas, codes):
                pack = self._pack(packs, code, on)
                out += self._messages(private_chat(account), pack, lang, recipient=person.id)
        for code in self.settings.groups:
            if code not in self.areas:
                log.warning("digest: config.digest.groups names unknown area %s", code)
                continue
            for group in self.store.groups.all():
                if group.active and group.area == code:
                    chat = chat_from_key(group.chat_key, ChatKind.GROUP)
                    pack = self._pack(packs, code, on)
                    out += self._messages(chat, pack, self.default_lang, recipient=None)
        return out

    def _pack(self, packs: dict[str, _Pack], code: str, on: date) -> _Pack:
        if code not in packs:
            packs[code] = _Pack(self.build(code, on))
        return packs[code]

    def _messages(
        self, chat: ChatRef, pack: _Pack, lang: str, *, recipient: int | None
    ) -> list[Message]:
        assert self.files is not None and self.delivery is not None
        data = pack.data
        if lang not in pack.texts:
            pack.texts[lang] = self.text.render(data, lang)
            png = self.chart(data, lang)
            stored = self.files.put(png, name=self.chart_name(data), mime=PNG_MIME, owner=None)
            pack.charts[lang] = OutboxFile(stored.id, stored.name, "photo", PNG_MIME)
        if lang not in pack.sheets:
            if pack.sheet_parts is None:
                pack.sheet_parts = self.sheet_parts(data)
            sheet = self.spreadsheet(data, lang, pack.sheet_parts)
            stored = self.files.put(sheet.data, name=sheet.name, mime=XLSX_MIME, owner=None)
            kept = OutboxFile(stored.id, stored.name, "document", XLSX_MIME)
            pack.sheets[lang] = (kept, sheet.rows)
        caps = self.delivery.caps(chat)
        limit = caps.max_text if caps else TEXT_LIMITS.get(chat.platform, 2000)
        parts = split_text(pack.texts[lang], limit)
        out = [Message(chat, part, lang=lang, recipient=recipient) for part in parts]
        out.append(Message(chat, self.text.chart_caption(data, lang), file=pack.charts[lang],
                           lang=lang, recipient=recipient))  # fmt: skip
        sheet_file, villages = pack.sheets[lang]
        caption = self.text.sheet_caption(data, lang, villages=villages)
        out.append(Message(chat, caption, file=sheet_file, lang=lang, recipient=recipient))
        return out


def _widest(areas: AreaTree, codes: list[str]) -> list[str]:
    """The codes not inside another of them, in order, each once."""
    unique = list(dict.fromkeys(codes))
    return [c for c in unique if not any(o != c and areas.contains(o, c) for o in unique)]
