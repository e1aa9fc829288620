"""The pydantic models of config.yaml, section by section."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.config.api import ApiSection
from bot.config.base import (
    ConfigError,
    Problem,
    Section,
    check_url,
    env_suffix,
    numbers_as_text,
)
from bot.config.dhis2 import Dhis2Section
from bot.config.holidays import HolidaysSection
from bot.config.platforms import (
    PlatformsSection,
    TelegramSection,
    ZaloBot,
    ZaloSection,
)
from bot.config.privacy import PrivacySection
from bot.config.reminders import ReminderConfig
from bot.config.reports import ReportTypeConfig
from bot.config.store import StoreSection
from bot.config.webhooks import WebhooksSection

AreaKind = Literal["province", "region", "district", "commune", "village"]

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# A Telegram user id is a positive integer; a Zalo user id is an opaque token of safe characters.
_ACCOUNT = re.compile(r"telegram:(?P<tg>\d+)|zalo:(?P<bot>[a-z0-9_-]+):(?P<zuser>[A-Za-z0-9_.-]+)")
ACCOUNT_FORMS = '"telegram:<user id>" or "zalo:<bot name>:<user id>"'


class AreaNode(Section):
    """One area of the tree as written in config; `children` nest to any depth."""

    code: str
    name: str
    kind: AreaKind
    children: tuple[AreaNode, ...] = ()

    _text = field_validator("code", "name", mode="before")(numbers_as_text)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        value = value.strip()
        if not _CODE.fullmatch(value):
            msg = (
                f"{value!r} is not a valid area code: use letters, digits, '-', '_' or '.', "
                "e.g. 18115 or 18115-01"
            )
            raise ValueError(msg)
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            msg = "an area needs a name, e.g. Thôn Trung Lương 1"
            raise ValueError(msg)
        return " ".join(value.split())

    @field_validator("children")
    @classmethod
    def _leaf(cls, value: tuple[AreaNode, ...], info: ValidationInfo) -> tuple[AreaNode, ...]:
        if value and info.data.get("kind") == "village":
            msg = "a village cannot have children: make it a commune, or move its children up"
            raise ValueError(msg)
        return value


class AdminEntry(Section):
    """A config admin: an account, an optional display name, the area they administer."""

    account: str
    name: str = ""
    area: str | None = None  # None means the root of the tree

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"account": value}
        if isinstance(value, int) and not isinstance(value, bool):
            msg = f"write the platform too, e.g. telegram:{value}"
            raise ValueError(msg)
        if isinstance(value, dict) and len(value) == 1 and set(value) & {"telegram", "zalo"}:
            # `- telegram: 123` (a space after the colon) makes YAML read a mapping.
            ((platform, rest),) = value.items()
            msg = f"write it as one string without a space after the colon: {platform}:{rest}"
            raise ValueError(msg)
        return value

    _area_text = field_validator("area", mode="before")(numbers_as_text)

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        value = value.strip()
        if not _ACCOUNT.fullmatch(value):
            msg = f"{value!r} is not an account: write {ACCOUNT_FORMS}, e.g. telegram:123456789"
            raise ValueError(msg)
        return value

    @property
    def platform(self) -> str:
        return self.account.split(":", 1)[0]

    @property
    def bot(self) -> str:
        """The Zalo bot name, or "" for Telegram."""
        parts = self.account.split(":")
        return parts[1] if len(parts) == 3 else ""


class WebSection(Section):
    """The single aiohttp server of the process (webhooks of every platform, links, health)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    public_base_url: str | None = None

    @field_validator("public_base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return check_url(value, what="public_base_url")


class RegistrationSection(Section):
    link_code_minutes: int = Field(default=10, ge=1, le=24 * 60)
    prompt_minutes: int = Field(default=30, ge=1, le=24 * 60)
    invite_days: int = Field(default=30, ge=1, le=365)  # how long an invite code stays valid
    # When officers who chose it (/duyet tomtat bat) get the day's new registrations, local time.
    summary_at: time = time(17, 0)


class LimitsSection(Section):
    """A platform's send limits; null switches one off."""

    per_second_total: float | None = Field(default=30, gt=0)
    per_minute_per_group: float | None = Field(default=20, gt=0)
    per_second_per_chat: float | None = Field(default=1, gt=0)


class DeliverySection(Section):
    """Every send's limits, and the durable outbox's retries and housekeeping."""

    telegram: LimitsSection = LimitsSection()
    # Zalo publishes no per-second limit (its 429 means the monthly quota); stay gentle anyway.
    zalo: LimitsSection = LimitsSection(per_second_total=10)
    concurrency: int = Field(default=4, ge=1, le=64)
    max_attempts: int = Field(default=8, ge=1, le=50)
    retry_base_seconds: float = Field(default=2.0, gt=0, le=600)
    keep_days: int = Field(default=30, ge=1)
    quota_alert_percent: int = Field(default=80, ge=1, le=100)


class DirectiveHeading(Section):
    """What readers see as a directive's heading, per language: the word commune officers use
    for such a message. `heading: Công văn` sets the Vietnamese one only."""

    vi: str = "Thông báo"
    en: str = "Notice"

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"vi": value} if isinstance(value, str) else value

    @field_validator("vi", "en")
    @classmethod
    def _word(cls, value: str) -> str:
        text = " ".join(value.split())
        if not text or len(text) > 30 or any(c in text for c in "{}/"):
            msg = "a short word or two without { } or /, e.g. Thông báo, Chỉ thị, Công văn"
            raise ValueError(msg)
        return text

    def by_language(self) -> dict[str, str]:
        return {"vi": self.vi, "en": self.en}


class DirectivesSection(Section):
    """How directives are confirmed, acknowledged and chased."""

    heading: DirectiveHeading = DirectiveHeading()
    # A group counts as acknowledged when any one of its expected people has, or all of them.
    group_ack: Literal["any", "all"] = "any"
    confirm_minutes: int = Field(default=30, ge=1, le=1440)  # a preview waits this long
    deadline_time: time = time(17, 0)  # "han 30/11" means 30/11 at this local time
    chase_after_hours: float = Field(default=24, gt=0)  # first chase this long after sending
    chase_every_hours: float = Field(default=24, gt=0)  # and the next ones this far apart
    chase_times: int = Field(default=1, ge=0, le=10)  # 0: never chase
    pin: bool = True  # pin in Telegram groups where the bot has the right


class QuestionsSection(Section):
    """Questions from the field (/hoi): when an unanswered one climbs to the next level."""

    # Unanswered this long at one level, a question goes to the officers of the level above.
    escalate_after_hours: float = Field(default=24, gt=0)


class DigestSection(Section):
    """The supervisors' daily digest."""

    enabled: bool = True
    at: time = time(7, 0)  # local time it goes out (quiet hours hold it if they cover it)
    # Area codes whose bound groups also get their area's digest (supervisors always get theirs).
    groups: tuple[str, ...] = ()
    report_types: tuple[str, ...] = ()  # empty: the default report type


class SchedulerSection(Section):
    """When the bot may speak on its own, and how late a missed firing may still happen."""

    # Reminders, chases and digests due in these hours wait until quiet_end; directives and
    # replies are never held.
    quiet_start: time = time(21, 0)
    quiet_end: time = time(6, 30)
    grace_minutes: int = Field(default=180, ge=0)  # a firing missed while down, this late


class IntakeSection(Section):
    """How much one person may send: beyond it events are refused with one polite reply."""

    per_person_per_minute: float = Field(default=30, gt=0)
    burst: int = Field(default=10, ge=1)
    max_waiting_per_chat: int = Field(default=50, ge=1)  # queued events of one chat, at most


class RuntimeSection(Section):
    """How the process stops: on SIGTERM it takes nothing new, lets what is in hand finish for
    at most this long (what waits stays queued on disk for the next start), and exits. Keep it
    well under the service manager's stop timeout (TimeoutStopSec=90 in the shipped unit)."""

    stop_timeout_seconds: float = Field(default=30, gt=0, le=600)


class HealthSection(Section):
    """When /healthz calls a transport dead: nothing received for this long."""

    stale_after_seconds: int = Field(default=120, ge=1)
    # Admins are told when a poller has had no answered poll (empty ones count) this long, or
    # a webhook's platform reports failing deliveries this long; 0 turns the alert off.
    silence_alert_minutes: int = Field(default=30, ge=0)
    # After a full disk, the admins hear it is over once writes have gone through this long.
    storage_settle_seconds: float = Field(default=10, gt=0, le=600)
    # A webhook that received nothing at all this long is reported too: a quiet night or a
    # weekend is normal, so this is long; 0 judges webhooks by the platform's report only.
    webhook_quiet_hours: int = Field(default=48, ge=0)


class LoggingSection(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "text"] = "json"
    # Also write to this file (stderr still goes to the journal under systemd).
    file: str | None = None
    # Rotate the file at this size, keeping `backups` old ones; 0: never rotate here, reopen
    # when logrotate moves the file (WatchedFileHandler).
    max_bytes: int = Field(default=10 * 1024 * 1024, ge=0)
    backups: int = Field(default=5, ge=0, le=100)

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class Config(Section):
    """The whole configuration. Later features add their own section here (reports, reminders…)."""

    timezone: str = DEFAULT_TIMEZONE
    language: Literal["vi", "en"] = "vi"
    data_dir: Path = Path("./var/data")  # load_config resolves it against the file's folder
    store: StoreSection = StoreSection()  # tinydb in data_dir, or a shared PostgreSQL
    # One listen address for the process: every platform's webhook shares this one server.
    web: WebSection = WebSection()
    areas: AreaNode
    admins: tuple[AdminEntry, ...] = ()
    platforms: PlatformsSection = PlatformsSection()
    registration: RegistrationSection = RegistrationSection()
    privacy: PrivacySection = PrivacySection()
    delivery: DeliverySection = DeliverySection()
    directives: DirectivesSection = DirectivesSection()
    questions: QuestionsSection = QuestionsSection()
    digest: DigestSection = DigestSection()
    reminders: tuple[ReminderConfig, ...] = ()
    # Days off: reminders and chases wait for the next working day, deadlines move to it.
    holidays: HolidaysSection = HolidaysSection()
    scheduler: SchedulerSection = SchedulerSection()
    health: HealthSection = HealthSection()
    intake: IntakeSection = IntakeSection()
    runtime: RuntimeSection = RuntimeSection()
    logging: LoggingSection = LoggingSection()
    webhooks: WebhooksSection = WebhooksSection()  # events POSTed to other systems
    report_types: tuple[ReportTypeConfig, ...] = ()
    default_report_type: str | None = None  # None: the only type, if there is one
    dhis2: Dhis2Section | None = None  # None: nothing goes to DHIS2
    api: ApiSection = ApiSection()  # the read-only API for dashboards (/api/v1)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"unknown time zone {value!r}; for Vietnam use {DEFAULT_TIMEZONE}"
            raise ValueError(msg) from None
        return value

    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def telegram_active(self) -> bool:
        """Telegram runs when it is enabled and its token is in the environment."""
        tg = self.platforms.telegram
        return tg.enabled and tg.token is not None

    def zalo_active_bots(self) -> list[ZaloBot]:
        """The Zalo bots that run: Zalo enabled and the bot's token in the environment."""
        zalo = self.platforms.zalo
        return [b for b in zalo.bots if zalo.enabled and b.token is not None]

    def webhook_url(self, public_base_url: str | None, path: str) -> str | None:
        """The public URL of a webhook path; the platform's base wins over web.public_base_url."""
        base = public_base_url or self.web.public_base_url
        return f"{base.rstrip('/')}{path}" if base else None

    def admin_entries(self) -> list[AdminEntry]:
        return list(self.admins)

    def secret_values(self) -> list[str]:
        """Every resolved token and webhook secret, for the log redactor."""
        tg = self.platforms.telegram
        found = [tg.token, tg.webhook_secret]
        for bot in self.platforms.zalo.bots:
            found += [bot.token, bot.webhook_secret]
        if self.dhis2 is not None:
            found += [self.dhis2.api_token, self.dhis2.password]
        found += [endpoint.secret for endpoint in self.webhooks.endpoints]
        return [s.get_secret_value() for s in found if s is not None] + self.api.secret_values()


AreaNode.model_rebuild()

__all__ = [
    "AdminEntry",
    "AreaNode",
    "Config",
    "ConfigError",
    "PlatformsSection",
    "Problem",
    "TelegramSection",
    "WebSection",
    "ZaloBot",
    "ZaloSection",
    "env_suffix",
]
