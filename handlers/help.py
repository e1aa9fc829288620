"""/trogiup (/help): the commands this person may use here, theirs first, one example each."""

from __future__ import annotations

from bot.core.context import Context, Reply
from bot.core.help_catalogue import (
    Audience,
    audience,
    elsewhere,
    everyday,
    examples,
    guide,
    line_key,
)
from bot.core.models import Role
from bot.core.router import Command, Router

router = Router("help")

MORE_NAMED = 2  # commands named in the "the others are private" line


@router.command("trogiup", "help", where="GP")
async def help_(ctx: Context) -> Reply:
    """List only the commands allowed to this person in this kind of chat, the main ones first."""
    commands = ctx.data.get("commands", ())
    kind = ctx.incoming.chat.kind
    person = ctx.actor.person
    pending = ctx.services.people.registrations.pending_of(person.id) if person else []
    who = audience(ctx.actor, pending=bool(pending))
    places = examples(ctx.services.areas, ctx.actor)
    lines = [_title(ctx, who, pending[0].area if pending else "")]
    main, common = everyday(guide(commands, ctx.actor, kind, who), who)
    lines += [ctx.t(line_key(cmd, who), **places) for cmd in main]
    if common:
        lines.append(ctx.t("help.everyday", commands=" · ".join(_named(ctx, c) for c in common)))
    others = elsewhere(commands, ctx.actor, kind, who)
    if ctx.is_group and others:
        named = ", ".join(_named(ctx, c) for c in others[:MORE_NAMED])
        lines.append(ctx.t("help.more_private", commands=named))
    lines += await _notes(ctx)
    lines.append(ctx.t("help.footer"))
    return Reply("\n".join(lines))


def _named(ctx: Context, cmd: Command) -> str:
    """/cmd as this reader types it: English readers get the English alias (it comes last)."""
    english = ctx.lang == "en" and cmd.aliases
    return "/" + (cmd.aliases[-1] if english else cmd.name)


def _title(ctx: Context, who: Audience, pending_area: str) -> str:
    if who is Audience.PENDING and pending_area in ctx.services.areas:
        return ctx.t("help.title_pending", area=ctx.services.areas.get(pending_area).name)
    if who is Audience.NEWCOMER:
        return ctx.t("help.title_newcomer")
    return ctx.t("help.title")


async def _notes(ctx: Context) -> list[str]:
    """What this chat cannot do that the reader should know: a Zalo group (a beta) passes on
    only what names the bot, a photo only with the name in its own caption (the note /gannhom
    gives too); the rumour watch needs to read ordinary group talk."""
    chat = ctx.incoming.chat
    if chat.platform == "zalo" and ctx.is_group:
        return [ctx.t("bind.zalo_hearing")]
    if ctx.actor.has_any((Role.OFFICER,)):
        note = await ctx.services.clarifications.hearing_note(chat)
        if note:
            return [ctx.t(note)]
    return []
