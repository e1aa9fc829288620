"""Composition root: config, store, services, platforms, dispatcher, web server."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.areas import AreaTree
from bot.clock import Clock, SystemClock
from bot.dispatch import Dispatcher
from bot.i18n import Translator
from bot.inbound import Inbound
from bot.messages import ChatKind, ChatRef, Incoming, UserRef
from bot.models import OutboxItem
from bot.platforms.base import Platform
from bot.services import Services
from bot.services.attachments import AttachmentResolver
from bot.services.delivery import Delivery
from bot.services.files import FileLinks, FileStore
from bot.services.groups import Groups
from bot.services.housekeeping import Housekeeping
from bot.services.limits import RateLimits, SendLimiter
from bot.services.links import Links
from bot.services.outbox import Backoff, Outbox
from bot.services.progress import Progress
from bot.services.prompts import Prompts
from bot.services.quota import Quotas
from bot.services.registrations import Registrations
from bot.services.registry import People
from bot.services.signing import LinkSigner, load_or_create_secret
from bot.store import open_store
from bot.web.files import file_routes
from bot.web.server import build_web_app, start_site
from handlers import ROUTERS

if TYPE_CHECKING:
    from bot.config import Config
    from bot.store.base import Store

log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY = 3600.0  # seconds


def unreachable(chat: ChatRef, *, people: People, groups: Groups) -> None:
    """A platform refused a chat for good: a person cannot be reached privately, or the bot is
    out of a group; either way later sends skip it until the person or group comes back."""
    if chat.kind is ChatKind.PRIVATE:
        people.mark_unreachable(UserRef(chat.platform, chat.bot, chat.id).key)
    else:
        groups.mark_unreachable(chat.key)


def describe_target(store: Store, areas: AreaTree) -> Callable[[OutboxItem], str]:
    """How a bulk send's summary names a chat: the group's area, or the person."""

    def describe(item: OutboxItem) -> str:
        if item.chat_kind == "group":
            binding = store.groups.get(item.chat_key)
            if binding is not None and binding.area in areas:
                return areas.get(binding.area).name
            return binding.title if binding and binding.title else item.chat_key
        person = store.people.get(item.recipient) if item.recipient else None
        if person is None:
            platform, bot, chat_id = item.chat_key.split(":", 2)
            user_key = f"{platform}:{bot}:{chat_id}" if bot else f"{platform}:{chat_id}"
            person = store.people.by_account(user_key)
        return person.name if person else item.chat_key

    return describe


def build_platforms(config: Config) -> dict[tuple[str, str], Platform]:
    """The platform adapters whose token is in the environment (imported only when used)."""
    platforms: dict[tuple[str, str], Platform] = {}
    tg = config.platforms.telegram
    if config.telegram_active():
        from bot.platforms.telegram import TelegramPlatform

        assert tg.token is not None
        secret = tg.webhook_secret.get_secret_value() if tg.webhook_secret else ""
        platforms[("telegram", "")] = TelegramPlatform(
            token=tg.token.get_secret_value(),
            api_base_url=tg.api_base_url,
            mode=tg.mode,
            webhook_url=config.webhook_url(tg.public_base_url, tg.webhook_path) or "",
            webhook_path=tg.webhook_path,
            webhook_secret=secret,
        )
    zl = config.platforms.zalo
    for bot in config.zalo_active_bots():
        from bot.platforms.zalo.transport import ZaloPlatform

        assert bot.token is not None
        path = f"{zl.webhook_path.rstrip('/')}/{bot.name}"
        secret = bot.webhook_secret.get_secret_value() if bot.webhook_secret else ""
        platforms[("zalo", bot.name)] = ZaloPlatform(
            name=bot.name,
            token=bot.token.get_secret_value(),
            api_base_url=zl.api_base_url,
            mode=zl.mode,
            webhook_url=config.webhook_url(zl.public_base_url, path) or "",
            webhook_path=path,
            webhook_secret=secret,
        )
    return platforms


class App:
    """One bot process: owns the store, platforms, dispatcher and web server."""

    def __init__(
        self,
        config: Config,
        *,
        clock: Clock | None = None,
        platforms: dict[tuple[str, str], Platform] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self.environ = os.environ if environ is None else environ
        self.file_routes: list[web.RouteDef] = []
        self.clock = clock or SystemClock()
        self.platforms = platforms if platforms is not None else build_platforms(config)
        self.store: Store | None = None
        self.web_runner: web.AppRunner | None = None
        self.web_port = 0
        self.inbound: Inbound | None = None
        self.dispatcher: Dispatcher | None = None
        self.services: Services | None = None
        self.started: list[Platform] = []
        self._outbox_task: asyncio.Task[None] | None = None
        self._housekeeping_task: asyncio.Task[None] | None = None

    def _limiters(self) -> dict[tuple[str, str], SendLimiter]:
        limits = self.config.delivery
        return {
            key: SendLimiter(RateLimits(**getattr(limits, key[0]).model_dump()))
            for key in self.platforms
        }

    def _services(self, store: Store) -> Services:
        config = self.config
        areas = AreaTree.from_config(config.areas)
        translate = Translator(config.language)
        admins = [(a.account, a.area or "") for a in config.admin_entries()]
        people = People(store=store, areas=areas, admins=admins, clock=self.clock)
        groups = Groups(store=store, areas=areas, clock=self.clock)
        delivery = Delivery(
            platforms=self.platforms,
            translate=translate,
            default_lang=config.language,
            on_unreachable=lambda chat: unreachable(chat, people=people, groups=groups),
            people=store.people.all,
            admin_keys=[key for key, _ in admins],
            limiters=self._limiters(),
        )
        quotas = Quotas(
            store=store, clock=self.clock, tz=config.tzinfo(), notifier=delivery,
            quotas={b.name: b.monthly_quota for b in config.platforms.zalo.bots},
            alert_ratio=config.delivery.quota_alert_percent / 100,
        )  # fmt: skip
        delivery.quotas = quotas
        progress = Progress(
            store=store, clock=self.clock, delivery=delivery, translate=translate,
            default_lang=config.language, describe=describe_target(store, areas),
        )  # fmt: skip
        files = FileStore.in_data_dir(config.data_dir, clock=self.clock)
        signer = LinkSigner(load_or_create_secret(config.data_dir, self.environ), clock=self.clock)
        links = FileLinks(files, signer, public_base_url=config.web.public_base_url)
        self.file_routes = file_routes(files, signer)
        outbox = Outbox(
            store=store, clock=self.clock, delivery=delivery, quotas=quotas, progress=progress,
            files=AttachmentResolver(
                files=files, links=links, delivery=delivery, translate=translate,
                default_lang=config.language,
            ),
            concurrency=config.delivery.concurrency, max_attempts=config.delivery.max_attempts,
            backoff=Backoff(base=config.delivery.retry_base_seconds),
        )  # fmt: skip
        reg = config.registration
        return Services(
            areas=areas,
            clock=self.clock,
            translate=translate,
            people=people,
            registrations=Registrations(
                store=store, areas=areas, people=people, clock=self.clock, notifier=delivery
            ),
            groups=groups,
            links=Links(
                store=store,
                people=people,
                clock=self.clock,
                ttl=timedelta(minutes=reg.link_code_minutes),
            ),
            prompts=Prompts(
                store=store, clock=self.clock, ttl=timedelta(minutes=reg.prompt_minutes)
            ),
            delivery=delivery,
            outbox=outbox,
            quotas=quotas,
            files=files,
            file_links=links,
            housekeeping=Housekeeping(
                store=store, clock=self.clock, files=files, keep_days=config.delivery.keep_days
            ),
            privacy_days=config.privacy.retention_days,
            link_minutes=reg.link_code_minutes,
        )

    async def start(self) -> None:
        """Open the store, wire the services, serve the web app and start every platform."""
        self.store = store = open_store(self.config.data_dir)
        self.services = services = self._services(store)
        self.dispatcher = Dispatcher(ROUTERS, services, default_lang=self.config.language)
        self.inbound = Inbound(store=store, dispatcher=self.dispatcher, clock=self.clock)
        routes = [r for p in self.platforms.values() for r in p.routes()] + self.file_routes
        app = build_web_app(
            platforms=self.platforms, routes=routes, config=self.config, health=self.health
        )
        self.web_runner, self.web_port = await start_site(
            app, host=self.config.web.host, port=self.config.web.port
        )
        for key, platform in self.platforms.items():
            try:
                await platform.start(self.inbound.submit)
            except Exception:
                # One bad token must not take the other platforms down with it.
                log.exception("platform failed to start platform=%s bot=%s", *key)
                continue
            self.started.append(platform)
            await self._register_menu(platform)
        self._outbox_task = asyncio.create_task(services.outbox.run())
        self._housekeeping_task = asyncio.create_task(self._housekeeping())
        log.info(
            "bot started platforms=%s web_port=%s",
            ",".join(f"{p.name}:{p.bot}" if p.bot else p.name for p in self.started) or "none",
            self.web_port,
        )

    def health(self) -> dict[str, Any]:
        """What /healthz reports: each transport, the outbox backlog, Zalo quotas."""
        stale = self.config.health.stale_after_seconds
        now = time.monotonic()
        transports: dict[str, Any] = {}
        healthy = True
        for (name, bot), platform in self.platforms.items():
            last = platform.last_receive_at
            age = round(now - last, 1) if last else None
            # A webhook hears nothing in a quiet night; only a poller's silence means trouble.
            fresh = platform.mode == "webhook" or (age is not None and age <= stale)
            alive = platform in self.started and platform.receiving and fresh
            healthy = healthy and alive
            transports[f"{name}:{bot}" if bot else name] = {
                "alive": alive, "mode": platform.mode, "last_receive_seconds_ago": age,
            }  # fmt: skip
        body: dict[str, Any] = {"platforms": transports}
        if self.store is not None and self.services is not None:
            backlog, oldest = self.store.outbox.backlog()
            oldest_age = (self.clock.now() - oldest).total_seconds() if oldest else None
            body["outbox"] = {"backlog": backlog, "oldest_pending_seconds": oldest_age}
            body["zalo_quota"] = {
                q.bot: {"month": q.month, "quota": q.quota, "used": q.used, "left": q.left}
                for q in self.services.quotas.states()
            }
        if self.inbound is not None:
            body["intake"] = {
                "handled": self.inbound.handled,
                "duplicates": self.inbound.duplicates,
            }
        body["status"] = "ok" if healthy else "degraded"
        return body

    async def _housekeeping(self) -> None:
        """Clean up at start and then every hour (the scheduler work may take this over)."""
        while self.services is not None:
            try:
                self.services.housekeeping.run_once()
            except Exception:
                log.exception("housekeeping failed")
            await asyncio.sleep(HOUSEKEEPING_EVERY)

    async def _register_menu(self, platform: Platform) -> None:
        assert self.dispatcher is not None
        from bot.menu import command_menus

        try:
            await platform.set_commands(command_menus(self.dispatcher))
        except Exception:
            log.warning("command menu not registered platform=%s", platform.name)

    async def stop(self) -> None:
        """Stop receiving, let in-flight handlers finish their sends, then close everything."""
        for platform in reversed(self.started):
            try:
                await platform.stop()
            except Exception:
                log.exception("platform stop failed platform=%s", platform.name)
        if self._housekeeping_task is not None:
            self._housekeeping_task.cancel()
            await asyncio.gather(self._housekeeping_task, return_exceptions=True)
            self._housekeeping_task = None
        if self.inbound is not None:
            await self.inbound.drain()
        if self.services is not None and self._outbox_task is not None:
            await self.services.outbox.stop()
            await asyncio.gather(self._outbox_task, return_exceptions=True)
            self._outbox_task = None
        for platform in reversed(self.started):
            try:
                await platform.close()
            except Exception:
                log.exception("platform close failed platform=%s", platform.name)
        self.started.clear()
        if self.web_runner is not None:
            await self.web_runner.cleanup()
            self.web_runner = None
        if self.store is not None:
            self.store.close()
            self.store = None
        log.info("bot stopped")

    async def handle_now(self, inc: Incoming) -> None:
        """Process one event to the end (tests and the sandbox use this path too)."""
        assert self.inbound is not None
        await self.inbound.process(inc)


async def run_forever(app: App, stop: asyncio.Event) -> None:
    """Start, wait for `stop`, then shut down cleanly."""
    await app.start()
    try:
        await stop.wait()
    finally:
        await app.stop()
