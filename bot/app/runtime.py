"""Composition root: config, store, services, platforms, dispatcher, web server."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.app.cluster.join import join, share_delivery
from bot.app.cluster.role import ClusterRole
from bot.app.cluster.turns import SharedTurns
from bot.app.dispatch import Dispatcher
from bot.app.health import health_report
from bot.app.intake import Inbound
from bot.app.intake_throttle import Throttle
from bot.app.platform_wiring import build_platforms
from bot.app.prompts import tell_expired
from bot.app.services import Services
from bot.app.silence_alert import SilenceWatch
from bot.app.storage_alert import StorageWatch, direct_tell
from bot.app.store_choice import open_configured
from bot.app.web_port import PortBusyError
from bot.app.wiring import build_services
from bot.core.clock import Clock, SystemClock
from bot.core.messages import Incoming
from bot.core.platform import Platform
from bot.delivery.progress import EDIT_EVERY
from bot.web.server import Handler, build_web_app, start_site
from handlers import ROUTERS
from scheduler.setup import build_engine

if TYPE_CHECKING:
    from bot.config.loading import Config
    from bot.store.base import Store
    from bot.store.postgres.cluster import Cluster
    from scheduler.engine import Engine

log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY = 3600.0  # seconds
SILENCE_EVERY = 60.0  # seconds between checks that every bot still receives
# Seconds between sweeps: a form's expiry note, a directive's chase or deadline summary comes
# at most this late.
SWEEP_EVERY = 30.0
# Several instances: how often the leader looks for reminders another instance added or changed.
RESYNC_EVERY = 5.0
# Of the stop bound (runtime.stop_timeout_seconds), the part kept for closing after the drain
# (platforms' connections, the web server, the store's last checkpoint), at most CLOSE_MOST.
CLOSE_SHARE, CLOSE_MOST = 0.2, 10.0


class App:
    """One bot process: owns the store, platforms, dispatcher and web server."""

    def __init__(
        self,
        config: Config,
        *,
        clock: Clock | None = None,
        platforms: dict[tuple[str, str], Platform] | None = None,
        environ: Mapping[str, str] | None = None,
        serve_web: bool = True,
        web_routes: list[web.RouteDef] | None = None,
        index: Handler | None = None,
    ) -> None:
        """`serve_web` False: no web server of its own (the sandbox's graph lives on the main
        one); `web_routes` and `index` add routes and replace the start page on it."""
        self.config = config
        self.environ = os.environ if environ is None else environ
        self.serve_web = serve_web
        self.extra_routes = list(web_routes or [])
        self.index = index
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
        self._hooks_task: asyncio.Task[None] | None = None  # the outgoing webhooks' sender
        self.scheduler: Engine | None = None
        self.silence: SilenceWatch | None = None
        self.storage: StorageWatch | None = None
        self.cluster: Cluster | None = None  # several instances on one PostgreSQL database
        self.role: ClusterRole | None = None

    def open_store(self) -> Store:
        """Take the data directory's lock and open the store (migrating one an older bot wrote):
        the first thing a process does, so that a second one on the same directory stops here,
        before it seeds, migrates or writes anything (StoreLockedError). On PostgreSQL, join the
        instances instead; a second one may not long-poll (StoreLockedError too)."""
        if self.store is None:
            store = open_configured(self.config)
            try:
                self.cluster = join(self.config, self.platforms)
            except BaseException:
                store.close()
                raise
            self.store = store
        return self.store

    async def start(self) -> None:
        """Open the store, wire the services, serve the web app and start every platform."""
        store = self.open_store()
        self.services, self.file_routes = build_services(
            self.config, store, platforms=self.platforms, clock=self.clock, environ=self.environ
        )
        services = self.services
        self.dispatcher = Dispatcher(ROUTERS, services, default_lang=self.config.language)
        self.storage = StorageWatch(
            probe=self._probe_store,
            tell=direct_tell(
                delivery=services.delivery.sender, people=store.people.all,
                admin_keys=[a.account for a in self.config.admin_entries()],
                translate=services.translate, default_lang=self.config.language,
                path=str(self.config.data_dir),
            ),
            settle=self.config.health.storage_settle_seconds,
        )  # fmt: skip
        intake = self.config.intake
        self.inbound = Inbound(
            store=store, dispatcher=self.dispatcher, clock=self.clock,
            throttle=Throttle(per_minute=intake.per_person_per_minute, burst=intake.burst),
            max_waiting_per_chat=intake.max_waiting_per_chat, storage=self.storage,
            files=services.files.store, quotas=services.delivery.quotas,
            turns=SharedTurns(self.cluster) if self.cluster is not None else None,
        )  # fmt: skip
        if self.cluster is not None:
            share_delivery(self.cluster, services.delivery)
            self.role = ClusterRole(
                self.cluster, limiters=services.delivery.sender.limiters.values(),
                on_lead=self._lead, on_follow=self._follow, adopt=self.inbound.adopt_waiting,
            )  # fmt: skip
        if self.serve_web:
            routes = [r for p in self.platforms.values() for r in p.routes()]
            app = build_web_app(
                platforms=self.platforms, routes=routes + self.file_routes + self.extra_routes,
                config=self.config, health=self.health, index=self.index,
            )  # fmt: skip
            host, port = self.config.web.host, self.config.web.port
            try:
                self.web_runner, self.web_port = await start_site(app, host=host, port=port)
            except OSError as exc:
                if exc.errno in (errno.EADDRINUSE, errno.EACCES):  # taken since check_port
                    raise PortBusyError(host, port, in_use=exc.errno == errno.EADDRINUSE) from exc
                raise
        self.inbound.replay_waiting()  # events taken in before a crash, ahead of new ones
        for key, platform in self.platforms.items():
            try:
                await platform.start(self.inbound.submit)
            except Exception:
                # One bad token must not take the other platforms down with it.
                log.exception("platform failed to start platform=%s bot=%s", *key)
                continue
            self.started.append(platform)
            await self._register_menu(platform)
        health = self.config.health
        self.silence = SilenceWatch(
            transports=self.platforms, people=store.people.all, outbox=services.delivery.outbox,
            admin_keys=[a.account for a in self.config.admin_entries()],
            translate=services.translate, default_lang=self.config.language,
            alert_after=health.silence_alert_minutes * 60.0,
            webhook_quiet_after=health.webhook_quiet_hours * 3600.0,
        )  # fmt: skip
        if self.role is not None:
            # Counted by the others before this one sends; leads if no one else does.
            await self.role.start()
        self.inbound.open()
        self._outbox_task = asyncio.create_task(services.delivery.outbox.run())
        if self.role is None:
            await self._lead()
        log.info(
            "bot started platforms=%s web_port=%s",
            ",".join(f"{p.name}:{p.bot}" if p.bot else p.name for p in self.started) or "none",
            self.web_port,
        )

    async def _lead(self) -> None:
        """Start what runs once for all instances: the scheduler (its jobs rebuilt from the
        stored reminders, what came due within the grace fired), the outgoing webhooks, the
        sweeps and the housekeeping. Alone, at the start; with others, on taking the lead."""
        services, store = self.services, self.store
        assert services is not None and store is not None
        if services.delivery.hooks is not None:
            if self.role is not None:
                services.delivery.hooks.resume()
            self._hooks_task = asyncio.create_task(services.delivery.hooks.run())
        self._housekeep()
        self.scheduler = build_engine(self.config, store, services, clock=self.clock)
        sweeps = {
            "directives": (SWEEP_EVERY, self._follow_up),
            "questions": (SWEEP_EVERY, self._escalate_questions),
            "prompts": (SWEEP_EVERY, self.sweep_prompts),
            "housekeeping": (HOUSEKEEPING_EVERY, self._housekeep_async),
            "silence": (SILENCE_EVERY, self.check_silence),
        }
        if self.cluster is not None:
            self.scheduler.instance = self.cluster.id
            sweeps["reminders"] = (RESYNC_EVERY, self._resync)
            # Bulk sends' progress and results, from the store (every instance sends items).
            sweeps["progress"] = (EDIT_EVERY, services.delivery.outbox.progress.sweep)
        self.scheduler.start(sweeps=sweeps)
        self._follow_up_now()

    async def _follow(self) -> None:
        """Another instance leads (or the database is unreachable): stop the leader's work."""
        if self.scheduler is not None:
            self.scheduler.stop()
            self.scheduler = None
        hooks = self.services.delivery.hooks if self.services is not None else None
        if hooks is not None and self._hooks_task is not None:
            await hooks.stop()
            self._hooks_task.cancel()
            await asyncio.gather(self._hooks_task, return_exceptions=True)
            self._hooks_task = None

    async def _resync(self) -> None:
        if self.scheduler is not None:
            self.scheduler.resync()

    def health(self) -> dict[str, Any]:
        """What /healthz reports (bot.app.health): transports, storage, outbox, quotas, and
        with several instances whether this one leads and what it sees of the others."""
        body = health_report(
            platforms=self.platforms, started=self.started, clock=self.clock,
            stale_after=self.config.health.stale_after_seconds, data_dir=self.config.data_dir,
            store=self.store, services=self.services, inbound=self.inbound,
            storage=self.storage,
        )  # fmt: skip
        if self.role is not None:
            body["cluster"] = self.role.health()
        return body

    def _probe_store(self) -> None:
        """One small commit: whether the store takes writes again (StorageWatch's probe)."""
        assert self.store is not None
        self.store.meta.set("storage.probe", self.clock.now().isoformat())

    async def sweep_prompts(self) -> int:
        """Tell people whose pending question expired (forms left unanswered)."""
        assert self.services is not None and self.store is not None
        services = self.services
        return await tell_expired(services.prompts, services.delivery.sender, self.store.people)

    async def check_silence(self) -> list[str]:
        """Tell the admins when a bot stopped receiving, and when it receives again."""
        if self.silence is None:
            return []
        try:
            return await self.silence.check()
        except Exception:
            log.exception("silence check failed")
            return []

    def follow_up_directives(self) -> dict[str, int]:
        """Queue the directive chases and deadline summaries that have come due."""
        assert self.services is not None
        return self.services.directives.followup.run_once()

    def _follow_up_now(self) -> None:
        try:
            self.follow_up_directives()
        except Exception:
            log.exception("directive follow-up failed")

    async def _follow_up(self) -> None:
        self._follow_up_now()

    def escalate_questions(self) -> dict[str, int]:
        """Move questions left unanswered too long at their level up to the next one."""
        assert self.services is not None
        return self.services.questions.run_once()

    async def _escalate_questions(self) -> None:
        try:
            self.escalate_questions()
        except Exception:
            log.exception("question escalation failed")

    def _housekeep(self) -> None:
        """Clean up at start and then every hour."""
        if self.services is None:
            return
        try:
            self.services.privacy.housekeeping.run_once()
        except Exception:
            log.exception("housekeeping failed")

    async def _housekeep_async(self) -> None:
        self._housekeep()

    async def _register_menu(self, platform: Platform) -> None:
        assert self.dispatcher is not None
        from bot.app.menu import command_menus

        try:
            await platform.set_commands(command_menus(self.dispatcher))
        except Exception:
            log.warning("command menu not registered platform=%s", platform.name)

    async def stop(self) -> None:
        """Stop receiving, let what is in hand finish, then close everything, all within
        runtime.stop_timeout_seconds: events still waiting for their turn stay in the inbox,
        and bulk sends not started in the outbox, for the next start. What is cut off at the
        bound was not marked done, so the next start does it again."""
        loop = asyncio.get_running_loop()
        bound = self.config.runtime.stop_timeout_seconds
        deadline = loop.time() + bound - min(bound * CLOSE_SHARE, CLOSE_MOST)
        if self.services is not None:
            # No new bulk send; what is queued waits for the restart.
            self.services.delivery.outbox.halt()
            if self.services.delivery.hooks is not None:
                self.services.delivery.hooks.halt()
        log.info("stopping: no new work taken; finishing what is in flight")
        for platform in reversed(self.started):
            try:
                await _within(platform.stop(), deadline, f"stopping {platform.name}")
            except Exception:
                log.exception("platform stop failed platform=%s", platform.name)
        if self.scheduler is not None:
            self.scheduler.stop()
            self.scheduler = None
        if self.inbound is not None:
            await self.inbound.drain(timeout=max(deadline - loop.time(), 0.0))
        if self.role is not None:
            await self.role.stop()  # the lead and the chats' turns go to the others now
            self.role = None
        if self.services is not None:
            await _within(self.services.directives.acks.drain(), deadline, "acknowledgements")
        if self.services is not None and self._outbox_task is not None:
            await _within(self.services.delivery.outbox.stop(), deadline, "outbox sends")
            self._outbox_task.cancel()  # halted: it only waits for its next round
            await asyncio.gather(self._outbox_task, return_exceptions=True)
            self._outbox_task = None
        hooks = self.services.delivery.hooks if self.services is not None else None
        if hooks is not None and self._hooks_task is not None:
            await _within(hooks.stop(), deadline, "webhook posts")
            self._hooks_task.cancel()  # halted: it only waits for its next round
            await asyncio.gather(self._hooks_task, return_exceptions=True)
            self._hooks_task = None
        if self.storage is not None:
            await self.storage.stop()
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
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None
        log.info("bot stopped")

    async def handle_now(self, inc: Incoming) -> None:
        """Process one event to the end (tests and the sandbox use this path too)."""
        assert self.inbound is not None
        await self.inbound.process(inc)


async def _within(work: Awaitable[object], deadline: float, what: str) -> None:
    """Await `work` until the loop's clock reaches `deadline`; then cancel it and go on."""
    remaining = deadline - asyncio.get_running_loop().time()
    try:
        await asyncio.wait_for(work, max(remaining, 0.0))
    except TimeoutError:
        log.warning("stop bound reached: %s cut off", what)


async def run_forever(app: App, stop: asyncio.Event) -> None:
    """Start, wait for `stop`, then shut down cleanly."""
    await app.start()
    try:
        await stop.wait()
    finally:
        await app.stop()
