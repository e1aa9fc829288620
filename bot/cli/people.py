"""`python -m bot people import FILE.csv`: create people with their roles and one-time invite
codes, and write the codes (with Telegram deep links and Zalo instructions) to a CSV file.

Runs on a stopped bot (the data directory is locked while the bot runs). Every row is checked
first; if any is bad nothing is written. Zalo people are spread over the configured Zalo bots
within each bot's `max_users`; a row no bot has room for is refused, the CLI says which bots are
full, and the config admins are told in chat when the bot starts (a message queued in the
outbox).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from bot.cli.common import OK, USAGE, config_or_none, err, open_for_cli
from bot.config.loading import Config
from bot.core.areas import AreaTree
from bot.core.clock import Clock, SystemClock
from bot.core.file_writes import write_atomic
from bot.core.i18n import Translator
from bot.core.messages import ChatKind
from bot.core.models import OutboxItem, OutboxStatus
from bot.core.sheets import csv_bytes
from bot.delivery.sender import private_chat
from bot.features.audit.log import AuditLog, cli_who
from bot.features.people.importing import Outcome, apply, read_rows
from bot.features.people.invites import Invites
from bot.features.people.zalo_seats import ZaloSeats, seats_from_config
from bot.store import Store

# Exit codes: 0 every row imported (or already there); 1 some rows refused for lack of room on
# the Zalo bots (the others imported); 2 bad file, rows or config: nothing written; 3 the data
# directory is in use (the bot runs) or cannot be opened.
REFUSED = 1
OUT_COLUMNS = (
    "line", "person_id", "name", "role", "area_code", "area", "platform", "zalo_bot", "code",
    "expires", "link", "instruction", "status", "note",
)  # fmt: skip


def run_import(
    *,
    path: Path,
    output: Path | None = None,
    bot_username: str | None = None,
    config_path: str | None = None,
    environ: Mapping[str, str] = os.environ,
    clock: Clock | None = None,
) -> int:
    """Import the people of `path`; write their invites to `output` (default: beside `path`,
    `<name>-invites.csv`). Problems go to stderr, the summary to stdout; an exit code."""
    config = config_or_none(config_path, environ)
    if config is None:
        return USAGE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        err(f"Cannot read {path}: {exc} (save the sheet as CSV UTF-8)")
        return USAGE
    areas = AreaTree.from_config(config.areas)
    zalo = config.platforms.zalo.bots
    rows, problems = read_rows(text, areas, zalo_bots=bool(zalo))
    if problems:
        err(f"{path}: {len(problems)} problem(s); nothing was imported. Fix them and run again:")
        for problem in problems:
            err(f"- {problem}")
        return USAGE
    clock = clock or SystemClock()
    store = open_for_cli(
        config, create=True, while_running="Stop the bot, import, then start it again."
    )
    if isinstance(store, int):
        return store
    username = (bot_username or config.platforms.telegram.username).lstrip("@")
    translate = Translator(config.language, headings=config.directives.heading.by_language())
    audit = AuditLog(store=store, clock=clock)
    invites = Invites(
        store=store, areas=areas, clock=clock, translate=translate, telegram_username=username,
        ttl=timedelta(days=config.registration.invite_days), audit=audit,
    )  # fmt: skip
    try:
        now = clock.now()
        seats = ZaloSeats.load(
            seats_from_config(zalo), areas, people=store.people.all(),
            invites=store.invites.all(), now=now,
        )  # fmt: skip
        who = cli_who()
        with store.atomic():
            outcomes = apply(rows, store=store, invites=invites, seats=seats, now=now, who=who)
            refused = [o for o in outcomes if o.status == "refused"]
            counts = {s: sum(o.status == s for o in outcomes) for s in ("new", "exists")}
            audit.record(
                "people.import", who=who, where="cli", target=path.name,
                detail={**counts, "refused": len(refused), "rows": len(rows)},
            )  # fmt: skip
            if refused:
                _tell_admins(store, config, translate, refused, clock)
        used = {s.name: f"{seats.used(s.name)}/{s.max_users}" for s in seats.seats}
    finally:
        store.close()
    target = output or path.with_name(f"{path.stem}-invites.csv")
    lang = config.language
    try:
        write_atomic(target, _out_csv(outcomes, areas, invites, lang), mode=0o600)
    except OSError as exc:
        err(f"Cannot write {target}: {exc} (the people were imported; run again to print it)")
        return USAGE
    print(
        f"Imported {counts['new']} new, {counts['exists']} already there, "
        f"{len(refused)} refused; invites written to {target} (keep it private: it holds codes)"
    )
    if used:
        print("Zalo bots (users/cap): " + ", ".join(f"{k} {v}" for k, v in used.items()))
    if not username and any(o.invite and o.invite.platform == "telegram" for o in outcomes):
        print(
            "No Telegram bot username (platforms.telegram.username or --bot-username): the "
            "file tells Telegram people to type /batdau CODE instead of a link."
        )
    for o in refused:
        err(
            f"- line {o.row.line}: {o.row.platform} person refused: every Zalo bot serving "
            f"{areas.get(o.row.area).name} is full ({o.reason}); add a Zalo bot or raise "
            "max_users, then import the file again (imported rows are not repeated)"
        )
    if refused:
        err("The config admins will be told in chat when the bot starts.")
    return REFUSED if refused else OK


def _tell_admins(
    store: Store, config: Config, translate: Translator, refused: list[Outcome], clock: Clock
) -> None:
    """Queue one message to each config admin's private chat, sent when the bot starts."""
    reasons = sorted({o.reason for o in refused})
    text = translate(
        config.language, "invite.admin_no_room", count=len(refused), bots="; ".join(reasons)
    )
    admins = sorted({a.account for a in config.admin_entries()})
    if not admins:
        return
    now = clock.now()
    job = store.outbox.add_job(kind="notice", created_at=now, total=len(admins), ref="import")
    store.outbox.add(
        [
            OutboxItem(
                id=0,
                job_id=job.id,
                chat_key=private_chat(key).key,
                chat_kind=str(ChatKind.PRIVATE),
                text=text,
                status=OutboxStatus.PENDING,
                created_at=now,
                next_attempt_at=now,
                lang=config.language,
            )
            for key in admins
        ]
    )


def _out_csv(outcomes: list[Outcome], areas: AreaTree, invites: Invites, lang: str) -> bytes:
    """The invites file: UTF-8 with a BOM (Excel keeps the Vietnamese letters), names and notes
    from the sheet written as text (bot.core.sheets: `=…` never runs as a formula)."""
    table: list[list[object]] = [list(OUT_COLUMNS)]
    for o in outcomes:
        row, inv = o.row, o.invite
        instruction = invites.instruction(inv, lang) if inv else o.reason
        if o.status == "exists" and inv is None:
            instruction = "already imported (no live invite: bound already, or ask /moilai)"
        table.append(
            [
                row.line,
                o.person_id or "",
                row.name,
                row.role.value,
                row.area,
                areas.get(row.area).name,
                row.platform,
                inv.bot if inv else "",
                inv.code if inv else "",
                inv.expires_at.date().isoformat() if inv else "",
                invites.link(inv) if inv else "",
                instruction,
                o.status,
                row.note,
            ]
        )
    return csv_bytes(table)
