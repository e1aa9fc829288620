"""/dinhchinh (/clarify): officers keep official clarifications and the rumour phrases they
answer; the watch posts a clarification under group talk that repeats a rumour; from an alert,
officers teach it ("không phải tin đồn", "thêm câu này": the buttons, or `/dinhchinh khong 12`,
`/dinhchinh them-cau 12` typed where there are no buttons)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.core.context import Context, Reply
from bot.core.errors import UserError
from bot.core.models import Role
from bot.core.router import Router
from bot.core.text import fold

if TYPE_CHECKING:
    from bot.features.clarifications.teaching import Taught

router = Router("clarifications")

_VERB = re.compile(r"^\s*(\S+)\s*(.*)$", re.DOTALL)
_NUMBER = re.compile(r"^\s*#?(\d{1,6})\b\s*(.*)$", re.DOTALL)
ADD, LIST, EDIT, RETIRE = {"them", "add"}, {"ds", "list"}, {"sua", "edit"}, {"go", "xoa", "retire"}
NOT_RUMOUR, PHRASE = {"khong", "ko", "not"}, {"them-cau", "themcau", "add-phrase"}
POPUP = 200  # characters Telegram shows in a button's answer
_PHRASE_AFTER_ADD = re.compile(r"^\s*cau\s+#?(\d{1,6})\s*$")  # "them cau 12", typed with a space


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
    spaced = _PHRASE_AFTER_ADD.match(fold(rest))
    if verb in ADD and spaced:
        return _taught(ctx, service.add_phrase(ctx.actor, int(spaced.group(1))))
    if verb in NOT_RUMOUR | PHRASE:
        numbered = _NUMBER.match(rest)
        if numbered is None or numbered.group(2).strip():
            raise UserError("clarify.teach_usage")
        number = int(numbered.group(1))
        if verb in NOT_RUMOUR:
            return _taught(ctx, service.not_rumour(ctx.actor, number))
        return _taught(ctx, service.add_phrase(ctx.actor, number))
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


def _taught(ctx: Context, taught: Taught) -> Reply:
    number = taught.clarification
    if taught.phrase:
        key = "clarify.phrase_added" if taught.new else "clarify.phrase_again"
        return ctx.reply(key, number=number, phrase=taught.phrase)
    key = "clarify.not_rumour_done" if taught.new else "clarify.not_rumour_again"
    return ctx.reply(key, number=number)


@router.callback("rumour")
async def teach_button(ctx: Context) -> Reply | None:
    """The buttons under an alert: `rumour:not_rumour:<sighting>`, `rumour:phrase:<sighting>`.
    The answer pops up and stays in the chat; the buttons go (the step is taken)."""
    _, action, number = [*ctx.incoming.callback_data.split(":"), "", ""][:3]
    service = ctx.services.clarifications
    if not number.isdigit() or action not in ("not_rumour", "phrase"):
        await ctx.answer_button()
        return None
    try:
        if not ctx.actor.has_any((Role.OFFICER,)):
            raise UserError("clarify.sighting_not_yours", number=number)
        teach = service.not_rumour if action == "not_rumour" else service.add_phrase
        reply = _taught(ctx, teach(ctx.actor, int(number)))
    except UserError as exc:
        await ctx.answer_button(ctx.t(exc.key, **exc.params))
        return None
    popup = reply.text if len(reply.text) <= POPUP else reply.text[: POPUP - 1] + "…"
    await ctx.answer_button(popup)
    await ctx.remove_buttons()
    return reply


@router.heard()
async def rumour_watch(ctx: Context) -> Reply | None:
    """Group talk that repeats a registered rumour: the clarification, under that message."""
    heard = ctx.services.clarifications.watch(ctx.incoming)
    if heard is None:
        return None
    return Reply(heard.text, file=heard.file)
