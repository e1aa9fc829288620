"""The platform sections of config.yaml: Telegram, the Zalo bots, and what they share."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator

from bot.config.base import Section, check_path, check_url, env_suffix, numbers_as_text

Mode = Literal["polling", "webhook"]
# What Zalo's monthly quota counts is contested: the pricing page reads as outgoing messages
# only, a template counts incoming ones too. "both" is the cautious reading (the default).
QuotaCounts = Literal["outgoing", "both"]
_BOT_NAME = re.compile(r"[a-z0-9_-]+")


class ZaloBot(Section):
    """One Zalo bot; several may run because the free plan caps users and messages per bot."""

    name: str
    areas: tuple[str, ...] = ()  # empty means the whole tree
    monthly_quota: int = Field(default=3000, ge=1)
    max_users: int = Field(default=50, ge=1)
    # Groups (beta on Zalo) this bot may be bound to: the free plan allows 3 per bot; None for
    # no cap of ours (a paid plan).
    max_groups: int | None = Field(default=3, ge=0)
    quota_counts: QuotaCounts = "both"
    # Filled from the environment by load_config, never from the file.
    token: SecretStr | None = Field(default=None, exclude=True, repr=False)
    webhook_secret: SecretStr | None = Field(default=None, exclude=True, repr=False)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _BOT_NAME.fullmatch(value):
            msg = (
                f"{value!r}: bot names use only a-z, 0-9, '_' and '-' (e.g. zalo1), "
                "because they appear in URLs and environment variable names"
            )
            raise ValueError(msg)
        return value

    @field_validator("areas", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(numbers_as_text(v) for v in value)
        return value

    @property
    def token_env(self) -> str:
        return f"ZALO_BOT_TOKEN_{env_suffix(self.name)}"

    @property
    def secret_env(self) -> str:
        return f"ZALO_WEBHOOK_SECRET_{env_suffix(self.name)}"


class _PlatformBase(Section):
    enabled: bool = True
    mode: Mode = "polling"
    api_base_url: str
    public_base_url: str | None = None  # None: use web.public_base_url
    webhook_path: str
    # Seconds to wait for an API answer before retrying (a hung API is an outage too), and how
    # long an idle long poll (getUpdates) stays open; its read waits for both.
    request_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    poll_timeout_seconds: int = Field(default=30, ge=1, le=60)

    @field_validator("api_base_url", "public_base_url")
    @classmethod
    def _url(cls, value: str | None, info: ValidationInfo) -> str | None:
        return check_url(value, what=str(info.field_name))

    _path = field_validator("webhook_path")(check_path)


class TelegramSection(_PlatformBase):
    """The one Telegram bot of this deployment."""

    api_base_url: str = "https://api.telegram.org"
    webhook_path: str = "/webhook/telegram"
    request_timeout_seconds: float = Field(default=15.0, gt=0, le=600)
    token: SecretStr | None = Field(default=None, exclude=True, repr=False)
    webhook_secret: SecretStr | None = Field(default=None, exclude=True, repr=False)
    # The bot's @username without the @, for invite deep links (t.me/<username>?start=CODE).
    username: str = ""


class ZaloSection(_PlatformBase):
    """Zalo Bot API settings shared by all Zalo bots; each bot listens at <webhook_path>/<name>."""

    api_base_url: str = "https://bot-api.zaloplatforms.com"
    webhook_path: str = "/webhook/zalo"
    bots: tuple[ZaloBot, ...] = ()


class PlatformsSection(Section):
    telegram: TelegramSection = TelegramSection()
    zalo: ZaloSection = ZaloSection()
