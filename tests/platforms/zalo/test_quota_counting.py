"""What Zalo's 3,000 messages a month count is contested (issue #17, section 9): the pricing
page reads as the bot's sends, a template counts what people send to it too. Each Zalo bot's
`quota_counts` says which ("both", the cautious default, or "outgoing"); /healthz shows it.

The fake models both readings of Zalo (`quota_counts_incoming`); under each the bot's count
agrees with Zalo's when the setting matches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config.loading import ConfigError, load_config
from bot.core.clock import ManualClock
from tests.fakes.zalo_api import FakeZalo
from tests.support.harness import ZALO_BOT, World, bot_environ, write_config

AT_BOT = "@Bot Dân số"


@pytest.mark.virtual_time
@pytest.mark.parametrize(
    ("setting", "zalo_counts_incoming", "per_exchange"),
    [(None, True, 2), ("both", True, 2), ("outgoing", False, 1)],
    ids=["default-both", "both", "outgoing"],
)
async def test_the_quota_counts_what_the_setting_says(
    tmp_path: Path,
    clock: ManualClock,
    fake_zalo: FakeZalo,
    setting: str | None,
    zalo_counts_incoming: bool,
    per_exchange: int,
) -> None:
    """Three messages and three replies: 6 counted under "both" (the default), 3 under
    "outgoing"; Zalo, read the same way, counts the same. A group message that does not
    mention the bot never reaches it and is counted by neither."""
    fake_zalo.quota_counts_incoming = zalo_counts_incoming
    world = World("zalo", fake_zalo, tmp_path, clock)
    d = world.driver
    hoa = d.person("Chị Hoa")
    bot_config = {"monthly_quota": 100, **({"quota_counts": setting} if setting else {})}
    app = await world.start(admins=[], zalo_bot=bot_config)
    try:
        await fake_zalo.wait_polling()
        for _ in range(3):
            assert len(await d.say(hoa, d.private(hoa), "/huy")) == 1
        group = fake_zalo.group("Y tế Xã Hương Sơn")
        assert await fake_zalo.type_as(hoa.handle, group, "chào cả nhà") is None
        assert app.services is not None
        quotas = app.services.delivery.quotas
        assert quotas.state(ZALO_BOT).used == 3 * per_exchange
        assert fake_zalo.quota_used() == quotas.state(ZALO_BOT).used
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{app.web_port}/healthz") as resp:
                body: dict[str, Any] = await resp.json()
        shown = body["zalo_quota"][ZALO_BOT]
        assert (shown["counts"], shown["used"]) == (setting or "both", 3 * per_exchange)
        assert shown["left"] == 100 - 3 * per_exchange
    finally:
        await world.bot.stop()


@pytest.mark.parametrize(
    ("bot", "problem"),
    [
        ({"quota_counts": "incoming"}, "quota_counts: 'incoming' is not valid; use 'outgoing' or"),
        ({"quota_counts": ""}, "quota_counts: '' is not valid"),
        ({"max_groups": -1}, "max_groups: must be at least 0, not -1"),
        ({"max_groups": "ba"}, "max_groups"),
        ({"quota_counts": "outgoing", "max_groups": 0}, ""),
        ({"quota_counts": "both", "max_groups": None}, ""),
    ],
)
def test_quota_counts_and_max_groups_are_checked(
    tmp_path: Path, bot: dict[str, Any], problem: str
) -> None:
    """Each Zalo bot's `quota_counts` and `max_groups` are validated at load, with the line."""
    path = write_config(tmp_path, admins=[], zalo_url="http://127.0.0.1:9", zalo_bot=bot)
    if not problem:
        loaded = load_config(path, environ=bot_environ()).platforms.zalo.bots[0]
        assert (loaded.quota_counts, loaded.max_groups) == (bot["quota_counts"], bot["max_groups"])
        return
    with pytest.raises(ConfigError) as refused:
        load_config(path, environ=bot_environ())
    assert f"platforms.zalo.bots[0].{problem}" in str(refused.value)
    assert "(line " in str(refused.value)


def test_a_bot_without_the_settings_counts_both_and_takes_three_groups(tmp_path: Path) -> None:
    path = write_config(tmp_path, admins=[], zalo_url="http://127.0.0.1:9")
    loaded = load_config(path, environ=bot_environ()).platforms.zalo.bots[0]
    assert (loaded.quota_counts, loaded.max_groups) == ("both", 3)
