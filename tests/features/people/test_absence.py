"""/vang: days away. A collaborator marks their own, an officer those of the collaborators of
their area (never another area's); reminders and chases leave them out on those days and
reach them again after; the days survive a restart; /vang lists them and /vang huy cancels."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.absences import Absence
from bot.core.clock import ManualClock
from bot.core.errors import UserError
from bot.features.people.absence_words import AbsenceWords, parse_absence
from bot.store import open_store
from tests.support.directive_helpers import district_team
from tests.support.harness import World, eventually

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("02/12", AbsenceWords("", date(2026, 12, 2), date(2026, 12, 2))),
        ("1/12 5/12", AbsenceWords("", date(2026, 12, 1), date(2026, 12, 5))),
        ("tu 1/12 den 5/12", AbsenceWords("", date(2026, 12, 1), date(2026, 12, 5))),
        ("từ ngày 1.12 đến ngày 5.12", AbsenceWords("", date(2026, 12, 1), date(2026, 12, 5))),
        ("1/12 - 5/12 tap huan", AbsenceWords("", date(2026, 12, 1), date(2026, 12, 5),
                                              "tap huan")),
        ("28/12 3/1", AbsenceWords("", date(2026, 12, 28), date(2027, 1, 3))),  # over New Year
        ("5/1", AbsenceWords("", date(2027, 1, 5), date(2027, 1, 5))),  # January coming
        ("20/11", AbsenceWords("", date(2026, 11, 20), date(2026, 11, 20))),  # just gone
        ("hom nay ngay mai", AbsenceWords("", TODAY, date(2026, 11, 24))),
        ("02/01/2027", AbsenceWords("", date(2027, 1, 2), date(2027, 1, 2))),
        ("12 1/12 3/12", AbsenceWords("12", date(2026, 12, 1), date(2026, 12, 3))),
        ("Chị Hoa 1/12", AbsenceWords("Chị Hoa", date(2026, 12, 1), date(2026, 12, 1))),
    ],
)  # fmt: skip
def test_the_days_as_people_type_them(text: str, expected: AbsenceWords) -> None:
    """dd/mm with or without the year, joining words, today and tomorrow, a person first."""
    assert parse_absence(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [("", "absence.usage"), ("mai", "absence.usage"), ("32/12", "absence.bad_date"),
     ("1/13 2/13", "absence.bad_date"), ("123/4", "absence.bad_date")],
)  # fmt: skip
def test_what_is_not_a_day_is_refused_with_the_right_form(text: str, key: str) -> None:
    """Nothing to read, or a day that does not exist: a refusal that shows the form."""
    with pytest.raises(UserError) as err:
        parse_absence(text, today=TODAY)
    assert err.value.key == key


@pytest.mark.parametrize("backend", ["memory", "tinydb"])
def test_the_store_keeps_absences_and_a_persons_data_includes_them(
    backend: str, tmp_path: Path
) -> None:
    """Who is away on a day, current and coming ones, kept across a reopen; a person's export
    lists them and erasing the person removes them."""
    at = datetime(2026, 11, 23, 8, tzinfo=VN)
    store = open_store(tmp_path, backend=backend)
    hoa = store.people.add(name="Chị Hoa", created_at=at).id
    tu = store.people.add(name="Anh Tú", created_at=at).id
    one = store.absences.add(Absence(0, hoa, date(2026, 12, 1), date(2026, 12, 3), hoa, at))
    store.absences.add(Absence(0, tu, date(2026, 11, 20), date(2026, 11, 22), tu, at, "ốm"))
    if backend == "tinydb":
        store.close()
        store = open_store(tmp_path)
    assert store.absences.get(one.id) == one
    assert store.absences.away_on(date(2026, 12, 3)) == {hoa}
    assert store.absences.away_on(date(2026, 12, 4)) == frozenset()
    assert [a.person_id for a in store.absences.from_day(date(2026, 11, 23))] == [hoa]
    assert store.personal.about(hoa)["absences"][0]["start"] == "2026-12-01"
    store.personal.erase(hoa, at=at, text_fields={})
    assert store.absences.of_person(hoa) == []
    store.close()


def _at(clock: ManualClock, day: int, hour: int) -> None:
    clock.set(datetime(2026, 11, day, hour, tzinfo=VN))


async def test_an_absent_collaborator_gets_no_reminder_or_chase_then_does_again(
    tg_world: World, clock: ManualClock
) -> None:
    team = await district_team(tg_world, extra={"directives": {"chase_times": 3}})
    d = tg_world.driver
    hoa, tu, lan = d.private(team.hoa), d.private(team.tu), d.private(team.lan)
    done = (await d.say(team.hoa, hoa, "/vang 24/11 25/11 di tap huan"))[0]
    assert done.startswith("✅ Đã ghi bạn vắng 24/11/2026 – 25/11/2026.")
    await d.say(team.lan, lan, "/nhac them hang ngay luc 16:00: Cập nhật ca bệnh")
    await d.say(team.lan, lan, "/chithi Xã Hương Sơn: Rà soát sổ hộ gia đình")
    await d.say(team.lan, lan, "/xacnhan")
    app = tg_world.bot.app
    assert app is not None and app.store is not None
    store = app.store

    def heard(chat: object, text: str) -> int:
        return sum(text in t for t in d.texts(chat))

    chase = "🔔 Nhắc: bạn chưa xác nhận đã nhận thông báo số 1"
    _at(clock, 23, 16)
    await eventually(lambda: heard(hoa, "Cập nhật ca bệnh") == heard(tu, "Cập nhật ca bệnh") == 1)
    for day in (24, 25):
        _at(clock, day, 16)
        assert app.follow_up_directives()["chases"] == 1
        await eventually(lambda day=day: heard(tu, "Cập nhật ca bệnh") == day - 22)
        await eventually(lambda day=day: heard(tu, chase) == day - 23)
        await eventually(lambda: store.outbox.backlog()[0] == 0, what="the outbox to empty")
        assert heard(hoa, "Cập nhật ca bệnh") == 1 and heard(hoa, chase) == 0, f"away {day}/11"
    _at(clock, 26, 16)
    assert app.follow_up_directives()["chases"] == 1
    await eventually(lambda: heard(hoa, chase) == 1, what="the chase once she is back")
    await eventually(lambda: heard(hoa, "Cập nhật ca bệnh") == 2, what="her reminder again")


async def test_an_officer_marks_a_collaborator_of_their_area_only(world: World) -> None:
    team = await district_team(world)
    d = world.driver
    lan, hoa = d.private(team.lan), d.private(team.hoa)
    hoa_id, binh_id = team.ids["Chị Hoa"], team.ids["Anh Bình"]
    done = (await d.say(team.lan, lan, f"/vang {hoa_id} 1/12 3/12"))[0]
    assert done.startswith(
        "✅ Đã ghi Chị Hoa (Thôn Sơn Ninh) vắng 01/12/2026 – 03/12/2026: trong những ngày này"
    )
    await eventually(lambda: any(
        t.startswith("Cán bộ Lan đã ghi bạn vắng 01/12/2026 – 03/12/2026") for t in d.texts(hoa)
    ), what="Hoa told")  # fmt: skip
    refused = "không thuộc địa bàn của bạn"
    assert refused in (await d.say(team.lan, lan, f"/vang {binh_id} 1/12"))[0]
    assert refused in (await d.say(team.lan, lan, "/vang Bình 1/12"))[0]
    assert (await d.say(team.lan, lan, "/vang Hoa 3/12 4/12"))[0].startswith(
        "✅ Đã ghi Chị Hoa (Thôn Sơn Ninh) vắng 01/12/2026 – 04/12/2026"
    ), "days that touch join the same absence"
    assert (await d.say(team.binh, d.private(team.binh), "/vang 1/12"))[0].startswith(
        "✅ Đã ghi bạn vắng 01/12/2026."
    )
    bad = (await d.say(team.hoa, hoa, "/vang 31/11"))[0]
    assert bad == "Ngày «31/11» không hợp lệ. Viết ngày/tháng, ví dụ: /vang 01/09 05/09"

    await world.restart()  # the days are stored, not held in memory
    listing = (await d.say(team.lan, lan, "/vang"))[0].splitlines()
    assert listing[0] == "Ngày vắng sắp tới (1):"
    assert listing[1].endswith("Chị Hoa (Thôn Sơn Ninh): 01/12/2026 – 04/12/2026"), listing
    number = listing[1].split()[0].lstrip("#")
    own = (await d.say(team.hoa, hoa, "/vang"))[0]
    assert "Chị Hoa (Thôn Sơn Ninh): 01/12/2026 – 04/12/2026" in own
    assert refused in (await d.say(team.lan, lan, "/vang huy 2"))[0], "Bình's, another commune"
    cancelled = await d.say(team.lan, lan, f"/vang huy {number}")
    assert cancelled == ["🗑 Đã hủy ngày vắng 01/12/2026 – 04/12/2026 của Chị Hoa."]
    assert (await d.say(team.hoa, hoa, "/vang huy"))[0].startswith(
        "Bạn không có ngày vắng nào để hủy."
    )
    assert (await d.say(team.lan, lan, "/vang"))[0].startswith("Không ai vắng")
