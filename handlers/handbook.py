"""/camnang (/handbook): read notes by topic; officers add (them), edit (sua), retire (xoa), and
save an answered question as a note (them tu 5 <topic>, or the "Lưu vào cẩm nang" button)."""

from __future__ import annotations

import re

from bot.core.context import Context, Reply
from bot.core.errors import UserError
from bot.core.messages import Button
from bot.core.models import HandbookNote, OutboxFile, Role
from bot.core.router import Router
from bot.core.text import fold

router = Router("handbook")

ADD, EDIT, DELETE = {"them", "add"}, {"sua", "edit"}, {"xoa", "del", "delete"}
_FROM_QUESTION = re.compile(r"^(?:tu|from)\s*#?\s*(\d{1,6})(?:\s+(.*))?$", re.DOTALL)
MAX_SHOWN = 3  # notes of one topic shown at once (one per area, nearest first)
MAX_BUTTONS = 10  # topics offered as buttons under the list (Telegram)


@router.command("camnang", "handbook", where="GP")
async def handbook(ctx: Context) -> Reply | list[Reply]:
    """No words: the topics; a topic: its notes; them/sua/xoa: officers write."""
    args = ctx.args.strip()
    head, rest = [*args.split(None, 1), "", ""][:2]
    word = fold(head)
    if word in ADD:
        # `them tu 5 <topic>` saves question 5; a `:` means a note whose topic starts so.
        found = None if ":" in rest else _FROM_QUESTION.match(fold(rest.strip()))
        if found:
            topic = _original_tail(rest, found)
            if not topic:
                return _ask_topic(ctx, int(found.group(1)))
            return _from_question(ctx, int(found.group(1)), topic)
        if not rest.strip():
            raise UserError("handbook.usage_add")
        return await _add(ctx, rest)
    if word in EDIT:
        return await _edit(ctx, rest)
    if word in DELETE:
        note = ctx.services.handbook.retire(ctx.actor, rest)
        return ctx.reply("handbook.deleted", topic=note.topic, area=_area(ctx, note))
    if not args:
        return _list(ctx)
    return _show(ctx, args)


def _original_tail(rest: str, found: re.Match[str]) -> str:
    """The topic as typed (with its diacritics), after `tu 5`."""
    if found.group(2) is None:
        return ""
    words = rest.split()
    # `tu 5 Sốt xuất huyết` or `tu #5 …` or `tu5 …`: drop the words the number took.
    taken = len(fold(rest).split()) - len(found.group(2).split())
    return " ".join(words[taken:])


async def _add(ctx: Context, words: str) -> Reply:
    handbook = ctx.services.handbook
    handbook.home(ctx.actor)  # refuse non-officers before downloading any file
    file = await _file(ctx)
    note = handbook.add(ctx.actor, words, file=file)
    return ctx.reply("handbook.added", topic=note.topic, area=_area(ctx, note))


async def _edit(ctx: Context, words: str) -> Reply:
    handbook = ctx.services.handbook
    handbook.home(ctx.actor)
    file = await _file(ctx)
    note = handbook.edit(ctx.actor, words, file=file)
    return ctx.reply("handbook.updated", topic=note.topic, area=_area(ctx, note))


async def _file(ctx: Context) -> OutboxFile | None:
    person = ctx.actor.person
    return await ctx.services.handbook.kept_file(ctx.incoming, person.id if person else None)


def _from_question(ctx: Context, number: int, topic: str) -> Reply:
    note = ctx.services.handbook.from_question(ctx.actor, number, topic, lang=ctx.lang)
    return ctx.reply(
        "handbook.saved_question", number=number, topic=note.topic, area=_area(ctx, note)
    )


def _ask_topic(ctx: Context, number: int) -> Reply:
    handbook = ctx.services.handbook
    handbook.home(ctx.actor)
    q = handbook.questions.readable(ctx.actor, number)
    if q.answered_at is None:
        raise UserError("handbook.question_unanswered", number=number)
    return ctx.ask("handbook.topic", ctx.t("handbook.topic_prompt", number=number),
                   data={"number": number})  # fmt: skip


@router.callback("hbq")
async def save_button(ctx: Context) -> Reply | None:
    """ "Lưu vào cẩm nang" under an answer's confirmation: ask for the topic."""
    await ctx.answer_button()
    number = ctx.incoming.callback_data.partition(":")[2]
    return _ask_topic(ctx, int(number)) if number.isdigit() else None


@router.prompt("handbook.topic")
async def topic_prompt(ctx: Context) -> Reply:
    """The typed topic for a question being saved as a note."""
    number = int(ctx.data["prompt"].data["number"])
    ctx.clear_prompt()
    return _from_question(ctx, number, ctx.args)


@router.callback("hb")
async def topic_button(ctx: Context) -> Reply | list[Reply] | None:
    """A topic's button under the list: show its notes."""
    await ctx.answer_button()
    number = ctx.incoming.callback_data.partition(":")[2]
    return _show(ctx, number) if number.isdigit() else None


# --- reading -------------------------------------------------------------------------------------


def _list(ctx: Context) -> Reply:
    handbook = ctx.services.handbook
    notes = handbook.visible(ctx.actor, ctx.incoming.chat)
    writer = ctx.actor.has_any((Role.OFFICER,)) and not ctx.actor.anonymous
    if not notes:
        return ctx.reply("handbook.empty_officer" if writer else "handbook.empty")
    lines = [ctx.t("handbook.list_header", count=len({fold(n.topic) for n in notes}))]
    lines += [ctx.t("handbook.list_row", topic=n.topic, area=_area(ctx, n)) for n in notes]
    lines.append(ctx.t("handbook.list_footer"))
    if writer:
        lines.append(ctx.t("handbook.list_footer_officer"))
    caps = ctx.capabilities()
    buttons: tuple[tuple[Button, ...], ...] = ()
    if caps is not None and caps.buttons:
        # Typed twin: /camnang <topic>, which the list itself already shows.
        buttons = tuple(
            (Button(n.topic, f"hb:{n.id}", typed=f"/camnang {n.topic}"),)
            for n in notes[:MAX_BUTTONS]
        )
    return Reply("\n".join(lines), buttons=buttons)


def _show(ctx: Context, query: str) -> Reply | list[Reply]:
    found = ctx.services.handbook.find(ctx.actor, ctx.incoming.chat, query)
    if found.topics:
        lines = [ctx.t("handbook.several", count=len(found.topics), topic=query.strip())]
        lines += [f"• {topic}" for topic in found.topics]
        return Reply("\n".join(lines))
    if not found.notes:
        raise UserError("handbook.not_found", topic=query.strip())
    return [_note(ctx, note) for note in found.notes[:MAX_SHOWN]]


def _note(ctx: Context, note: HandbookNote) -> Reply:
    person = ctx.actor.person
    handbook = ctx.services.handbook
    text = ctx.t("handbook.note", topic=note.topic, area=_area(ctx, note), text=note.text)
    file = handbook.out_file(note, ctx.incoming.chat, person.id if person else None)
    if note.file is not None and file is None:
        text += "\n\n" + ctx.t("file.no_link")
    return Reply(text, file=file)


def _area(ctx: Context, note: HandbookNote) -> str:
    return ctx.services.handbook.area_name(note.area)
