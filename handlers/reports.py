"""/baocao (/bc), /sua, /huybaocao, /cuatoi, /thieu: what collaborators type every week."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.messages import OutFile
from bot.core.models import Role
from bot.core.periods import describe
from bot.core.router import Router
from bot.core.text import fold
from bot.features.export.chat import XLSX_MIME, export_for
from bot.features.reports.service import MaybeDuplicate
from bot.features.reports.text import ask_field, echo, value_text

router = Router("reports")

_YES = {"co", "ok", "dung", "yes", "xac nhan", "xacnhan"}


@router.command("baocao", "bc", "report", where="GP", roles=(Role.COLLABORATOR, Role.OFFICER))
async def report(ctx: Context) -> Reply:
    """Store a report given as field-value pairs and echo it back; no pairs: the form."""
    parsed = ctx.services.reports.parse(ctx.args)
    if not parsed.values:
        state = ctx.services.reports.form_start(ctx.actor, parsed)
        return ask_field(ctx, state)
    photo = await _keep_photo(ctx)
    try:
        saved = ctx.services.reports.submit(ctx.actor, ctx.incoming, ctx.args, photo=photo)
    except MaybeDuplicate as dup:
        return ctx.ask("report.confirm", ctx.t(dup.key, **dup.params), data={"text": ctx.args})
    return echo(ctx, saved, "report.replaced" if saved.replaced else "report.saved")


async def _keep_photo(ctx: Context) -> str:
    """A photo sent with the report as its caption is kept with it (its file id, or "")."""
    inc = ctx.incoming
    photo = next((a for a in inc.attachments if a.kind == "photo"), None)
    if photo is None:
        return ""
    data = await ctx.download(photo)
    person = ctx.actor.person
    stored = ctx.services.files.store.put(
        data, name=photo.name or "anh.jpg", mime=photo.mime or "image/jpeg",
        owner=person.id if person else None,
    )  # fmt: skip
    return stored.id


@router.edited("baocao", "bc", "report")
async def report_edited(ctx: Context) -> Reply | None:
    """Editing the original report message on Telegram corrects that report."""
    if not ctx.actor.has_any((Role.COLLABORATOR, Role.OFFICER)):
        return None
    source = f"{ctx.incoming.chat.key}:{ctx.incoming.message_id}"
    saved = ctx.services.reports.correct(ctx.actor, ctx.args, source=source, whole=True)
    return echo(ctx, saved, "report.corrected")


@router.prompt("report.confirm")
async def confirm_duplicate(ctx: Context) -> Reply:
    """`có` stores the repeated event anyway; anything else drops it."""
    ctx.clear_prompt()
    if fold(ctx.args) not in _YES:
        return ctx.reply("report.not_repeated")
    text = ctx.data["prompt"].data.get("text", "")
    saved = ctx.services.reports.submit(ctx.actor, ctx.incoming, text, force=True)
    return echo(ctx, saved, "report.saved")


@router.command("sua", "edit", where="GP", roles=(Role.COLLABORATOR, Role.OFFICER))
async def correct(ctx: Context) -> Reply:
    """Correct my last report (or the one replied to) with new pairs; old versions are kept."""
    reply_to = ctx.incoming.reply_to
    # A reply to the bot's own echo means "that report", which is the last one anyway.
    named = reply_to is not None and not reply_to.from_bot
    source = f"{ctx.incoming.chat.key}:{reply_to.message_id}" if named and reply_to else ""
    saved = ctx.services.reports.correct(ctx.actor, ctx.args, source=source)
    return echo(ctx, saved, "report.corrected")


@router.command("huybaocao", "undo", where="GP", roles=(Role.COLLABORATOR, Role.OFFICER))
async def retract(ctx: Context) -> Reply:
    """Retract my last report; it stops counting and its history stays."""
    saved = ctx.services.reports.retract(ctx.actor)
    return echo(ctx, saved, "report.retracted")


@router.command("cuatoi", "mine", where="GP", roles=(Role.COLLABORATOR, Role.OFFICER))
async def mine(ctx: Context) -> Reply:
    """My reports that count this period."""
    items = ctx.services.reports.mine(ctx.actor)
    if not items:
        return ctx.reply("report.mine_none")
    lines = [ctx.t("report.mine_header", count=len(items))]
    for saved in items[:20]:
        values = ", ".join(
            f"{saved.type.field(k).name(ctx.lang)} {value_text(v, ctx.lang)}"
            for k, v in saved.report.values.items()
            if k != "ngay"
        )
        lines.append(
            f"• {saved.village.name}, {describe(saved.report.period, ctx.lang)}: {values}"
        )
    return Reply("\n".join(lines))


@router.command("thieu", "missing", where="GP", roles=(Role.OFFICER, Role.SUPERVISOR))
async def missing(ctx: Context) -> Reply:
    """Villages of my area with no report this period, and their collaborators."""
    area, rt, period, rows = ctx.services.reports.missing(ctx.actor, ctx.args)
    header = dict(area=area.name, type=rt.name(ctx.lang), period=describe(period, ctx.lang))
    if not rows:
        return ctx.reply("report.missing_none", **header)
    lines = [ctx.t("report.missing_header", count=len(rows), **header)]
    for row in rows[:60]:
        if not row.collaborators:
            who = ctx.t("report.no_collaborator")
        else:
            who = ", ".join(
                p.name + ("" if any(a.reachable for a in p.accounts) else " ⚠️")
                for p in row.collaborators
            )
        lines.append(f"• {row.village.name}: {who}")
    if any(not any(a.reachable for a in p.accounts) for r in rows for p in r.collaborators):
        lines.append(ctx.t("report.unreachable_mark"))
    return Reply("\n".join(lines))


@router.command("xuat", "export", where="P", roles=(Role.OFFICER, Role.SUPERVISOR))
async def export(ctx: Context) -> Reply:
    """The period's spreadsheet: as a file on Telegram, as a signed link where files cannot go."""
    services = ctx.services
    sheet = export_for(
        services.reports, ctx.actor, ctx.args, audit=services.audit.log,
        surveys=services.surveys.sheet,
    )  # fmt: skip
    text = ctx.t("export.ready", rows=sheet.rows, area=sheet.area,
                 period=describe(sheet.period, ctx.lang))  # fmt: skip
    caps = ctx.capabilities()
    if caps is not None and caps.files:
        return Reply(text, file=OutFile(name=sheet.name, data=sheet.data, mime=XLSX_MIME))
    person = ctx.actor.person
    files = services.files
    stored = files.store.put(
        sheet.data, name=sheet.name, mime=XLSX_MIME, owner=person.id if person else None
    )
    url = files.links.url_for(stored.id, person=person.id if person else 0)
    if url is None:
        return Reply(text + "\n" + ctx.t("export.no_link"))
    return Reply(text + "\n" + ctx.t("export.link", url=url))
