"""Pushing a period's numbers to DHIS2: which report types and periods, the data value sets,
sending them, the audit trail, and the admins told what DHIS2 made of it (the CLI's
`dhis2 push` and the scheduler's daily job both come here)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.core import periods
from bot.core.errors import UserError
from bot.core.periods import Period
from bot.delivery.outbox import Message
from bot.delivery.sender import private_chat
from bot.features.dhis2.aggregates import Aggregate, aggregate
from bot.features.dhis2.client import Dhis2Client, Dhis2Error, ImportSummary, Post, server_name
from bot.features.dhis2.mapping import Dhis2Map
from bot.features.dhis2.payload import data_value_set
from bot.features.dhis2.summary import PushText

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.config.models import Config
    from bot.core.areas import AreaTree
    from bot.core.i18n import Translator
    from bot.core.models import Reminder
    from bot.features.audit.log import AuditLog
    from bot.features.dhis2.mapping import TypeMap
    from bot.features.reports.types import ReportType, ReportTypes
    from bot.store.base import Store

log = logging.getLogger(__name__)

# Errors that would stop every other data value set too: not worth trying the rest.
STOPPING = frozenset(
    {"dhis2.no_credentials", "dhis2.auth_failed", "dhis2.forbidden", "dhis2.unreachable",
     "dhis2.not_api"}
)  # fmt: skip
MAX_BACK = 40  # periods looked back at for late reports (a daily type's month and more)


@dataclass(frozen=True, slots=True)
class Batch:
    """One data value set: a report type's period, summed, and the JSON that carries it."""

    aggregate: Aggregate
    body: dict[str, Any]

    @property
    def type_code(self) -> str:
        return self.aggregate.type_code

    @property
    def period(self) -> str:
        return self.aggregate.period

    @property
    def empty(self) -> bool:
        return not self.aggregate.values


@dataclass(frozen=True, slots=True)
class Outcome:
    """What came of a batch: DHIS2's import summary, or the error that kept it from DHIS2
    (neither: nothing to send)."""

    batch: Batch
    summary: ImportSummary | None = None
    error: Dhis2Error | None = None

    @property
    def troubled(self) -> bool:
        """DHIS2 refused values, or all of them."""
        s = self.summary
        return s is not None and (bool(s.conflicts) or s.status == "ERROR")


def open_periods(rt: ReportType, today: date, *, current: bool) -> list[str]:
    """The periods of a type whose numbers may still change and have ended: those still taking
    late reports (through the day after their closing day, so the last day's reports go too);
    a type that never closes, the one just ended. `current`: the period under way as well.
    Oldest first."""
    now = periods.current_period(rt, today)
    keys: list[str] = []
    p = now
    for _ in range(MAX_BACK):
        p = p.previous()
        closing = periods.closing_day(rt, p)
        if closing is None:
            if not keys:
                keys.append(p.key)
            break
        if closing < today - timedelta(days=1):
            break
        keys.append(p.key)
    if current:
        keys.insert(0, now.key)
    return list(reversed(keys))


class Dhis2Push:
    """Plans, sends and reports pushes of the mapped report types to one DHIS2 server."""

    def __init__(
        self,
        *,
        store: Store,
        types: ReportTypes,
        mapping: Dhis2Map,
        client: Dhis2Client | None,
        text: PushText,
        audit: AuditLog,
        admins: Sequence[str],
        default_lang: str,
        tz: ZoneInfo,
        queue: Callable[[list[Message]], object],
        daily_current: bool = False,
    ) -> None:
        """`client` None: plans only (a dry run). `admins`: the config admins' account keys.
        `queue`: puts messages in the outbox (the running bot's, or the store's from the CLI)."""
        self.store = store
        self.types = types
        self.mapping = mapping
        self.client = client
        self.text = text
        self.audit = audit
        self.admins = list(admins)
        self.default_lang = default_lang
        self.tz = tz
        self.queue = queue
        self.daily_current = daily_current

    # --- what to send ---------------------------------------------------------------------

    def plan(self, period: Period, *, area: str | None = None) -> list[Batch]:
        """A batch per mapped type reported per `period`'s kind; `area`: only the units inside
        it or containing it. ValueError when no mapped type is reported per such a period."""
        chosen = [tm for tm in self.mapping.types if self._kind(tm) == period.kind]
        if not self.mapping.types:
            msg = "no report type is mapped to DHIS2: add `dhis2:` under one (docs/dhis2.md)"
            raise ValueError(msg)
        if not chosen:
            mapped = ", ".join(
                f"{tm.type_code} (per {self._kind(tm)})" for tm in self.mapping.types
            )
            msg = f"no report type mapped to DHIS2 is reported per {period.kind}; mapped: {mapped}"
            raise ValueError(msg)
        only = None if area is None else self.mapping.units.within(area)
        if only is not None and not only:
            msg = f"no area mapped to a DHIS2 organisation unit is in or around {area!r}"
            raise ValueError(msg)
        return [self._batch(tm, period.key, only) for tm in chosen]

    def daily_plan(self, today: date) -> list[Batch]:
        """Every mapped type's periods that have ended and may still change (see open_periods)."""
        batches = []
        for tm in self.mapping.types:
            rt = self.types.get(tm.type_code)
            if rt is None:
                continue
            for key in open_periods(rt, today, current=self.daily_current):
                batches.append(self._batch(tm, key, None))
        return batches

    def _kind(self, tm: TypeMap) -> str:
        rt = self.types.get(tm.type_code)
        return rt.period if rt else "?"

    def _batch(self, tm: TypeMap, period: str, only: set[str] | None) -> Batch:
        agg = aggregate(self.store.reports, tm, self.mapping.units, period, only=only)
        return Batch(agg, data_value_set(agg, tm, self.mapping.units))

    # --- sending --------------------------------------------------------------------------

    async def send(self, batches: Sequence[Batch], *, who: str, where: str) -> list[Outcome]:
        """Each batch with values to DHIS2, in order; an error that would stop the rest too
        (login, connection) marks them all as not sent. Each import is audited."""
        assert self.client is not None, "a dry run sends nothing"
        outcomes: list[Outcome] = []
        stop: Dhis2Error | None = None
        for batch in batches:
            if batch.empty:
                outcomes.append(Outcome(batch))
                continue
            if stop is not None:
                outcomes.append(Outcome(batch, error=stop))
                continue
            try:
                summary = await self.client.send(batch.body)
            except Dhis2Error as exc:
                log.warning("dhis2 push type=%s period=%s failed: %s", batch.type_code,
                            batch.period, exc.key)  # fmt: skip
                outcomes.append(Outcome(batch, error=exc))
                stop = exc if exc.key in STOPPING else None
                continue
            outcomes.append(Outcome(batch, summary=summary))
            self.audit.record(
                "dhis2.push", who=who, where=where, target=f"{batch.type_code}:{batch.period}",
                detail={"values": len(batch.aggregate.values), "imported": summary.imported,
                        "updated": summary.updated, "ignored": summary.ignored,
                        "deleted": summary.deleted, "conflicts": len(summary.conflicts)},
            )  # fmt: skip
            log.info(
                "dhis2 push type=%s period=%s values=%d imported=%d updated=%d ignored=%d "
                "deleted=%d conflicts=%d", batch.type_code, batch.period,
                len(batch.aggregate.values), summary.imported, summary.updated, summary.ignored,
                summary.deleted, len(summary.conflicts),
            )  # fmt: skip
        return outcomes

    def admin_messages(self, outcomes: Sequence[Outcome]) -> list[Message]:
        """The push in words, to each config admin's private chat, in their own language."""
        out = []
        for key in dict.fromkeys(self.admins):
            person = self.store.people.by_account(key)
            lang = (person.language if person else "") or self.default_lang
            out.append(
                Message(chat=private_chat(key), text=self.text.report(lang, outcomes), lang=lang,
                        recipient=person.id if person else None)
            )  # fmt: skip
        return out

    def tell_admins(self, outcomes: Sequence[Outcome]) -> int:
        messages = self.admin_messages(outcomes)
        if messages:
            self.queue(messages)
        return len(messages)

    # --- the daily job --------------------------------------------------------------------

    async def daily(self, rem: Reminder, moment: datetime) -> None:
        """The scheduler's firing: push the open periods, tell the admins what came of it
        (nothing to say when no period had a report)."""
        batches = self.daily_plan(moment.astimezone(self.tz).date())
        outcomes = await self.send(batches, who="system:dhis2", where="scheduler")
        if all(o.batch.empty for o in outcomes):
            log.info("dhis2 daily push: no report in the open periods, nothing sent")
            return
        try:
            self.tell_admins(outcomes)
        except UserError as exc:  # a Zalo quota that cannot cover it: the push itself is done
            log.warning("dhis2 daily push: admins not told: %s", exc.key)


def exit_status(outcomes: Sequence[Outcome]) -> str:
    """One of "failed" (a batch was not sent), "conflicts" (DHIS2 refused values), "ok"."""
    if any(o.error is not None for o in outcomes):
        return "failed"
    return "conflicts" if any(o.troubled for o in outcomes) else "ok"


def build_push(
    config: Config,
    store: Store,
    *,
    areas: AreaTree,
    types: ReportTypes,
    translate: Translator,
    audit: AuditLog,
    post: Post | None,
    queue: Callable[[list[Message]], object],
) -> Dhis2Push:
    """The push of `config.dhis2` (which must be set); `post` None: a dry run, no client."""
    section = config.dhis2
    assert section is not None
    mapping = Dhis2Map.from_config(section, config.report_types, areas)
    client = Dhis2Client(section, post) if post is not None else None
    return Dhis2Push(
        store=store, types=types, mapping=mapping, client=client,
        text=PushText(translate, types, mapping, server_name(section.base_url)), audit=audit,
        admins=[a.account for a in config.admin_entries()], default_lang=config.language,
        tz=config.tzinfo(), queue=queue, daily_current=section.daily_current,
    )  # fmt: skip
