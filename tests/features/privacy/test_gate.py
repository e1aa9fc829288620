"""The consent gate names real handlers: a renamed handler must not slip past it."""

from __future__ import annotations

from bot.features.privacy.consent import STORES_DATA, handler_name
from handlers import ROUTERS


def test_every_gated_handler_exists() -> None:
    names = set()
    for router in ROUTERS:
        handlers = [c.handler for c in router.commands] + [t.handler for t in router.twins]
        handlers += [*router.prompts.values(), *router.callbacks.values(), *router.edits.values()]
        names |= {handler_name(h) for h in handlers}
    assert STORES_DATA <= names, STORES_DATA - names
    assert "handlers.consent.agree" in names and "handlers.consent.agree" not in STORES_DATA
