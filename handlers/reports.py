"""/baocao (/bc), /sua, /huybaocao, /cuatoi, /thieu: what collaborators type every week."""

from __future__ import annotations

from dataclasses import replace

from bot.core.context import Context, Reply
from bot.core.messages import OutFile
from bot.core.models import Role
from bot.core.periods import describe
from bot.core.router import Router
from bot.features.export.chat import XLSX_MIME, export_for
from bot.features.reports import repeat
from bot.features.reports.form_text import ask_field
from bot.features.reports.listing import mine_text
from bot.features.reports.service import MaybeDuplicate
from bot.features.reports.text import echo
from bot.features.review.replies import correction_note, mine_lines, missing_lines

router = Router("reports")


@router.command("baocao", "bc", "report", where="GP", roles=(Role.COLLABORATOR, Role.OFFICER))
async def report(ctx: Context) -> Reply:
    """Store a report given as field-value pairs and echo it back; no pairs: the form."""
    parsed = ctx.services.reports.parse(ctx.args)
    if not parsed.values and not parsed.previous:  # "như kỳ trước" alone repeats the previous
        state = ctx.services.reports.form_start(ctx.actor, parsed)
        return ask_field(ctx, state)
    photo = await _keep_photo(ctx)
    try:
        saved = ctx.services.reports.submit(ctx.actor, ctx.incoming, ctx.args, photo=photo)
    except MaybeDuplicate as dup:
        return repeat.ask(ctx, dup, ctx.args)
    repeat.move_on(ctx)  # a repeated report's question still waiting is left behind (and said)
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
    saved = ctx.services.reports.corrections.correct_edited(ctx.actor, source, ctx.args)
    return echo(ctx, saved, "report.corrected")


@router.callback(repeat.CALLBACK)
@router.prompt(repeat.REPEAT, answers=repeat.is_answer, left=repeat.LEFT)
async def confirm_duplicate(ctx: Context) -> Reply | None:
    """"Send it again?": yes (typed or pressed) stores the repeated report, no drops it;
    other text that nothing else understood hears how to answer, and the question waits."""
    answer = await repeat.answer_of(ctx)
    if answer.question is None:
        return None
    if answer.yes is None:
        return repeat.still_waiting(ctx)
    ctx.clear_prompt()
    if not answer.yes:
        return ctx.reply("report.not_repeated")
    text = answer.question.data.get("text", "")
    saved = ctx.services.reports.submit(ctx.actor, ctx.incoming, text, force=True)
    return echo(ctx, saved, "report.saved")


@router.command("sua", "edit", where="GP", roles=(Role.COLLABORATOR, Role.OFFICER))
async def correct(ctx: Context) -> Reply:
    """Correct report n, the one replied to, or the recent one with these fields; old versions
    are kept."""
    corrections = ctx.services.reports.corrections
    saved = corrections.correct(ctx.actor, ctx.incoming, ctx.args)
    return _added(echo(ctx, saved, "report.corrected"), [correction_note(ctx, saved.report)])


@router.command("huybaocao", "undo", where="GP", roles=(Role.COLLABORATOR, Role.OFFICER))
async def retract(ctx: Context) -> Reply:
    """Retract report n, the one replied to, or my last; it stops counting, its history stays."""
    saved = ctx.services.reports.corrections.retract(ctx.actor, ctx.incoming, ctx.args)
    return echo(ctx, saved, "report.retracted")


@router.command("cuatoi", "mine", where="GP", roles=(Role.COLLABORATOR, Role.OFFICER))
async def mine(ctx: Context) -> Reply:
    """My recent reports, each with its short number and the time it was sent."""
    listed = mine_text(ctx, ctx.services.reports.corrections.mine(ctx.actor))
    return _added(listed, mine_lines(ctx), gap=True)  # and those an officer sent back


@router.command("thieu", "missing", where="GP", roles=(Role.OFFICER, Role.SUPERVISOR))
async def missing(ctx: Context) -> Reply:
    """Villages of my area with no report this period, and their collaborators."""
    area, rt, period, rows = ctx.services.reports.missing(ctx.actor, ctx.args)
    header = dict(area=area.name, type=rt.name(ctx.lang), period=describe(period, ctx.lang))
    returned = missing_lines(ctx, area.code, rt.code, period)  # apart from the missing ones
    if not rows:
        return _added(ctx.reply("report.missing_none", **header), returned, gap=True)
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
    return _added(Reply("\n".join(lines)), returned, gap=True)


def _added(reply: Reply, lines: list[str], *, gap: bool = False) -> Reply:
    """`reply` with `lines` after it (a blank line between when `gap`); empty lines dropped."""
    shown = [line for line in lines if line]
    if not shown:
        return reply
    return replace(reply, text=reply.text + ("\n\n" if gap else "\n") + "\n".join(shown))


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
