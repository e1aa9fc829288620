"""Dispatcher: an Incoming to a command, typed twin, prompt or button; one error boundary."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Sequence

from bot.app.services import Services
from bot.core.context import ROLE_KEYS, Context, Reply
from bot.core.errors import Forbidden, UserError, WrongPlace
from bot.core.messages import ChatKind, Incoming, Outgoing, UpdateKind
from bot.core.models import Role
from bot.core.router import Command, Handler, HandlerResult, Router, TypedTwin
from bot.core.text import fold
from bot.delivery.sender import private_chat

log = logging.getLogger(__name__)

_COMMAND = re.compile(r"^/([^\s@]+)(@\S+)?(?:\s+(.*))?$", re.DOTALL)
_BARE_NUMBER = re.compile(r"^#?\d{1,6}$")
MAX_QUOTED = 300  # characters of a person's own text quoted back in a refusal


class Dispatcher:
    """Routes each event to one handler and sends what it returns."""

    def __init__(
        self, routers: Sequence[Router], services: Services, *, default_lang: str
    ) -> None:
        self.services = services
        self.default_lang = default_lang
        self.commands: dict[str, Command] = {}
        self.twins: list[TypedTwin] = []
        self.prompts: dict[str, Handler] = {}
        self.callbacks: dict[str, Handler] = {}
        self.edits: dict[str, Handler] = {}
        self.listeners: list[Handler] = []
        for router in routers:
            for cmd in router.commands:
                for name in (cmd.name, *cmd.aliases):
                    if name in self.commands:
                        msg = f"command /{name} registered twice"
                        raise ValueError(msg)
                    self.commands[name] = cmd
            self.twins.extend(router.twins)
            self.prompts.update(router.prompts)
            self.callbacks.update(router.callbacks)
            self.edits.update(router.edits)
            self.listeners.extend(router.listeners)
        self._command_list = sorted(
            {id(c): c for c in self.commands.values()}.values(), key=lambda c: c.order
        )

    def command_list(self) -> list[Command]:
        """Every command once, in registration order (what /trogiup and the menus show)."""
        return list(self._command_list)

    async def handle(self, inc: Incoming) -> list[Reply]:
        """Process one event; returns the replies that were sent (for tests and logs)."""
        people = self.services.people
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
        handler = self._route(ctx)
        if handler is None:
            return []
        if actor.person is not None and not actor.person.active and handler != self._overheard:
            handler = _deactivated  # /ngung: history kept, no more use of the bot
        replies = await self._run(self._consented(handler), ctx)
        for reply in replies:
            await self._send(ctx, reply)
        return replies

    async def tell(self, inc: Incoming, key: str, /, **params: object) -> None:
        """Answer an event with one catalog message without handling it (intake refusals)."""
        person = self.services.people.actor(inc).person
        lang = self._lang(person.language if person else "")
        reply_to = inc.message_id if inc.chat.kind is ChatKind.GROUP else ""
        text = self.services.translate(lang, key, **params)
        await self.services.delivery.send(Outgoing(inc.chat, text, reply_to=reply_to), lang=lang)

    def _lang(self, lang: str) -> str:
        return lang or self.default_lang

    def _route(self, ctx: Context) -> Handler | None:
        inc = ctx.incoming
        if inc.kind is UpdateKind.CALLBACK:
            prefix = inc.callback_data.split(":", 1)[0]
            return self.callbacks.get(prefix, _ignore_callback)
        text = inc.text.strip()
        if inc.kind is UpdateKind.EDITED:
            # Only an edited message that carried a command with an edit handler changes anything.
            edited = _COMMAND.match(text)
            if not edited or edited.group(2):
                return None
            ctx.command = fold(edited.group(1))
            ctx.args = text
            return self.edits.get(ctx.command)
        addressed = ctx.is_private or inc.mentions_bot
        match = _COMMAND.match(text)
        if match:
            if match.group(2):
                return None  # /cmd@OtherBot: the adapter already stripped our own name
            ctx.command = fold(match.group(1))
            ctx.args = (match.group(3) or "").strip()
            cmd = self.commands.get(ctx.command)
            if cmd is None:
                return _unknown_command if addressed else None
            return self._guarded(cmd)
        if not text:
            return None
        if not addressed:
            # Ordinary talk in a group the bot reads: only listeners (the rumour watch) see it.
            return self._overheard if ctx.is_group and self.listeners else None
        folded = fold(text)
        for twin in self.twins:
            found = twin.pattern.fullmatch(folded)
            if found:
                ctx.data["match"] = found
                return twin.handler
        prompt, expired = self.services.prompts.get(inc)
        if prompt is not None and prompt.kind in self.prompts:
            ctx.data["prompt"] = prompt
            ctx.args = text
            return self.prompts[prompt.kind]
        if expired:
            return _prompt_expired
        if _BARE_NUMBER.match(text):
            return _stray_number
        return self._overheard if ctx.is_group and self.listeners else _not_understood

    async def _overheard(self, ctx: Context) -> HandlerResult:
        """Group text nothing else took: the first listener that answers is the reply. If none
        does, text addressed to the bot gets the usual short help and other talk nothing; a
        listener that fails is logged, never answered with an apology to ordinary talk."""
        for listener in self.listeners:
            try:
                result = await listener(ctx)
            except Exception:
                log.exception("listener failed chat=%s", ctx.incoming.chat.platform)
                continue
            if result:
                return result
        return await _not_understood(ctx) if ctx.incoming.mentions_bot else None

    def _guarded(self, cmd: Command) -> Handler:
        """Wrap a command with its where (G/P) and who (roles) checks."""

        async def guarded(ctx: Context) -> HandlerResult:
            kind = ctx.incoming.chat.kind
            if kind not in cmd.where:
                key = "where.private_only" if kind is ChatKind.GROUP else "where.group_only"
                raise WrongPlace(key, command=cmd.name)
            if cmd.roles is not None:
                if ctx.actor.anonymous:
                    raise Forbidden("anonymous.refused")
                if not ctx.actor.has_any(cmd.roles):
                    who = ", ".join(ctx.t(ROLE_KEYS[r]) for r in sorted(cmd.roles | {Role.ADMIN}))
                    raise Forbidden("forbidden.roles", command=cmd.name, who=who)
            return await self._consented(cmd.handler)(ctx)

        return guarded

    def _consented(self, handler: Handler) -> Handler:
        """A handler that stores what a person sends runs only once they agreed to the privacy
        notice; before that they get the notice with its button, and nothing is stored."""
        privacy = self.services.privacy
        if not privacy.gates(handler):
            return handler

        async def gated(ctx: Context) -> HandlerResult:
            refusal = privacy.refusal(ctx.incoming, ctx.actor.person, ctx.lang)
            if refusal is None:
                return await handler(ctx)
            if ctx.incoming.kind is UpdateKind.CALLBACK:
                if ctx.incoming.callback_data.startswith("poll:"):
                    return None  # a native poll's vote has no chat to answer in: not counted
                await _ignore_callback(ctx)
            text, buttons = refusal
            return Reply(text, buttons=buttons)

        return gated

    async def _run(self, handler: Handler, ctx: Context) -> list[Reply]:
        try:
            result = await handler(ctx)
        except UserError as exc:
            log.info("refused key=%s command=%s", exc.key, ctx.command or "-")
            return [Reply(ctx.t(exc.key, **_shown(exc.params)))]
        except Exception:
            number = secrets.token_hex(3).upper()
            log.exception("handler failed error_id=%s command=%s", number, ctx.command or "-")
            return [Reply(ctx.t("error.internal", number=number))]
        if result is None:
            return []
        return result if isinstance(result, list) else [result]

    async def _send(self, ctx: Context, reply: Reply) -> None:
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
        sent = await self.services.delivery.send(out, lang=ctx.lang)
        if sent is None and reply.private and ctx.is_group:
            # The person never opened a private chat with the bot: say so in the group instead.
            await self.services.delivery.send(
                Outgoing(inc.chat, ctx.t("private.unreachable"), reply_to=inc.message_id),
                lang=ctx.lang,
            )


def _shown(params: dict[str, object]) -> dict[str, object]:
    """A refusal quotes what was typed; 10,000 characters of it would only bury the answer."""
    return {
        k: v[:MAX_QUOTED] + "…" if isinstance(v, str) and len(v) > MAX_QUOTED else v
        for k, v in params.items()
    }


async def _unknown_command(ctx: Context) -> Reply:
    return ctx.reply("unknown.command", command=ctx.command)


async def _deactivated(ctx: Context) -> Reply:
    return ctx.reply("person.deactivated")


async def _not_understood(ctx: Context) -> Reply:
    return ctx.reply("unknown.text")


async def _stray_number(ctx: Context) -> Reply:
    return ctx.reply("prompt.stray_number")


async def _prompt_expired(ctx: Context) -> Reply:
    return ctx.reply("prompt.expired")


async def _ignore_callback(ctx: Context) -> None:
    await ctx.services.delivery.answer_callback(ctx.incoming.chat, ctx.incoming.callback_id)
