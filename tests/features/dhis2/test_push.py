"""Pushing to DHIS2 end to end: reports typed on Telegram in villages of two communes, the
`dhis2 push` command against the fake DHIS2 (sums per unit, one conflict, the admins told in
their language); the daily job on Telegram and Zalo, the clock moved."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.cli.dhis2 import dhis2_push
from bot.core.clock import ManualClock
from bot.core.models import Report
from tests.fakes.dhis2_api import FakeDhis2
from tests.features.dhis2 import dhis2_setup as setup
from tests.support.directive_helpers import district_team
from tests.support.harness import World, eventually

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# What November's population changes come to, worked out by hand from the reports typed below:
# Bắc Hồng Lĩnh: births 1 + 2 (Trung Lương) + 4 (Đức Thuận); Hương Sơn: births 2 (Sơn Ninh; Sơn
# Trung's 5 were retracted), deaths 3 (Sơn Ninh, corrected from 1) + 1 (Sơn Trung), moved in 2.
NOVEMBER = {
    "dataSet": setup.DATA_SET,
    "period": "202611",
    "dataValues": [
        {"dataElement": setup.DE_BIRTHS, "orgUnit": setup.UNIT_BAC_HONG_LINH, "value": "7"},
        {"dataElement": setup.DE_BIRTHS, "orgUnit": setup.UNIT_HUONG_SON, "value": "2"},
        {"dataElement": setup.DE_DEATHS, "orgUnit": setup.UNIT_HUONG_SON, "value": "4"},
        {"dataElement": setup.DE_MOVED_IN, "orgUnit": setup.UNIT_HUONG_SON, "value": "2"},
    ],
}


async def _push(world: World, clock: ManualClock, **kw: object) -> tuple[int, str]:
    """`python -m bot dhis2 push`, in this process (the bot stopped); exit code and output."""
    out = io.StringIO()
    code = await dhis2_push(
        config_path=str(world.folder / "config.yaml"), environ=world.bot.environ, clock=clock,
        out=out, **kw,  # type: ignore[arg-type]
    )  # fmt: skip
    return code, out.getvalue()


async def test_push_sums_per_unit_reports_a_conflict_and_tells_the_admins(
    tg_world: World, clock: ManualClock, fake_dhis2: FakeDhis2
) -> None:
    """Villages of two communes report, correct and retract on Telegram; the push sends each
    commune's sums once (no superseded or retracted version, no other month), DHIS2 refuses
    the one value whose data element it does not know, and the CLI and the admin say so."""
    world = tg_world
    world.bot.environ.update(setup.environ())
    team = await district_team(world, extra=setup.extra(fake_dhis2.base_url))
    d = world.driver
    for person, lines in (
        (team.hoa, ["/bc sinh 2 chet 1", "/sua chet 3", "/bc thang 10 sinh 9"]),
        (team.tu, ["/bc sinh 5", "/huybaocao", "/bc chet 1 chuyen den 2"]),
        (team.binh, ["/bc sinh 1", "/bc sinh 2"]),
        (team.region, ["/bc thon Đức Thuận sinh 4"]),
    ):
        for line in lines:
            answer = (await d.say(person, d.private(person), line))[-1]
            assert answer.startswith(("✅", "✏️", "↩️", "🗑")) or "hủy" in answer, answer
    await d.say(team.admin, d.private(team.admin), "/ngonngu en")
    await world.bot.stop()

    code, printed = await _push(world, clock, period="2026-11")

    assert code == 4, printed  # sent, with a value refused
    assert [r.body for r in fake_dhis2.received] == [NOVEMBER]
    assert fake_dhis2.received[0].authorization == f"ApiToken {setup.TOKEN}"
    assert fake_dhis2.value(setup.DE_BIRTHS, "202611", setup.UNIT_BAC_HONG_LINH) == "7"
    assert fake_dhis2.value(setup.DE_DEATHS, "202611", setup.UNIT_HUONG_SON) == "4"
    assert printed.splitlines()[:6] == [
        f"📤 Gửi số liệu lên DHIS2 (127.0.0.1:{fake_dhis2.base_url.rsplit(':', 1)[1]}):",
        "• Biến động dân số, tháng 11/2026: 4 số liệu của 2 đơn vị, từ 5 báo cáo.",
        "  DHIS2: 3 mới, 0 cập nhật, 1 bỏ qua, 0 xóa.",
        "  ⚠️ Số liệu bị từ chối: 1",
        "  – Chuyển đến (DeMovedIn01): Data element not found or not accessible: `DeMovedIn01`",
        "(1 admin(s) will be told in chat when the bot starts.)",
    ]

    await world.restart()
    chat = d.private(team.admin)
    await eventually(lambda: "DHIS2" in d.texts(chat)[-1], what="the admin's summary")
    told = d.texts(chat)[-1].splitlines()
    assert told[1:] == [
        "• Population changes, November 2026: 4 values for 2 units, from 5 reports.",
        "  DHIS2: 3 imported, 0 updated, 1 ignored, 0 deleted.",
        "  ⚠️ Values refused: 1",
        "  – Moved in (DeMovedIn01): Data element not found or not accessible: `DeMovedIn01`",
    ]


def _october(area: str, values: dict[str, int], n: str) -> Report:
    at = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
    return Report(f"danso:{area}:2026-10:{n}", "danso", area, "2026-10", values, 1, "zalo", at)


async def test_the_daily_job_pushes_the_open_periods_once_a_day(
    world: World, clock: ManualClock, fake_dhis2: FakeDhis2
) -> None:
    """At dhis2.daily_at (the clock moved, not waited) the periods that have ended and still
    take late reports go to DHIS2 (October on 23 November; November is under way), once that
    day and again the next, and the admin reads DHIS2's summary in their chat."""
    world.bot.environ.update(setup.environ())
    d = world.driver
    admin = d.person("Quản trị")
    app = await world.start(admins=[admin], extra=setup.extra(fake_dhis2.base_url,
                                                               daily_at="09:00"))  # fmt: skip
    await d.say(admin, d.private(admin), "/batdau")
    assert app.store is not None
    with app.store.atomic():
        app.store.reports.add(_october("18115-01", {"sinh": 2}, "a"))
        app.store.reports.add(_october("18133-02", {"sinh": 1, "chet": 1}, "b"))
        app.store.reports.add(Report("danso:18133-01:2026-11:c", "danso", "18133-01", "2026-11",
                                     {"sinh": 5}, 1, "zalo", clock.now()))  # fmt: skip
    chat = d.private(admin)
    before = len(d.texts(chat))

    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=VN))
    await eventually(lambda: len(d.texts(chat)) > before, what="the admin's DHIS2 summary")
    assert [r.body for r in fake_dhis2.received] == [
        {"dataSet": setup.DATA_SET, "period": "202610", "dataValues": [
            {"dataElement": setup.DE_BIRTHS, "orgUnit": setup.UNIT_BAC_HONG_LINH, "value": "2"},
            {"dataElement": setup.DE_BIRTHS, "orgUnit": setup.UNIT_HUONG_SON, "value": "1"},
            {"dataElement": setup.DE_DEATHS, "orgUnit": setup.UNIT_HUONG_SON, "value": "1"},
        ]},
    ]  # fmt: skip
    assert d.texts(chat)[-1].splitlines()[1:] == [
        "• Biến động dân số, tháng 10/2026: 3 số liệu của 2 đơn vị, từ 2 báo cáo.",
        "  DHIS2: 3 mới, 0 cập nhật, 0 bỏ qua, 0 xóa.",
    ]

    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=VN))
    assert app.scheduler is not None and app.store is not None
    daily = next(r for r in app.store.reminders.all() if r.source == "config:dhis2")
    assert app.scheduler.run_due(daily.id) is False, "today's push went out already"
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=VN))
    await eventually(lambda: len(fake_dhis2.received) == 2, what="the next day's push")
    await eventually(lambda: "0 mới, 3 cập nhật" in d.texts(chat)[-1], what="its summary")
    assert len(fake_dhis2.received) == 2
