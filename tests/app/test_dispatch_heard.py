"""The dispatcher's listeners: group text no command, twin or prompt took."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from bot.app.dispatch import Dispatcher
from bot.core.actor import Actor
from bot.core.context import Context, Reply
from bot.core.messages import ChatKind, ChatRef, Incoming, UpdateKind, UserRef
from bot.core.router import Router

router = Router("test")
heard: list[str] = []


@router.typed(r"ok (\d+)")
async def twin(ctx: Context) -> Reply:
    return Reply("twin")


@router.heard()
async def failing(ctx: Context) -> Reply | None:
    heard.append("failing")
    raise RuntimeError("a bug in a listener")


@router.heard()
async def echo(ctx: Context) -> Reply | None:
    heard.append(ctx.incoming.text)
    return Reply("heard") if "rumour" in ctx.incoming.text else None


def _context(text: str, *, kind: ChatKind, addressed: bool) -> Context:
    user = UserRef("telegram", "", "7")
    inc = Incoming(
        update_id="1", kind=UpdateKind.MESSAGE, chat=ChatRef("telegram", "", "-5", kind),
        sender=user, sender_name="A", text=text, date=datetime.now(UTC), mentions_bot=addressed,
    )  # fmt: skip
    services: Any = SimpleNamespace(
        translate=lambda lang, key, **params: key,
        prompts=SimpleNamespace(get=lambda inc: (None, False)),
    )
    return Context(inc, Actor(user, "A", None, ()), services, "vi")


async def _answer(text: str, *, kind: ChatKind = ChatKind.GROUP, addressed: bool) -> Any:
    ctx = _context(text, kind=kind, addressed=addressed)
    dispatcher = Dispatcher([router], ctx.services, default_lang="vi")
    route = dispatcher._route(ctx)
    return None if route is None else await route.handler(ctx)


async def test_listeners_hear_group_talk_and_stay_quiet_otherwise() -> None:
    """Overheard talk reaches every listener (a failing one is skipped); only a listener's
    answer is sent; addressed text nobody took still gets the short help."""
    heard.clear()
    assert await _answer("a rumour here", addressed=False) == Reply("heard")
    assert heard == ["failing", "a rumour here"]
    assert await _answer("just talk", addressed=False) is None
    assert await _answer("just talk", addressed=True) == Reply("unknown.text")
    assert await _answer("ok 12", addressed=True) == Reply("twin"), "twins come first"
    heard.clear()
    assert await _answer("ok 12", addressed=False) is None, "twins need addressing"
    assert await _answer("a rumour", kind=ChatKind.PRIVATE, addressed=True) == Reply(
        "unknown.text"
    ), "private chats are not watched"
    assert heard == ["failing", "ok 12"]
