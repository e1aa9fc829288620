"""The steps every routed event goes through, in order, each with the one reason it is there.

Before these steps, intake (bot.app.intake) has refused one person's flood (the throttle, with
one polite reply per burst), written the event down before the platform heard back, dropped a
repeat of an update already handled (de-duplication), and queued the event behind the earlier
ones of its chat. The dispatcher (bot.app.dispatch) then names the actor, routes the event to
one handler and runs PIPELINE around it: each step gets the event and the rest of the steps
(`call_next`), like aiogram's middlewares, and may answer without calling them.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.app.storage_alert import is_storage_failure
from bot.core.context import ROLE_KEYS, Context, Reply
from bot.core.errors import Forbidden, UserError, WrongPlace
from bot.core.messages import ChatKind, Outgoing, UpdateKind
from bot.core.models import Role
from bot.core.router import Command, Handler
from bot.delivery.sender import private_chat

log = logging.getLogger(__name__)

MAX_QUOTED = 300  # characters of a person's own text quoted back in a refusal


@dataclass(frozen=True, slots=True)
class Route:
    """Where the dispatcher sent an event: the handler, and the command it came as (whose
    where and roles apply), if any."""

    handler: Handler
    command: Command | None = None
    overheard: bool = False  # ordinary group talk for the listeners, not addressed to the bot


@dataclass(frozen=True, slots=True)
class Turn:
    """One event on its way through the steps."""

    ctx: Context
    route: Route


Next = Callable[[Turn], Awaitable[list[Reply]]]
Run = Callable[[Turn, Next], Awaitable[list[Reply]]]


@dataclass(frozen=True, slots=True)
class Step:
    """One named step of the pipeline, and why it is there."""

    name: str
    run: Run
    why: str


async def run_steps(steps: Sequence[Step], turn: Turn) -> list[Reply]:
    """Run `steps` in order around the routed handler; returns the replies."""

    async def call(index: int, turn: Turn) -> list[Reply]:
        if index == len(steps):
            result = await turn.route.handler(turn.ctx)
            if result is None:
                return []
            return result if isinstance(result, list) else [result]
        return await steps[index].run(turn, lambda t: call(index + 1, t))

    return await call(0, turn)


# --- the steps, outermost first ----------------------------------------------------------------


async def send_replies(turn: Turn, call_next: Next) -> list[Reply]:
    """Send what the steps below return: in the chat, under the event in a group; a private
    reply from a group goes to the sender's private chat, or says so in the group."""
    replies = await call_next(turn)
    for reply in replies:
        await _send(turn.ctx, reply)
    return replies


async def error_boundary(turn: Turn, call_next: Next) -> list[Reply]:
    ctx = turn.ctx
    try:
        return await call_next(turn)
    except UserError as exc:
        log.info("refused key=%s command=%s", exc.key, ctx.command or "-")
        return [Reply(ctx.t(exc.key, **_shown(exc.params)))]
    except Exception as exc:
        if is_storage_failure(exc):
            raise  # no bug but a full disk: intake keeps the event and handles it again later
        number = secrets.token_hex(3).upper()
        log.exception("handler failed error_id=%s command=%s", number, ctx.command or "-")
        return [Reply(ctx.t("error.internal", number=number))]


async def deactivated(turn: Turn, call_next: Next) -> list[Reply]:
    person = turn.ctx.actor.person
    if person is not None and not person.active and not turn.route.overheard:
        return [turn.ctx.reply("person.deactivated")]
    return await call_next(turn)


async def where_guard(turn: Turn, call_next: Next) -> list[Reply]:
    cmd = turn.route.command
    kind = turn.ctx.incoming.chat.kind
    if cmd is not None and kind not in cmd.where:
        key = "where.private_only" if kind is ChatKind.GROUP else "where.group_only"
        raise WrongPlace(key, command=cmd.name)
    return await call_next(turn)


async def role_guard(turn: Turn, call_next: Next) -> list[Reply]:
    cmd, ctx = turn.route.command, turn.ctx
    if cmd is not None and cmd.roles is not None:
        if ctx.actor.anonymous:
            raise Forbidden("anonymous.refused")
        if not ctx.actor.has_any(cmd.roles):
            if Role.COLLABORATOR in cmd.roles and ctx.actor.person is not None:
                # A newcomer whose registration waits hears that, not "not for you".
                ctx.services.people.registrations.refuse_if_waiting(ctx.actor.person)
            who = ", ".join(ctx.t(ROLE_KEYS[r]) for r in sorted(cmd.roles | {Role.ADMIN}))
            raise Forbidden("forbidden.roles", command=cmd.name, who=who)
    return await call_next(turn)


async def consent_gate(turn: Turn, call_next: Next) -> list[Reply]:
    ctx = turn.ctx
    privacy = ctx.services.privacy.consent
    if not privacy.gates(turn.route.handler):
        return await call_next(turn)
    refusal = privacy.refusal(ctx.incoming, ctx.actor.person, ctx.lang)
    if refusal is None:
        return await call_next(turn)
    if ctx.incoming.kind is UpdateKind.CALLBACK:
        if ctx.incoming.callback_data.startswith("poll:"):
            return []  # a native poll's vote has no chat to answer in: not counted
        await ctx.answer_button()
    text, buttons = refusal
    return [Reply(text, buttons=buttons)]


async def question_left(turn: Turn, call_next: Next) -> list[Reply]:
    """A question that must not end unsaid (the dispatcher's `ctx.data["waiting"]`: "send
    the repeated report again?") and that this event ended without answering it (another
    question in its place, a new report, /huy): the person is told, after the replies."""
    replies = await call_next(turn)
    ctx = turn.ctx
    waiting = ctx.data.get("waiting")
    if waiting is None:
        return replies
    question, note = waiting
    now = ctx.services.prompts.live(ctx.incoming)
    if now is not None and (now.kind, now.data) == (question.kind, question.data):
        return replies  # still waiting, or asked again as it was
    return [*replies, Reply(ctx.t(note, **_shown(question.data)))]


# Outermost first: each step runs around the ones after it, and the last around the handler.
PIPELINE: tuple[Step, ...] = (
    Step("send", send_replies,
         "a handler returns its replies and sends nothing; they leave here, after every step"),
    Step("error boundary", error_boundary,
         "a refusal (the guards' below too) becomes its text, a bug an apology with a number; "
         "a write the full disk refused goes up to intake, which keeps the event"),
    Step("deactivated", deactivated,
         "a person stopped with /ngung keeps their history but uses the bot no more"),
    Step("where", where_guard,
         "a command runs only in the kind of chat (group, private) its G/P column allows"),
    Step("roles", role_guard,
         "a command with roles runs only for a known person holding one (admins always do)"),
    Step("consent", consent_gate,
         "what stores a person's words runs only once they agreed to the privacy notice"),
    Step("question left", question_left,
         "a question that must not end unsaid (a repeated report's) and that a message other "
         "than its answer ended is told: nothing is dropped silently"),
)  # fmt: skip


# --- helpers -----------------------------------------------------------------------------------


def _shown(params: dict[str, object]) -> dict[str, object]:
    """A refusal quotes what was typed; 10,000 characters of it would only bury the answer."""
    return {
        k: v[:MAX_QUOTED] + "…" if isinstance(v, str) and len(v) > MAX_QUOTED else v
        for k, v in params.items()
    }


async def _send(ctx: Context, reply: Reply) -> None:
    inc = ctx.incoming
    chat = inc.chat
    reply_to = inc.message_id if ctx.is_group else ""
    if reply.private and ctx.is_group:
        chat = private_chat(inc.sender.key)
        reply_to = ""
    out = Outgoing(
        chat=chat,
        text=reply.text,
        buttons=reply.buttons,
        reply_to=reply_to,
        file=reply.file,
        force_reply=reply.force_reply,
    )
    sender = ctx.services.delivery.sender
    sent = await sender.send(out, lang=ctx.lang)
    if sent is not None and reply.on_sent is not None:
        try:
            reply.on_sent(sent)
        except Exception:  # what a reply leaves behind is a convenience; it was sent anyway
            log.warning("after sending a reply: %s failed", reply.on_sent, exc_info=True)
    if sent is None and reply.private and ctx.is_group:
        # The person never opened a private chat with the bot: say so in the group instead.
        await sender.send(
            Outgoing(inc.chat, ctx.t("private.unreachable"), reply_to=inc.message_id),
            lang=ctx.lang,
        )
