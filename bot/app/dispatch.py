"""Dispatcher: an Incoming to a command, typed twin, prompt or button, then the ordered steps
of bot.app.pipeline around that one handler (guards, consent, error boundary, sending)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from bot.app.pipeline import PIPELINE, Route, Step, Turn, run_steps
from bot.app.services import Services
from bot.core.context import Context, Reply
from bot.core.messages import ChatKind, Incoming, Outgoing, UpdateKind
from bot.core.router import Command, Handler, HandlerResult, Router, TypedTwin
from bot.core.text import fold

log = logging.getLogger(__name__)

# A command ends at a space or at punctuation glued to it: `/bc: sinh 1`, `/bc,sinh 1`.
_COMMAND = re.compile(r"^/([^\s@:=,;|.]+)(@[^\s:=,;|.]+)?(?:[\s:=,;|.]+(.*))?$", re.DOTALL)
_BARE_NUMBER = re.compile(r"^#?\d{1,6}$")


class Dispatcher:
    """Routes each event to one handler and runs the pipeline's steps around it."""

    def __init__(
        self,
        routers: Sequence[Router],
        services: Services,
        *,
        default_lang: str,
        steps: Sequence[Step] = PIPELINE,
    ) -> None:
        self.services = services
        self.default_lang = default_lang
        self.steps = tuple(steps)  # run in this order around each routed handler
        self.commands: dict[str, Command] = {}
        self.twins: list[TypedTwin] = []
        self.prompts: dict[str, Handler] = {}
        self.prompt_answers: dict[str, Callable[[str], bool]] = {}
        self.prompt_left: dict[str, str] = {}
        self.callbacks: dict[str, Handler] = {}
        self.edits: dict[str, Handler] = {}
        self.listeners: list[Handler] = []
        self.fallbacks: list[Handler] = []
        for router in routers:
            for cmd in router.commands:
                for name in (cmd.name, *cmd.aliases):
                    if name in self.commands:
                        msg = f"command /{name} registered twice"
                        raise ValueError(msg)
                    self.commands[name] = cmd
            self.twins.extend(router.twins)
            self.prompts.update(router.prompts)
            self.prompt_answers.update(router.prompt_answers)
            self.prompt_left.update(router.prompt_left)
            self.callbacks.update(router.callbacks)
            self.edits.update(router.edits)
            self.listeners.extend(router.listeners)
            self.fallbacks.extend(router.fallbacks)
        self._command_list = sorted(
            {id(c): c for c in self.commands.values()}.values(), key=lambda c: c.order
        )

    def command_list(self) -> list[Command]:
        """Every command once, in registration order (what /trogiup and the menus show)."""
        return list(self._command_list)

    async def handle(self, inc: Incoming) -> list[Reply]:
        """Process one event; returns the replies that were sent (for tests and logs)."""
        people = self.services.people.directory
        people.touch(inc)
        actor = people.actor(inc)
        lang = self._lang(actor.person.language if actor.person else "")
        ctx = Context(
            incoming=inc,
            actor=actor,
            services=self.services,
            lang=lang,
            data={"commands": self._command_list},
        )
        route = self._route(ctx)
        if route is None:
            return []
        self._note_waiting(ctx, route)
        return await run_steps(self.steps, Turn(ctx, route))

    def _note_waiting(self, ctx: Context, route: Route) -> None:
        """A question waiting for this person here that must not end unsaid: kept in
        `ctx.data["waiting"]` (with its note) when this event goes elsewhere, so that the
        pipeline's step tells the person if the event ends it."""
        prompt = self.services.prompts.live(ctx.incoming) if self.prompt_left else None
        if prompt is None or prompt.kind not in self.prompt_left:
            return
        if route.handler is not self.prompts.get(prompt.kind):
            ctx.data["waiting"] = (prompt, self.prompt_left[prompt.kind])

    async def tell(self, inc: Incoming, key: str, /, **params: object) -> None:
        """Answer an event with one catalog message without handling it (intake refusals)."""
        person = self.services.people.directory.actor(inc).person
        lang = self._lang(person.language if person else "")
        reply_to = inc.message_id if inc.chat.kind is ChatKind.GROUP else ""
        text = self.services.translate(lang, key, **params)
        out = Outgoing(inc.chat, text, reply_to=reply_to)
        await self.services.delivery.sender.send(out, lang=lang)

    def _lang(self, lang: str) -> str:
        return lang or self.default_lang

    def _route(self, ctx: Context) -> Route | None:
        """The one handler this event goes to (None: nothing answers it)."""
        inc = ctx.incoming
        if inc.kind is UpdateKind.CALLBACK:
            prefix = inc.callback_data.split(":", 1)[0]
            return Route(self.callbacks.get(prefix, _ignore_callback))
        text = inc.text.strip()
        if inc.kind is UpdateKind.EDITED:
            # Only an edited message that carried a command with an edit handler changes anything.
            edited = _COMMAND.match(text)
            if not edited or edited.group(2):
                return None
            ctx.command = fold(edited.group(1))
            ctx.args = text
            edit = self.edits.get(ctx.command)
            return Route(edit) if edit is not None else None
        addressed = ctx.is_private or inc.mentions_bot
        match = _COMMAND.match(text)
        if match:
            if match.group(2):
                return None  # /cmd@OtherBot: the adapter already stripped our own name
            ctx.command = fold(match.group(1))
            ctx.args = (match.group(3) or "").strip()
            cmd = self.commands.get(ctx.command)
            if cmd is None:
                if addressed:
                    return Route(self._unknown_command)
                # `/bao cao sinh 2` in a group: only the fallbacks may answer (a hint).
                return Route(self._misunderstood, overheard=True) if self.fallbacks else None
            return Route(cmd.handler, command=cmd)
        if not text:
            if addressed and any(a.kind == "unsupported" for a in inc.attachments):
                return Route(_withheld)
            return None
        if not addressed:
            # Ordinary talk in a group the bot reads: only listeners (the rumour watch) see it.
            return self._heard(ctx)
        folded = fold(text)
        for twin in self.twins:
            found = twin.pattern.fullmatch(folded)
            if found:
                ctx.data["match"] = found
                return Route(twin.handler)
        prompt, expired = self.services.prompts.get(inc)
        if prompt is not None and prompt.kind in self.prompts:
            ctx.data["prompt"] = prompt
            ctx.args = text
            answers = self.prompt_answers.get(prompt.kind)
            if answers is None or answers(text):
                return Route(self.prompts[prompt.kind])
            # No answer to it: handled as itself; the question waits, and hears what nothing
            # else understood (_not_understood).
            return self._heard(ctx) or Route(self._not_understood)
        if expired:
            return Route(_prompt_expired)
        if _BARE_NUMBER.match(text):
            return Route(_stray_number)
        return self._heard(ctx) or Route(self._not_understood)

    def _heard(self, ctx: Context) -> Route | None:
        """Group text no command, twin or prompt took goes to the listeners and fallbacks."""
        heard = ctx.is_group and (self.listeners or self.fallbacks)
        return Route(self._overheard, overheard=True) if heard else None

    async def _overheard(self, ctx: Context) -> HandlerResult:
        """Group text nothing else took: the first listener that answers is the reply. If none
        does, the fallbacks (a report without its command gets a hint), then text addressed
        to the bot gets the usual short help and other talk nothing; a listener that fails is
        logged, never answered with an apology to ordinary talk."""
        for listener in self.listeners:
            try:
                result = await listener(ctx)
            except Exception:
                log.exception("listener failed chat=%s", ctx.incoming.chat.platform)
                continue
            if result:
                return result
        if ctx.incoming.mentions_bot:
            return await self._not_understood(ctx)
        return await self._misunderstood(ctx)

    async def _misunderstood(self, ctx: Context) -> HandlerResult:
        """What nothing understood, for the fallbacks (a report without its command gets
        a hint): the first that answers; one that fails is logged and passed over."""
        for fallback in self.fallbacks:
            try:
                result = await fallback(ctx)
            except Exception:
                log.exception("fallback failed chat=%s", ctx.incoming.chat.platform)
                continue
            if result:
                return result
        return None

    async def _unknown_command(self, ctx: Context) -> HandlerResult:
        return await self._misunderstood(ctx) or ctx.reply("unknown.command", command=ctx.command)

    async def _not_understood(self, ctx: Context) -> HandlerResult:
        return (
            await self._misunderstood(ctx)
            or await self._to_waiting_question(ctx)
            or ctx.reply("unknown.text")
        )

    async def _to_waiting_question(self, ctx: Context) -> HandlerResult:
        """Text that is no answer to the question waiting here, and that nothing else
        understood: the question's handler says how to answer it."""
        prompt = ctx.data.get("prompt")
        return await self.prompts[prompt.kind](ctx) if prompt is not None else None


async def _withheld(ctx: Context) -> Reply:
    # The platform withheld the content (Zalo: files, contact cards, and protected senders such
    # as children or people who cannot read): say so kindly; never guess at what it was.
    return ctx.reply("unsupported.withheld")


async def _stray_number(ctx: Context) -> Reply:
    return ctx.reply("prompt.stray_number")


async def _prompt_expired(ctx: Context) -> Reply:
    return ctx.reply("prompt.expired")


async def _ignore_callback(ctx: Context) -> None:
    await ctx.answer_button()
