"""/tonghop (/digest): an area's digest now, with its chart and the period's spreadsheet."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.messages import OutFile
from bot.core.models import Role
from bot.core.router import Router
from bot.features.digest.chart import PNG_MIME
from bot.features.export.chat import XLSX_MIME

router = Router("digest")


@router.command("tonghop", "digest", where="P", roles=(Role.OFFICER, Role.SUPERVISOR))
async def digest(ctx: Context) -> list[Reply]:
    """The text, then the chart and the spreadsheet: files on Telegram; on Zalo the chart as a
    photo by signed link and the spreadsheet as a link in the text."""
    d = await ctx.services.digests.on_demand(ctx.actor, ctx.args, lang=ctx.lang)
    caps = ctx.capabilities()
    if caps is not None and caps.files:
        chart = OutFile(name=d.chart_name, kind="photo", data=d.chart, mime=PNG_MIME)
        sheet = OutFile(name=d.sheet.name, data=d.sheet.data, mime=XLSX_MIME)
        return [
            Reply(d.text),
            Reply(d.chart_caption, file=chart),
            Reply(d.sheet_caption, file=sheet),
        ]
    person = ctx.actor.person
    owner = person.id if person else None
    files = ctx.services.files
    links = files.links
    if not links.enabled:
        return [Reply(d.text + "\n\n" + ctx.t("export.no_link"))]
    stored_sheet = files.store.put(d.sheet.data, name=d.sheet.name, mime=XLSX_MIME, owner=owner)
    stored_chart = files.store.put(d.chart, name=d.chart_name, mime=PNG_MIME, owner=owner)
    sheet_url = links.url_for(stored_sheet.id, person=owner or 0)
    chart_url = links.url_for(stored_chart.id, person=owner or 0)
    text = f"{d.text}\n\n{d.sheet_caption}\n{ctx.t('export.link', url=sheet_url)}"
    photo = OutFile(name=d.chart_name, kind="photo", url=chart_url or "", mime=PNG_MIME)
    return [Reply(text), Reply(d.chart_caption, file=photo)]
