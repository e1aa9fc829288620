"""/dangky (/register): join a village, typed in one line or chosen commune then village; /duyet
(/approve) for officers: the pending list a page at a time, a decision by number, by the notice's
buttons or their typed twins, and the choice of a daily summary instead of each notice."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.core.context import ROLE_KEYS, Context, Reply
from bot.core.errors import Forbidden, UserError
from bot.core.messages import ChatKind, ChatRef, UpdateKind
from bot.core.models import Area, Role
from bot.core.router import Router
from bot.core.text import fold
from bot.features.people.registration import pending_list
from bot.features.people.registration.registration_choices import (
    BACK,
    CALLBACK,
    KIND,
    MORE,
    PAGE,
    Question,
    RegistrationChoices,
    answer_kind,
)
from bot.features.people.registration.village_lookup import label, lookup, within

router = Router("register")

_REFUSE_WORDS = {"khong", "tu choi", "tuchoi", "no", "reject", "huy"}
_PAGE = re.compile(r"(?:trang sau|trang|page|next|tiep|xem them)\s*(\d{1,4})?")
_SUMMARY = re.compile(r"(?:tom ?tat|summary)\s*(.*)")
_ON, _OFF = {"bat", "on", "co", "mo"}, {"tat", "off", "khong", "huy"}
DECIDERS = (Role.OFFICER,)


# --- /dangky ----------------------------------------------------------------------------------


@router.command("dangky", "register", where="GP")
async def register(ctx: Context) -> Reply:
    """Ask to become the collaborator of a village: typed (village, commune) or chosen."""
    choices = RegistrationChoices(ctx.services.areas)
    if not ctx.args.strip():
        return _ask(ctx, choices.communes(ctx.t))
    found = lookup(ctx.services.areas, ctx.args)
    if found.village is not None:
        return await _file(ctx, found.village)
    return _ask(ctx, choices.for_lookup(ctx.t, found, ctx.args.strip()))


@router.callback(CALLBACK)
@router.prompt(KIND)
async def register_pick(ctx: Context) -> Reply:
    """An answer to a registration question: a number typed or pressed, the next page, back to
    the communes, or a name typed instead. (One handler for both ways, so that the privacy gate
    knows it by one name.)"""
    areas = ctx.services.areas
    choices = RegistrationChoices(areas)
    if ctx.incoming.kind is UpdateKind.CALLBACK:
        await ctx.answer_button()
        prompt = ctx.current_prompt()
        answer = ctx.incoming.callback_data.partition(":")[2]
        data = prompt.data if prompt is not None and prompt.kind == KIND else {}
        if not data or answer not in (MORE, BACK, *data.get("codes", ())):
            return ctx.reply("register.choice_gone")
    else:
        data, answer = ctx.data["prompt"].data, ctx.args.strip()
    codes = list(data.get("codes", []))
    wanted = answer_kind(answer)
    if wanted == "more":
        page = int(data.get("page", 0)) + 1
        page = page if page * PAGE < len(codes) else 0  # after the last page, the first again
        return _ask(ctx, choices.render(ctx.t, {**data, "page": page}))
    if wanted == "back" and data.get("back"):
        return _ask(ctx, choices.communes(ctx.t))
    if answer in codes:
        return await _chosen(ctx, choices, data, areas.get(answer))
    number = answer.lstrip("#")
    if number.isdigit():
        if not 1 <= int(number) <= len(codes):
            raise UserError("prompt.pick_range", max=len(codes))
        return await _chosen(ctx, choices, data, areas.get(codes[int(number) - 1]))
    return await _typed_instead(ctx, choices, data, answer)


async def _typed_instead(
    ctx: Context, choices: RegistrationChoices, data: dict[str, object], answer: str
) -> Reply:
    """A name typed at a question: a village of the commune being chosen from, else anywhere."""
    areas = ctx.services.areas
    commune = str(data.get("commune") or "")
    if commune in areas:
        found = within(areas, answer, [areas.get(commune)])
        if found.village is None and not found.villages:
            found = lookup(areas, answer)
            if found.village is None and not (found.villages or found.communes or found.commune):
                return _ask(ctx, choices.villages(ctx.t, areas.get(commune), not_found=answer))
    else:
        found = lookup(areas, answer)
    if found.village is not None:
        return await _file(ctx, found.village)
    return _ask(ctx, choices.for_lookup(ctx.t, found, answer))


async def _chosen(
    ctx: Context, choices: RegistrationChoices, data: dict[str, object], area: Area
) -> Reply:
    if area.kind == "village":
        return await _file(ctx, area)
    after = choices.after_commune(ctx.t, data, area)
    if isinstance(after, Question):
        return _ask(ctx, after)
    return await _file(ctx, after)


def _ask(ctx: Context, question: Question) -> Reply:
    """Put the question; from a group it goes to the sender's private chat, answered there."""
    if not ctx.is_group:
        return ctx.ask(KIND, question.text, data=question.data, buttons=question.buttons)
    sender = ctx.incoming.sender
    private = ChatRef(sender.platform, sender.bot, sender.id, ChatKind.PRIVATE)
    ctx.services.prompts.set(replace(ctx.incoming, chat=private), kind=KIND, data=question.data)
    return Reply(question.text, buttons=question.buttons, private=True)


async def _file(ctx: Context, village: Area) -> Reply:
    reg, created = await ctx.services.people.registrations.request(ctx.incoming, village)
    current = ctx.current_prompt()
    if current is not None and current.kind == KIND:
        ctx.clear_prompt()
    key = "register.filed" if created else "register.already_pending"
    area = label(ctx.services.areas, village)
    return Reply(ctx.t(key, area=area, n=reg.id), private=ctx.is_group)


# --- /duyet -----------------------------------------------------------------------------------


@router.command("duyet", "approve", where="P", roles=DECIDERS)
async def approve(ctx: Context) -> Reply:
    """The pending list (`trang 2` for a page), a decision by number (`5`, `5 khong`), or the
    daily summary instead of each notice (`tomtat bat|tat`)."""
    words = fold(ctx.args)
    if not words:
        return _pending(ctx, 1)
    summary = _SUMMARY.fullmatch(words)
    if summary:
        return _summary(ctx, summary.group(1).strip())
    page = _PAGE.fullmatch(words)
    if page:
        return _pending(ctx, _page_number(ctx, page.group(1)))
    return await _decide(ctx, ctx.args)


@router.prompt("approve.pick")
async def approve_pick(ctx: Context) -> Reply:
    """A bare number (optionally followed by `không`) answering the pending list, or a page."""
    page = _PAGE.fullmatch(fold(ctx.args))
    if page:
        return _pending(ctx, _page_number(ctx, page.group(1)))
    reply = await _decide(ctx, ctx.args)
    if not ctx.services.people.registrations.pending_for(ctx.actor):
        ctx.clear_prompt()
    return reply


# `duyet 5`, `duyet #5 khong`: the typed twins of the notice's buttons (Zalo has no buttons).
@router.typed(r"duyet\s*#?\s*(\d{1,6})((?:\s+\S+)*)")
async def approve_typed(ctx: Context) -> Reply | None:
    if not ctx.is_private:
        return None
    if ctx.actor.anonymous or not ctx.actor.has_any(DECIDERS):
        who = ", ".join(ctx.t(ROLE_KEYS[r]) for r in sorted({*DECIDERS, Role.ADMIN}))
        raise Forbidden("forbidden.roles", command="duyet", who=who)
    found = ctx.data["match"]
    return await _decide(ctx, f"{found.group(1)} {found.group(2)}")


@router.callback(pending_list.CALLBACK)
async def approve_button(ctx: Context) -> Reply | None:
    """Approve or refuse under the officer's notice (ap:ok:5, ap:no:5), or a page of /duyet."""
    _, action, number = [*ctx.incoming.callback_data.split(":"), "", ""][:3]
    if not number.isdigit():
        await ctx.answer_button()
        return None
    if action == "p":
        await ctx.answer_button()
        return _pending(ctx, int(number)) if ctx.actor.has_any(DECIDERS) else None
    registrations = ctx.services.people.registrations
    try:
        item = await registrations.decide(ctx.actor, int(number), approve=action == "ok")
    except UserError as exc:
        await ctx.answer_button(ctx.t(exc.key, **exc.params))
        if exc.key == "approve.not_pending":
            await ctx.remove_buttons()  # someone decided already: the buttons are done
        return None
    await ctx.answer_button()
    await ctx.remove_buttons()
    key = "approve.done" if action == "ok" else "approve.rejected"
    return ctx.reply(key, name=item.person.name, area=item.area.name, n=item.registration.id)


def _page_number(ctx: Context, typed: str | None) -> int:
    if typed:
        return int(typed)
    prompt = ctx.current_prompt()
    listed = prompt is not None and prompt.kind == "approve.pick"
    return int(prompt.data.get("page", 1) if listed and prompt else 1) + 1


def _pending(ctx: Context, page: int) -> Reply:
    items = ctx.services.people.registrations.pending_for(ctx.actor)
    if not items:
        return ctx.reply("approve.none")
    text, buttons, page = pending_list.render(ctx.t, ctx.services.areas, items, page)
    return ctx.ask("approve.pick", text, data={"page": page}, buttons=buttons)


async def _decide(ctx: Context, words: str) -> Reply:
    parts = words.replace("#", " ").split(maxsplit=1)
    if not parts or not parts[0].isdigit():
        raise UserError("approve.usage")
    refuse = len(parts) > 1 and fold(parts[1]) in _REFUSE_WORDS
    if len(parts) > 1 and not refuse:
        raise UserError("approve.usage")
    registrations = ctx.services.people.registrations
    item = await registrations.decide(ctx.actor, int(parts[0]), approve=not refuse)
    key = "approve.rejected" if refuse else "approve.done"
    return ctx.reply(key, name=item.person.name, area=item.area.name, n=item.registration.id)


def _summary(ctx: Context, choice: str) -> Reply:
    """`/duyet tomtat bat|tat`: one summary a day instead of a notice per registration."""
    person = ctx.actor.person
    if person is None or ctx.actor.anonymous:
        raise Forbidden("anonymous.refused")
    summary = ctx.services.people.registrations.summary
    if choice in _ON or choice in _OFF:
        summary.choose(person, daily=choice in _ON)
    elif choice:
        raise UserError("approve.summary_usage")
    key = "approve.summary_on" if summary.chosen_by(person.id) else "approve.summary_off"
    return ctx.reply(key, at=summary.at)
