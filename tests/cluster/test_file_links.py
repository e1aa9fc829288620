"""Files behind signed links are readable from every instance: a directive's attachment goes to
Zalo people as links that one instance signed; each link opens on either instance, 200 with
the file's bytes (the files folder and the link secret are shared, as docs/deploy.md says)."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest

from bot.core.models import Role
from tests.cluster.conftest import ClusterMaker
from tests.cluster.scene import PUBLIC, cluster_config, cluster_environ
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.support.directive_seed import (
    DIRECTIVE,
    REGION,
    Member,
    area_tree,
    deadline_words,
    private_commune,
    seed_store,
    village,
)
from tests.support.harness import ZALO_BOT, eventually

pytestmark = pytest.mark.slow
PDF = b"%PDF-1.4 ke hoach tiem chung mo rong thang 12 " * 50
NAME = "Kế hoạch tháng 12.pdf"
HEADER = "📢 Thông báo số 1"


async def test_a_link_signed_by_one_instance_opens_on_the_other(
    tmp_path: Path,
    fake_telegram: FakeTelegram,
    fake_zalo: FakeZalo,
    database: str,
    make_cluster: ClusterMaker,
) -> None:
    tg, zl = fake_telegram, fake_zalo
    officer = tg.user(900_001, "Cán bộ Khu vực")
    people = [zl.user(f"Người {i}") for i in range(3)]
    for person in people:
        zl.chats[(person.bot, person.id)].reachable = True  # each wrote to the bot once
    config = cluster_config(
        tmp_path, tg=tg, zalo_url=zl.base_url,
        extra={"areas": area_tree(group_communes=0, private_communes=1, villages=3)},
    )  # fmt: skip
    env = cluster_environ(database)
    seed_store(config, [
        Member(officer.first_name, f"telegram:{officer.id}", Role.OFFICER, REGION),
        *(Member(p.display_name, f"zalo:{ZALO_BOT}:{p.id}", Role.COLLABORATOR,
                 village(private_commune(1), i + 1)) for i, p in enumerate(people)),
    ], [], environ=env)  # fmt: skip
    cluster = make_cluster(config, env)
    await cluster.start()
    a, b = cluster["a"], cluster["b"]

    me = tg.private(officer)

    async def say(text: str, **kw: object) -> list[str]:
        before = len(tg.sent(me))
        tg.type_as(officer, me, text, **kw)  # type: ignore[arg-type]
        await eventually(lambda: len(tg.sent(me)) > before, timeout=15, what=f"a reply: {text}")
        return [m.text for m in tg.sent(me)[before:]]

    # The officer sends the file, then replies to it with the directive (on any instance).
    sent = tg.type_as(officer, me, "", document=(NAME, PDF, "application/pdf"))
    await eventually(lambda: bool(tg.webhook_deliveries) and not tg.pending(), what="the file")
    doc = next(m for m in tg.history(me) if m.message_id == sent["message_id"])
    han, _ = deadline_words()
    (preview,) = await say(f"/chithi all: {DIRECTIVE} {han}", reply_to=doc.message_id)
    assert f"📎 Kèm tệp: {NAME}" in preview, preview
    (queued,) = await say("/xacnhan")
    assert queued.startswith("Đã xếp gửi thông báo số 1 (3 tin)"), queued

    def copies() -> list[str]:
        return [m.text for p in people for m in zl.sent(zl.private(p)) if HEADER in m.text]

    await eventually(lambda: len(copies()) == len(people), timeout=30, what="every copy")
    links = [re.search(re.escape(PUBLIC) + r"(/f/\S+)", text) for text in copies()]
    assert all(links), copies()
    paths = [found.group(1) for found in links if found]
    assert len(set(paths)) == len(people), "each link is bound to its person"
    async with aiohttp.ClientSession() as http:
        for path in paths:
            for instance in (a, b):  # whichever signed it, both serve it
                async with http.get(f"{instance.url}{path}") as resp:
                    assert resp.status == 200, (instance.name, path, await resp.text())
                    assert await resp.read() == PDF
    stored = [f for f in (tmp_path / "shared-files").rglob("*") if f.is_file()]
    assert stored, "the file is kept in the shared files folder"
    assert not list((tmp_path / "a" / "data").rglob("files/*"))
    assert not list((tmp_path / "b" / "data").rglob("files/*"))
