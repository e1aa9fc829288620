"""Acknowledging a directive: the "Đã nhận" button, /danhan <n>, and typed `ok <n>`."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.errors import Forbidden, UserError
from bot.core.models import Role
from bot.core.router import Router

router = Router("acks")

ACKERS = (Role.COLLABORATOR, Role.OFFICER)


@router.command("danhan", "ack", where="GP", roles=ACKERS)
async def ack_command(ctx: Context) -> Reply:
    """/danhan 12; without a number: the directive replied to, or my newest open one."""
    words = ctx.args.replace("#", " ").split()
    if words and not words[0].isdigit():
        raise UserError("ack.usage")
    return _ack(ctx, int(words[0]) if words else None, via="command")


# `ok 12`, `ok #12`, `đã nhận 12`, `da nhan so 12`; `đã nhận` alone as a reply to the directive.
@router.typed(r"ok\s*(?:so\s*)?#?\s*(\d{1,6})")
@router.typed(r"(?:da nhan|danhan)(?:\s*(?:so\s*)?#?\s*(\d{1,6}))?")
async def ack_typed(ctx: Context) -> Reply:
    if ctx.actor.anonymous:
        raise Forbidden("anonymous.refused")
    number = ctx.data["match"].group(1)
    return _ack(ctx, int(number) if number else None, via="typed")


def _ack(ctx: Context, number: int | None, *, via: str) -> Reply:
    acks = ctx.services.directives.acks
    inc = ctx.incoming
    if number is None and inc.reply_to is not None and inc.reply_to.from_bot:
        number = acks.for_message(inc.chat.key, inc.reply_to.message_id)
    if number is None:
        latest = acks.latest_open(ctx.actor)
        if latest is None or ctx.is_group:
            raise UserError("ack.usage")
        number = latest.id
    result = acks.acknowledge(ctx.actor, number, via=via, chat_key=inc.chat.key)
    if not result.new:
        return ctx.reply("ack.again", number=number)
    person = ctx.actor.person
    return ctx.reply("ack.done", number=number, name=person.name if person else "")


@router.callback("ack")
async def ack_button(ctx: Context) -> None:
    """A press of "Đã nhận": recorded for the presser; the answer pops up on their screen."""
    inc = ctx.incoming
    number = inc.callback_data.partition(":")[2]
    if not number.isdigit():
        await ctx.answer_button()
        return
    try:
        result = ctx.services.directives.acks.acknowledge(
            ctx.actor, int(number), via="button", chat_key=inc.chat.key
        )
    except UserError as exc:
        await ctx.answer_button(ctx.t(exc.key, **exc.params))
        return
    key = "ack.button_done" if result.new else "ack.again"
    await ctx.answer_button(ctx.t(key, number=number))
    if ctx.is_private and result.new:
        # In a private chat the button has done its job: take it away.
        await ctx.remove_buttons()
