"""`python -m bot dhis2 push --period 2026-11 [--area CODE] [--dry-run]`: send a period's numbers
of the mapped report types to DHIS2, print DHIS2's import summary, and tell the config admins
(in their chats, when the bot next runs: the messages wait in the outbox).

Runs on a stopped bot, as the other offline commands do (the bot locks its data while it runs;
it pushes by itself at dhis2.daily_at)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

from bot.cli.common import FAILED, OK, USAGE, area_code, config_or_none, err, open_for_cli
from bot.core.areas import AreaTree
from bot.core.clock import Clock, SystemClock
from bot.core.i18n import Translator
from bot.core.models import OutboxItem, OutboxStatus
from bot.delivery.outbox import Message
from bot.features.audit.log import AuditLog, cli_who
from bot.features.dhis2.client import Post
from bot.features.dhis2.payload import read_period
from bot.features.dhis2.service import build_push, exit_status
from bot.features.reports.types import ReportTypes
from bot.store import Store

# Exit codes: 0 sent, DHIS2 took every value (or a dry run); 1 not sent (login, connection,
# DHIS2's error) or the data cannot be opened; 2 wrong arguments or config; 3 the bot is
# running; 4 sent, but DHIS2 refused some values (the conflicts are printed).
CONFLICTS = 4
_CODES = {"ok": OK, "failed": FAILED, "conflicts": CONFLICTS}


def run_dhis2_push(
    *,
    period: str,
    area: str | None = None,
    dry_run: bool = False,
    config_path: str | None = None,
    environ: Mapping[str, str] = os.environ,
) -> int:
    """The command: an exit code."""
    return asyncio.run(
        dhis2_push(
            period=period, area=area, dry_run=dry_run, config_path=config_path, environ=environ
        )
    )


async def dhis2_push(
    *,
    period: str,
    area: str | None = None,
    dry_run: bool = False,
    config_path: str | None = None,
    environ: Mapping[str, str] = os.environ,
    post: Post | None = None,
    clock: Clock | None = None,
    out: TextIO | None = None,
) -> int:
    """Push `period` (2026-11 or 202611, 2026-W45, 2026-Q4, 2026-11-24) to DHIS2; an exit code.
    `area`: a code or a name naming one area. The summary goes to stdout, problems to stderr.
    `post`: the HTTP (default: bot/platforms/http_post)."""
    out = out or sys.stdout
    config = config_or_none(config_path, environ)
    if config is None:
        return USAGE
    if config.dhis2 is None:
        err("The config has no `dhis2:` section: add base_url and org_units (docs/dhis2.md).")
        return USAGE
    if not config.report_types:
        err("The config has no report_types: there is nothing to send.")
        return USAGE
    areas = AreaTree.from_config(config.areas)
    types = ReportTypes.from_config(
        config.report_types, default=config.default_report_type,
        workdays=config.holidays.calendar(),
    )  # fmt: skip
    try:
        wanted = read_period(period)
        code = None if area is None else area_code(areas, area)
    except ValueError as exc:
        err(str(exc))
        return USAGE
    if post is None and not dry_run:
        from bot.platforms.http_post import post as http_post

        post = http_post
    opened = open_for_cli(
        config,
        while_running="It pushes by itself at dhis2.daily_at; or stop it, push, and start it "
        "again (the admins' messages go out then).",
    )
    if isinstance(opened, int):
        return opened
    store = opened
    clock = clock or SystemClock()
    translate = Translator(config.language, headings=config.directives.heading.by_language())
    try:
        push = build_push(
            config, store, areas=areas, types=types, translate=translate,
            audit=AuditLog(store=store, clock=clock), post=None if dry_run else post,
            queue=lambda messages: _queue(store, messages, clock),
        )  # fmt: skip
        try:
            batches = push.plan(wanted, area=code)
        except ValueError as exc:
            err(str(exc))
            return USAGE
        if dry_run:
            print(push.text.dry_run(config.language, batches), file=out)
            return OK
        outcomes = await push.send(batches, who=cli_who(), where="cli")
        print(push.text.report(config.language, outcomes), file=out)
        if any(not o.batch.empty for o in outcomes):
            told = push.tell_admins(outcomes)
            if told:
                print(f"({told} admin(s) will be told in chat when the bot starts.)", file=out)
        return _CODES[exit_status(outcomes)]
    finally:
        store.close()


def _queue(store: Store, messages: Sequence[Message], clock: Clock) -> None:
    """Put messages in the store's outbox, as one job: the bot sends them when it starts."""
    now = clock.now()
    with store.atomic():
        job = store.outbox.add_job(kind="dhis2", created_at=now, total=len(messages), ref="cli")
        items = [
            OutboxItem(
                id=0,
                job_id=job.id,
                chat_key=m.chat.key,
                chat_kind=str(m.chat.kind),
                text=m.text,
                status=OutboxStatus.PENDING,
                created_at=now,
                next_attempt_at=now,
                lang=m.lang,
                recipient=m.recipient,
            )
            for m in messages
        ]
        store.outbox.add(items)
