"""The question a report that repeats a recent one waits on (the guard against one event counted
twice): "send it again?". Only a yes or a no answers it, typed or pressed; any other message is
handled as itself while the question keeps waiting, and a new report moves on from it, which
the person is told (nothing is dropped silently)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from bot.core.context import Context, Reply
from bot.core.errors import UserError
from bot.core.messages import Button, UpdateKind
from bot.core.models import Prompt
from bot.core.text import fold

REPEAT = "report.confirm"  # the prompt's kind (as stored by earlier versions too)
LEFT = "report.repeat_left"  # the note when something else ends the question
CALLBACK = "dup"  # its buttons: dup:<owner>#<tag>:y, dup:<owner>#<tag>:n
YES = frozenset({
    "co", "c", "ok", "oke", "okay", "yes", "y", "vang", "dung", "dung roi", "dung vay",
    "co luu", "co luu lai", "luu", "luu lai", "luu di", "co gui", "gui lai", "xac nhan",
    "xacnhan",
})  # fmt: skip
NO = frozenset({
    "khong", "ko", "k", "kg", "khg", "no", "n", "khong luu", "khong gui", "khong can", "bo",
    "bo di", "bo qua", "thoi", "huy",
})  # fmt: skip
# Polite words around a yes or no ("Dạ có ạ", "không em nhé"); alone they answer nothing.
_PARTICLES = frozenset({"da", "a", "ah", "nhe", "nha", "em", "oi", "thua"})
_WORDS = re.compile(r"[a-z0-9]+")


def reading(text: str) -> bool | None:
    """True for a yes, False for a no, None for anything else (a report, a question…)."""
    words = _WORDS.findall(fold(text))
    while words and words[0] in _PARTICLES:
        words.pop(0)
    while words and words[-1] in _PARTICLES:
        words.pop()
    said = " ".join(words)
    if said in YES:
        return True
    if said in NO:
        return False
    return None


def is_answer(text: str) -> bool:
    """Whether `text` answers the question (the dispatcher hands the rest on)."""
    return reading(text) is not None


def ask(ctx: Context, refusal: UserError, text: str) -> Reply:
    """Put the question for the report `text` (what followed the command): its yes and no as
    buttons where the chat shows buttons, its words in the question everywhere."""
    tag = _tag(text)
    caps = ctx.capabilities()
    buttons: tuple[tuple[Button, ...], ...] = ()
    if caps is None or caps.buttons:
        # In a group only the sender may answer with them: their user id goes along.
        data = f"{CALLBACK}:{ctx.incoming.sender.id}#{tag}"
        buttons = ((Button(ctx.t("report.repeat_yes"), f"{data}:y", "có"),
                    Button(ctx.t("report.no"), f"{data}:n", "không")),)  # fmt: skip
    question = ctx.t(refusal.key, **refusal.params)
    return ctx.ask(REPEAT, question, data={"text": text, "tag": tag}, buttons=buttons)


@dataclass(frozen=True, slots=True)
class Answer:
    """The question this event answers, and how: True yes, False no, None not an answer."""

    question: Prompt | None
    yes: bool | None


async def answer_of(ctx: Context) -> Answer:
    """Read a typed answer or a press. Someone else's press changes nothing; a press of a
    question no longer waiting (answered, run out, another report's) is told so at the button
    and its buttons go."""
    if ctx.incoming.kind is not UpdateKind.CALLBACK:
        return Answer(ctx.data["prompt"], reading(ctx.args))
    _, _, rest = ctx.incoming.callback_data.partition(":")
    who, _, value = rest.partition(":")
    owner, _, tag = who.partition("#")
    if owner != ctx.incoming.sender.id:
        await ctx.answer_button(ctx.t("report.repeat_not_yours"))
        return Answer(None, None)
    question = ctx.current_prompt()
    if question is None or question.kind != REPEAT or question.data.get("tag") != tag:
        await ctx.answer_button(ctx.t("report.repeat_gone"))
        await ctx.remove_buttons()
        return Answer(None, None)
    await ctx.answer_button()
    await ctx.remove_buttons()
    return Answer(question, value == "y")


def still_waiting(ctx: Context) -> Reply:
    """Text nothing understood while the question waits: how to answer it."""
    return Reply(ctx.t("report.repeat_waiting"))


def move_on(ctx: Context) -> None:
    """A new report was stored: a question still waiting about a repeated one is left behind
    (the pipeline tells the person that the repeated one was not stored)."""
    question = ctx.current_prompt()
    if question is not None and question.kind == REPEAT:
        ctx.clear_prompt()


def _tag(text: str) -> str:
    """Tells this report's question from another's (a button of an older question)."""
    return hashlib.blake2s(fold(text).encode(), digest_size=3).hexdigest()
