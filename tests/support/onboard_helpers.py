"""A deployment with Telegram and three capped Zalo bots for the people-import scenarios."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support import store_choice
from tests.support.harness import TG_TOKEN, ZALO_TOKEN, read_yaml, write_config, write_yaml

ZALO_BOTS = {
    "zalo1": ZALO_TOKEN,
    "zalo2": "8877665544332222:zaloSecretTokenForTestsOnlyTWO222",
    "zalo3": "8877665544332233:zaloSecretTokenForTestsOnlyTHREE3",
}
VILLAGES = ("Thôn Sơn Ninh", "Thôn Sơn Trung", "18115-01", "Tổ dân phố Đức Thuận")
USERNAME = "DansoBot"
UNLIMITED = {"per_second_total": None, "per_minute_per_group": None, "per_second_per_chat": None}


def deployment(
    folder: Path, tg: FakeTelegram, zalo: FakeZalo, *, admins: list[str], cap: int = 50
) -> Path:
    """config.yaml: Telegram (with its username) and three Zalo bots capped at `cap` users."""
    for name, token in ZALO_BOTS.items():
        if token not in zalo.bots:
            zalo.add_bot(token, name=f"Bot Dân số {name}")
    path = write_config(folder, admins=admins, telegram_url=tg.base_url, zalo_url=zalo.base_url)
    doc: dict[str, Any] = read_yaml(path)
    doc["platforms"]["telegram"]["username"] = USERNAME
    doc["platforms"]["zalo"]["bots"] = [{"name": n, "max_users": cap} for n in ZALO_BOTS]
    # Hundreds of welcomes at once: the senders' own limits are tested in test_delivery.
    doc["delivery"] = {"telegram": UNLIMITED, "zalo": UNLIMITED}
    write_yaml(path, doc)
    return path


def environ() -> dict[str, str]:
    env = {"TELEGRAM_BOT_TOKEN": TG_TOKEN}
    env.update({f"ZALO_BOT_TOKEN_{n.upper()}": t for n, t in ZALO_BOTS.items()})
    env.update(store_choice.environ())  # DATABASE_URL of the test's own database, on PostgreSQL
    return env


def people_csv(path: Path, *, telegram: int, zalo: int) -> Path:
    """`telegram` then `zalo` collaborators spread over the four villages."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["name", "phone_or_note", "role", "area", "platform"])
    for i in range(telegram + zalo):
        platform = "telegram" if i < telegram else "zalo"
        phone = f"09{i:08d}" if i % 2 else "tổ trưởng"
        writer.writerow([f"Người {i + 1}", phone, "ctv", VILLAGES[i % len(VILLAGES)], platform])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def read_invites(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))
