"""/dinhchinh (/clarify): officers keep official clarifications and the rumour phrases they
answer; the watch posts a clarification under group talk that repeats a rumour."""

from __future__ import annotations

import re

from bot.core.context import Context, Reply
from bot.core.errors import UserError
from bot.core.models import Role
from bot.core.router import Router
from bot.core.text import fold

router = Router("clarifications")

_VERB = re.compile(r"^\s*(\S+)\s*(.*)$", re.DOTALL)
_NUMBER = re.compile(r"^\s*#?(\d{1,6})\b\s*(.*)$", re.DOTALL)
ADD, LIST, EDIT, RETIRE = {"them", "add"}, {"ds", "list"}, {"sua", "edit"}, {"go", "xoa", "retire"}


@router.command("dinhchinh", "clarify", where="P", roles=(Role.OFFICER,))
async def clarify(ctx: Context) -> Reply:
    """`them …` adds, `ds` lists, `sua <n> …` edits, `go <n>` retires, `<n>` shows one."""
    found = _VERB.match(ctx.args)
    if found is None:
        return _list(ctx)
    verb, rest = fold(found.group(1)), found.group(2)
    service = ctx.services.clarifications
    text = service.text
    if verb in LIST:
        return _list(ctx)
    if verb in ADD:
        file = await service.keep_file(ctx.incoming, ctx.actor.person)
        c = service.add(ctx.actor, rest, file=file)
        return ctx.reply("clarify.added", number=c.id, area=service.area_name(c.area),
                         count=len(c.phrases))  # fmt: skip
    if verb.lstrip("#").isdigit():
        c = service.kept(ctx.actor, int(verb.lstrip("#")))
        return Reply(text.full(ctx.lang, c, area=service.area_name(c.area),
                               sightings=service.sightings_of(c.id)))  # fmt: skip
    numbered = _NUMBER.match(rest)
    if verb in EDIT and numbered:
        file = await service.keep_file(ctx.incoming, ctx.actor.person)
        c = service.edit(ctx.actor, int(numbered.group(1)), numbered.group(2), file=file)
        return ctx.reply("clarify.edited", number=c.id)
    if verb in RETIRE and numbered:
        c = service.retire(ctx.actor, int(numbered.group(1)))
        return ctx.reply("clarify.retired", number=c.id)
    raise UserError("clarify.usage")


def _list(ctx: Context) -> Reply:
    service = ctx.services.clarifications
    found = service.visible(ctx.actor)
    if not found:
        return ctx.reply("clarify.none")
    lines = [ctx.t("clarify.list_header")]
    lines += [
        service.text.row(
            ctx.lang, c, area=service.area_name(c.area), sightings=service.sightings_of(c.id)
        )
        for c in found
    ]
    lines.append(ctx.t("clarify.list_footer"))
    return Reply("\n".join(lines))


@router.heard()
async def rumour_watch(ctx: Context) -> Reply | None:
    """Group talk that repeats a registered rumour: the clarification, under that message."""
    heard = ctx.services.clarifications.watch(ctx.incoming)
    if heard is None:
        return None
    return Reply(heard.text, file=heard.file)
