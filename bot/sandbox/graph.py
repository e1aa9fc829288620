"""The sandbox's own service graph: the same App (router, handlers, services, outbox,
scheduler) over its own data directory and only the sandbox's two imitated apps."""

from __future__ import annotations

import asyncio
import logging
import shutil
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.app.runtime import App
from bot.config.store import StoreSection
from bot.core.areas import AreaTree
from bot.core.clock import Clock, SystemClock
from bot.core.i18n import LANGUAGES
from bot.core.messages import ChatKind, ChatRef
from bot.core.models import Account
from bot.core.platform import Platform
from bot.features.reports.types import ReportTypes
from bot.sandbox.adapter import PLATFORM, SandboxPlatform, sandbox_chat
from bot.sandbox.hub import SandboxHub
from bot.sandbox.seed import Persona, group_id, seed_demo
from bot.store import open_store

if TYPE_CHECKING:
    from bot.config.loading import Config

log = logging.getLogger(__name__)

APPS = ("telegram", "zalo")
ROLE_ORDER = ("admin", "supervisor", "officer", "collaborator")


def sandbox_config(config: Config) -> Config:
    """The deployment's config with the sandbox's own data, no real platform, no admin
    account of the real district, no webhook and no API (training reports stay in the
    training); file links are relative to this web server's /sandbox. Always the embedded
    store in its own folder, never the deployment's PostgreSQL (nor a place among its
    instances): a training district never touches the real one's records."""
    platforms = config.platforms
    return config.model_copy(
        update={
            "data_dir": config.data_dir / "sandbox",
            "store": StoreSection(),
            "admins": (),
            "web": config.web.model_copy(update={"public_base_url": "/sandbox"}),
            "webhooks": config.webhooks.model_copy(update={"endpoints": ()}),
            "api": config.api.model_copy(update={"enabled": False}),
            "platforms": platforms.model_copy(
                update={
                    "telegram": platforms.telegram.model_copy(update={"enabled": False}),
                    "zalo": platforms.zalo.model_copy(update={"enabled": False}),
                }
            ),
        }
    )


class SandboxError(ValueError):
    """A request the sandbox cannot take (unknown person, a group on Zalo…); said to the page."""


class Sandbox:
    """The demo district, fresh at every start and on reset; chats live in the hub."""

    def __init__(self, config: Config, *, clock: Clock | None = None) -> None:
        self.config = sandbox_config(config)
        self.clock = clock or SystemClock()
        self.areas = AreaTree.from_config(config.areas)
        self.hub = SandboxHub(config.tzinfo())
        self.platforms: dict[tuple[str, str], Platform] = {
            (PLATFORM, app): SandboxPlatform(app, self.hub) for app in APPS
        }
        self.app: App | None = None
        self.personas: dict[str, Persona] = {}
        self.lock = asyncio.Lock()

    # --- life ---------------------------------------------------------------------------------

    async def start(self) -> None:
        async with self.lock:
            await self._start()

    async def stop(self) -> None:
        async with self.lock:
            await self._stop()
        self.hub.close()

    async def reset(self) -> None:
        """Restore the demo: a fresh store, fresh people, empty chats; open pages reload."""
        async with self.lock:
            await self._stop()
            self.hub.clear()
            await self._start()
        log.info("sandbox reset")

    async def _start(self) -> None:
        data_dir = self.config.data_dir
        shutil.rmtree(data_dir, ignore_errors=True)  # a training district starts afresh
        store = open_store(data_dir)
        try:
            types = (
                ReportTypes.from_config(
                    self.config.report_types, default=self.config.default_report_type
                )
                if self.config.report_types
                else None
            )
            now = self.clock.now()
            people = seed_demo(store, self.areas, types, now=now, tz=self.config.tzinfo())
        finally:
            store.close()
        self.personas = {p.uid: p for p in people}
        self.hub.group_admins = {
            sandbox_chat("telegram", group_id(p.commune), ChatKind.GROUP).key: {p.uid}
            for p in people
            if p.role == "officer"
        }
        self.app = App(self.config, clock=self.clock, platforms=self.platforms, serve_web=False)
        await self.app.start()
        log.info("sandbox started with %d demo people", len(people))

    async def _stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
            self.app = None

    # --- people acting ------------------------------------------------------------------------

    def persona(self, uid: str) -> Persona:
        found = self.personas.get(uid)
        if found is None:
            raise SandboxError("unknown person")
        return found

    def chat_of(self, persona: Persona, app: str, where: str) -> ChatRef:
        if app not in APPS:
            raise SandboxError("app must be telegram or zalo")
        if where == "group":
            if app != "telegram":
                raise SandboxError("Zalo bots cannot be in groups: use a private chat")
            if not persona.commune:
                raise SandboxError("this person has no commune group")
            return sandbox_chat("telegram", group_id(persona.commune), ChatKind.GROUP)
        if where != "private":
            raise SandboxError("where must be private or group")
        return sandbox_chat(app, persona.uid, ChatKind.PRIVATE)

    def use_app(self, persona: Persona, app: str) -> None:
        """The person now uses this app (like a new phone): their account moves there."""
        if persona.app == app:
            return
        persona.app = app
        store = self.app.store if self.app is not None else None
        if store is None:
            return
        key = f"{PLATFORM}:{app}:{persona.uid}"
        for other in APPS:
            person = store.people.by_account(f"{PLATFORM}:{other}:{persona.uid}")
            if person is not None and other != app:
                moved = Account(key, display_name=persona.name, reachable=True)
                store.people.save(replace(person, accounts=(moved,)))
                log.info("sandbox person %s now on %s", persona.uid, app)
                return

    def use_language(self, persona: Persona, lang: str) -> None:
        """The page's language becomes the person's, as if they had typed `/ngonngu en`: the
        bot answers them in it from now on (a newcomer not yet known is recorded with it)."""
        if lang not in LANGUAGES:
            raise SandboxError("lang must be vi or en")
        store = self.app.store if self.app is not None else None
        if store is None:
            return
        key = f"{PLATFORM}:{persona.app}:{persona.uid}"
        person = store.people.by_account(key)
        if person is None:
            if lang == self.config.language:
                return  # a stranger is answered in the default language already
            account = Account(key, display_name=persona.name)
            store.people.add(
                name=persona.name, accounts=(account,), created_at=self.clock.now(), language=lang
            )
        elif person.language != lang:
            store.people.save(replace(person, language=lang))
        else:
            return
        log.info("sandbox person %s now reads %s", persona.uid, lang)

    def refreshed(self) -> list[Persona]:
        """The personas with their roles as the store has them now (a newcomer approved by the
        officer is a collaborator from then on; /vaitro changes show too)."""
        store = self.app.store if self.app is not None else None
        if store is None:
            return list(self.personas.values())
        for persona in self.personas.values():
            person = store.people.by_account(f"{PLATFORM}:{persona.app}:{persona.uid}")
            grants = [g for g in person.roles if g.area in self.areas] if person else []
            if not grants:
                persona.role, persona.area, persona.commune = "", "", ""
                continue
            grant = min(grants, key=lambda g: ROLE_ORDER.index(g.role.value))
            persona.role, persona.area = grant.role.value, grant.area
            persona.commune = self._commune_of(grant.area)
        return list(self.personas.values())

    def _commune_of(self, area: str) -> str:
        path = self.areas.get(area).path
        return next((c for c in path if self.areas.get(c).kind in ("commune", "ward")), "")

    def platform(self, app: str) -> SandboxPlatform:
        platform = self.platforms[(PLATFORM, app)]
        assert isinstance(platform, SandboxPlatform)
        return platform
