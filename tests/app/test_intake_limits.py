"""One person's flood: refused before it costs work, with one polite reply; everyone else's
replies keep flowing and memory stays bounded."""

from __future__ import annotations

import resource

from tests.support.harness import World, eventually

LIMITS = {"intake": {"per_person_per_minute": 30, "burst": 10, "max_waiting_per_chat": 50}}


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(x for x in status if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


async def test_a_flood_of_10000_messages_from_one_person(tg_world: World) -> None:
    d, fake = tg_world.driver, tg_world.fake
    admin, flooder, other = d.person("Quản trị"), d.person("Người gửi dồn"), d.person("Chị Hoa")
    app = await tg_world.start(admins=[admin], extra=LIMITS)
    assert app.inbound is not None
    inbound = app.inbound
    await d.say(other, d.private(other), "/batdau")
    before_rss = _rss_mb()
    chat = d.private(flooder)
    most_tasks = 0
    for k in range(10_000):
        fake.type_as(flooder.handle, chat, f"tin số {k} 😀\u200b")
    # Someone else writes after the whole flood, and is still answered promptly.
    fake.type_as(other.handle, d.private(other), "/toi")
    await eventually(
        lambda: any(t.startswith("👤 Chị Hoa") for t in d.texts(d.private(other))),
        timeout=20, what="the other person's reply behind 10,000 flooded updates",
    )  # fmt: skip

    def all_in() -> bool:
        nonlocal most_tasks
        most_tasks = max(most_tasks, len(inbound._tasks))
        return inbound.handled + inbound.throttled >= 10_000 + 2

    await eventually(all_in, timeout=60, what="every flooded update taken in or refused")
    # The burst, and what the bucket refilled (30 a minute) while the flood came in.
    assert inbound.throttled >= 10_000 - 10 - 5, "beyond the burst, refused"
    assert most_tasks <= 100, f"{most_tasks} tasks at once: the flood was not refused early"
    await eventually(lambda: sum("gửi nhanh quá" in t for t in d.texts(chat)) >= 1)
    texts = d.texts(chat)
    assert sum("gửi nhanh quá" in t for t in texts) == 1, "one polite note a minute"
    assert len(texts) <= 16, "the burst's replies and the one note, no more"
    assert _rss_mb() - before_rss < 100, "memory stays bounded"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0
    health = app.health()
    assert health["intake"]["throttled"] == inbound.throttled
