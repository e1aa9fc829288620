"""What the tests of several instances share: the config of a cluster (one PostgreSQL database,
one files folder, one link secret, webhooks behind one public address), its environment, and
reading the database the instances share."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bot.core.models import Role
from tests.fakes.telegram_api import FakeTelegram
from tests.support import store_choice
from tests.support.directive_seed import Member, area_tree, private_commune, seed_store, village
from tests.support.harness import bot_environ, write_config

SECRET = "s3cret-webhook-token-for-tests"
LINK_SECRET = "cluster-link-secret-shared-by-every-instance"
DB_PASSWORD = "pg-password-never-logged-7f3a"
PUBLIC = "https://bot.example.org"  # the proxy's public name; the fakes route it to the proxy
HEARTBEAT, DEAD_AFTER = 0.5, 2.0
NO_LIMITS = {"per_second_total": None, "per_minute_per_group": None, "per_second_per_chat": None}
# Telegram's own limits, as the fake enforces them and the bot keeps to them by default.
TELEGRAM_LIMITS = {"per_second_total": 30, "per_minute_per_group": 20, "per_second_per_chat": 1}


def cluster_config(
    folder: Path,
    *,
    tg: FakeTelegram,
    zalo_url: str | None = None,
    mode: str = "webhook",
    extra: dict[str, Any] | None = None,
) -> Path:
    """config.yaml of every instance: the PostgreSQL store with a shared files folder and quick
    heartbeats, the fakes as APIs, webhooks at PUBLIC (which the fakes route to `tg`'s
    public_hosts entry: the proxy)."""
    extra = dict(extra or {})
    store = {
        "backend": "postgres", "files_dir": str(folder / "shared-files"),
        "heartbeat_seconds": HEARTBEAT, "dead_after_seconds": DEAD_AFTER,
    }  # fmt: skip
    return write_config(
        folder, admins=extra.pop("admins", []), telegram_url=tg.base_url, zalo_url=zalo_url,
        mode=mode, public_base_url=PUBLIC, extra={"store": store, **extra},
    )  # fmt: skip


def cluster_environ(database_url: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment every instance shares: tokens, webhook secrets, the database (its URL
    with DB_PASSWORD, which the test server's trust authentication never asks for, so that a
    test can look for it where it must not be), the link secret (a link signed by one instance
    verifies on the others)."""
    parts = urlsplit(database_url)
    if parts.password is None and parts.username:
        netloc = parts.netloc.replace(f"{parts.username}@", f"{parts.username}:{DB_PASSWORD}@", 1)
        database_url = urlunsplit(parts._replace(netloc=netloc))
    env = bot_environ(webhook_secret=SECRET)
    env.update({"DATABASE_URL": database_url, "BOT_LINK_SECRET": LINK_SECRET})
    env.update(extra or {})
    return env


def open_shared_store(config: Path, environ: Mapping[str, str]) -> Any:
    """The store the instances share (a PostgresStore), to seed before or read after."""
    return store_choice.open_configured(config, environ)


def sql(url: str, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of one query on the instances' database (tables only the cluster layer has)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(query, params)  # type: ignore[arg-type]  # the tests' own SQL
        return cur.fetchall() if cur.description else []


def turn_holder(url: str, chat_key: str) -> str | None:
    """The instance whose turn it is to handle `chat_key` (bot/store/postgres/cluster.py)."""
    rows = sql(url, "select instance from chat_turns where chat_key = %s", (chat_key,))
    return rows[0][0] if rows else None


def turns_of(url: str, instance: str) -> set[str]:
    """The chats whose turn `instance` holds."""
    return {r[0] for r in sql(url, "select chat_key from chat_turns where instance = %s",
                              (instance,))}  # fmt: skip


def telegram_update(update_id: int, user: Any, text: str, *, message_id: int) -> dict[str, Any]:
    """An update as Telegram POSTs it: `user` typed `text` in their private chat."""
    sender = user.json()
    chat = {"id": user.id, "type": "private", "first_name": user.first_name}
    message: dict[str, Any] = {
        "message_id": message_id, "date": 1_790_000_000, "text": text, "chat": chat,
        "from": sender,
    }  # fmt: skip
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"update_id": update_id, "message": message}


def collaborators(
    tmp_path: Path, fake: FakeTelegram, database: str, users: list[Any]
) -> tuple[Path, dict[str, str]]:
    """A config and environment where `users` are collaborators, ten to a village of private
    communes, flood limits off, registered in the shared database before the instances start."""
    config = cluster_config(
        tmp_path, tg=fake,
        extra={"areas": area_tree(group_communes=0, private_communes=len(users) // 10,
                                  villages=10),
               "delivery": {"telegram": NO_LIMITS}},
    )  # fmt: skip
    env = cluster_environ(database)
    seed_store(config, [
        Member(f"CTV {i}", f"telegram:{u.id}", Role.COLLABORATOR,
               village(private_commune(i // 10 + 1), i % 10 + 1))
        for i, u in enumerate(users)
    ], [], environ=env)  # fmt: skip
    return config, env
