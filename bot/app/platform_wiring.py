"""The platform side of the composition root: an adapter for each platform whose token is in
the environment, and a send limiter for each running bot (bot.app.wiring builds the rest)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.core.platform import Platform
from bot.delivery.file_store import FileStore
from bot.delivery.send_limits import RateLimits, SendLimiter

if TYPE_CHECKING:
    from bot.config.loading import Config


def build_platforms(config: Config) -> dict[tuple[str, str], Platform]:
    """The platform adapters whose token is in the environment (imported only when used)."""
    platforms: dict[tuple[str, str], Platform] = {}
    tg = config.platforms.telegram
    if config.telegram_active():
        from bot.platforms.telegram.adapter import TelegramPlatform

        assert tg.token is not None
        secret = tg.webhook_secret.get_secret_value() if tg.webhook_secret else ""
        platforms[("telegram", "")] = TelegramPlatform(
            token=tg.token.get_secret_value(),
            api_base_url=tg.api_base_url,
            mode=tg.mode,
            webhook_url=config.webhook_url(tg.public_base_url, tg.webhook_path) or "",
            webhook_path=tg.webhook_path,
            webhook_secret=secret,
            poll_timeout=tg.poll_timeout_seconds,
            request_timeout=tg.request_timeout_seconds,
        )
    zl = config.platforms.zalo
    for bot in config.zalo_active_bots():
        from bot.platforms.zalo.client import Backoff as ZaloBackoff
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
            poll_timeout=zl.poll_timeout_seconds,
            request_timeout=zl.request_timeout_seconds,
            # Zalo gives no retry delay: its adapter backs off from half the outbox's retry base
            # (1 s by default) up to 30 times it, so one setting scales every retry wait.
            backoff=ZaloBackoff(
                initial=config.delivery.retry_base_seconds / 2,
                maximum=config.delivery.retry_base_seconds * 30,
            ),
            # Zalo's photo URLs expire: each photo is kept in the file store as it arrives.
            keeper=FileStore(config.store.files_root(config.data_dir)),
        )
    return platforms


def build_limiters(
    config: Config, platforms: Mapping[tuple[str, str], Platform]
) -> dict[tuple[str, str], SendLimiter]:
    """One limiter per running bot, with its platform's limits from config."""
    limits = config.delivery
    return {
        key: SendLimiter(RateLimits(**getattr(limits, key[0]).model_dump()))
        for key in platforms
        if hasattr(limits, key[0])  # the sandbox's imitated apps protect no real platform
    }
