"""A directive to 150 groups, sent by both instances from the shared outbox under Telegram's real
limits; the instance sending the 60th copy is killed with SIGKILL before Telegram's answer
reaches it. The survivor takes over its claims once it is counted dead and finishes the
broadcast: every group has the directive, a copy came twice only where the dead instance had it
in flight (each of those flagged possibly_repeated in the outbox), and the fake's log shows no
limit broken by the two together."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.core.i18n import Translator
from bot.core.models import JobStatus, OutboxStatus
from tests.cluster.conftest import ClusterMaker
from tests.cluster.scene import TELEGRAM_LIMITS, cluster_config, cluster_environ, open_shared_store
from tests.fakes.loopback import ResponseHold
from tests.fakes.telegram_api import FakeTelegram
from tests.support.delivery_helpers import window_breaches
from tests.support.directive_seed import DIRECTIVE, deadline_words, seed_store, telegram_team
from tests.support.harness import eventually

pytestmark = pytest.mark.slow
GROUPS, KILL_AT, CONCURRENCY = 150, 60, 4
t = Translator()
HEADER = t("vi", "directive.message", number=1, author="").split("\n", 1)[0]  # 📢 Thông báo số 1


async def test_a_broadcast_survives_the_instance_sending_it(
    tmp_path: Path, fake_telegram: FakeTelegram, database: str, make_cluster: ClusterMaker
) -> None:
    fake = fake_telegram
    fake.limits(**TELEGRAM_LIMITS)
    team = telegram_team(fake, groups=GROUPS, private_communes=0, villages=1, per_village=0,
                         bot_is_admin=lambda i: i % 3 == 0)  # fmt: skip
    config = cluster_config(
        tmp_path, tg=fake, extra={"areas": team.tree, "delivery": {"concurrency": CONCURRENCY}}
    )
    env = cluster_environ(database)
    seed_store(config, team.members, team.bindings, environ=env)
    cluster = make_cluster(config, env)
    await cluster.start()
    me = fake.private(team.officer)
    chats = {f"telegram::{g.id}": g for g in team.groups}

    async def say(text: str) -> list[str]:
        before = len(fake.sent(me))
        fake.type_as(team.officer, me, text)
        await eventually(lambda: len(fake.sent(me)) > before, timeout=15, what=f"a reply: {text}")
        return [m.text for m in fake.sent(me)[before:]]

    def copies(chat: Any) -> int:
        return sum(1 for m in fake.sent(chat) if m.text.startswith(HEADER))

    han, _ = deadline_words()
    (preview,) = await say(f"/chithi all: {DIRECTIVE} {han}")
    assert t("vi", "directive.preview_reach", platform="Telegram", groups=GROUPS, people=0) in (
        preview
    ), preview
    held: list[str] = []

    def copy(params: dict[str, Any]) -> bool:
        if str(params.get("text", "")).startswith(HEADER):
            held.append(f"telegram::{params.get('chat_id')}")
            return True
        return False

    hold = ResponseHold("sendMessage", KILL_AT, match=copy)
    fake.hold = hold
    fake.type_as(team.officer, me, "/xacnhan")
    await eventually(hold.reached.is_set, timeout=60, what=f"the {KILL_AT}-th copy")

    store = open_shared_store(config, env)
    try:
        directive = store.directives.get(1)
        assert directive is not None and directive.job_id is not None
        job_id = directive.job_id
        item = next(i for i in store.outbox.for_job(job_id) if i.chat_key == held[KILL_AT - 1])
        assert item.status is OutboxStatus.INFLIGHT and item.claimed_by, item
        victim = cluster.by_id(item.claimed_by)
        await cluster.kill(victim.name)
        in_flight = {i.chat_key for i in store.outbox.inflight() if i.claimed_by == victim.id}
        hold.release()
        fake.hold = None
        claimed = Counter(i.claimed_by for i in store.outbox.for_job(job_id) if i.claimed_by)
        assert len(claimed) == 2, f"both instances send the broadcast: {claimed}"
        left = GROUPS - sum(1 for c in chats.values() if copies(c))
        assert left > CONCURRENCY, f"the kill came mid-broadcast: {left} of {GROUPS} left"

        await eventually(lambda: all(copies(c) for c in chats.values()), timeout=90,
                         what="the directive in every group")  # fmt: skip
        done = t("vi", "outbox.done", sent=GROUPS, total=GROUPS)
        await eventually(lambda: any(m.text.startswith(done) for m in fake.sent(me)),
                         timeout=30, what="the officer's final summary")  # fmt: skip
        job = store.outbox.get_job(job_id)
        assert job is not None and job.status is JobStatus.DONE, job
        items = {i.chat_key: i for i in store.outbox.for_job(job_id)}
    finally:
        store.close()

    assert set(items) == set(chats)
    assert Counter(i.status for i in items.values()) == {OutboxStatus.SENT: GROUPS}
    counted = {key: copies(chat) for key, chat in chats.items()}
    repeated = {key for key, n in counted.items() if n > 1}
    flagged = {key for key, i in items.items() if i.possibly_repeated}
    assert all(n <= 2 for n in counted.values()), "a copy went out three times"
    assert held[KILL_AT - 1] in repeated, "the held copy reached the group, and was sent again"
    assert repeated <= in_flight, "repeated only what the dead instance had in flight"
    assert in_flight <= flagged, "each claim taken over is recorded as possibly repeated"
    assert len(in_flight) <= CONCURRENCY
    summary = next(m.text for m in fake.sent(me) if m.text.startswith(done))
    assert t("vi", "outbox.repeated", count=len(flagged)) in summary, summary
    assert window_breaches(fake.log.entries, **TELEGRAM_LIMITS) == []
    start = fake.log.entries[0].at
    refused = [
        f"{e.at - start:.2f}s {e.method} chat {e.params.get('chat_id')}: "
        f"{str(e.params.get('text', ''))[:30]!r}"
        for e in fake.log.entries if e.status == 429
    ]  # fmt: skip
    in_groups = [r for r in refused if " chat -" in r]
    assert in_groups == [], "the fake's flood limits refused the broadcast's calls"
    assert refused == [], "the fake's flood limits refused the two instances' calls"
