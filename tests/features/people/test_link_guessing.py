"""/lienket codes cannot be guessed: a code dies after three wrong tries that name it, each
account and person has five wrong codes a day, the whole bot twenty an hour (then it stops
taking codes for an hour and tells the admins); the counts survive a restart. On Telegram and
Zalo, over HTTP against the fakes."""

from __future__ import annotations

from bot.core.clock import ManualClock
from tests.features.people.link_helpers import blind_guess, code_in, number_of, wrong_secret
from tests.support.harness import Person, World, eventually

WRONG = "Mã không đúng hoặc đã hết hạn"


async def _officer(world: World) -> tuple[Person, Person]:
    """Start the bot with an admin and Lan, an officer of Xã Hương Sơn; both wrote privately."""
    d = world.driver
    admin, lan = d.person("Quản trị"), d.person("Cán bộ Lan")
    await world.start(admins=[admin])
    await d.say(admin, d.private(admin), "/batdau")
    await d.say(lan, d.private(lan), "/batdau")
    lan_no = number_of((await d.say(lan, d.private(lan), "/toi"))[0])
    await d.say(admin, d.private(admin), f"/vaitro {lan_no} canbo Xã Hương Sơn")
    return admin, lan


async def test_wrong_tries_that_name_a_code_kill_it_and_the_owner_is_told(world: World) -> None:
    """Three wrong codes with the code's first digits (one of them after a restart) kill it; its
    owner hears of it at once, and the right code then links nothing."""
    d = world.driver
    _, lan = await _officer(world)
    lan_chat = d.private(lan)
    asked = (await d.say(lan, lan_chat, "/lienket"))[0]
    code = code_in(asked)
    assert len(code) == 10, asked
    mallory = d.person("Kẻ dò mã")
    m_chat = d.private(mallory)
    for n in (1, 2):
        assert WRONG in (await d.say(mallory, m_chat, f"/lienket {wrong_secret(code, n)}"))[0]
    await world.restart()  # the code's count is stored
    before = len(d.texts(lan_chat))
    assert WRONG in (await d.say(mallory, m_chat, f"/lienket {wrong_secret(code, 3)}"))[0]
    await eventually(lambda: len(d.texts(lan_chat)) > before, what="the owner's warning")
    warning = d.texts(lan_chat)[-1]
    assert "3 lần" in warning and "đã bị hủy" in warning, warning

    assert WRONG in (await d.say(mallory, m_chat, f"/lienket {code}"))[0]
    me = (await d.say(mallory, m_chat, "/toi"))[0]
    assert "cán bộ" not in me and "Cán bộ Lan" not in me


async def test_brute_force_from_many_accounts_stops_long_before_the_odds_bound(
    world: World, clock: ManualClock
) -> None:
    """Twelve accounts guessing blind: the bot weighs 20 guesses, then takes no code for an hour
    (not even the right one) and tells the admins once; after the hour linking works again."""
    d = world.driver
    admin, lan = await _officer(world)
    code = code_in((await d.say(lan, d.private(lan), "/lienket"))[0])
    attackers = [d.person(f"Dò mã {i}") for i in range(12)]
    weighed = paused = 0
    for n in range(60):
        who = attackers[n % len(attackers)]
        answer = (await d.say(who, d.private(who), f"/lienket {blind_guess(code, n)}"))[0]
        if WRONG in answer:
            weighed += 1
        else:
            assert "Tạm ngừng liên kết" in answer, answer
            paused += 1
    assert (weighed, paused) == (20, 40)
    await eventually(
        lambda: any("Tạm ngừng" in t for t in d.texts(d.private(admin))), what="the admins' alert"
    )
    alerts = [t for t in d.texts(d.private(admin)) if "Tạm ngừng" in t]
    assert len(alerts) == 1 and "20 lần" in alerts[0], alerts

    lan_phone = d.person("Lan máy mới")
    refused = (await d.say(lan_phone, d.private(lan_phone), f"/lienket {code}"))[0]
    assert "Tạm ngừng liên kết" in refused
    assert "Tạm ngừng liên kết" in (await d.say(lan, d.private(lan), "/lienket"))[0]

    clock.advance(minutes=61)
    code = code_in((await d.say(lan, d.private(lan), "/lienket"))[0])
    assert "Đã liên kết" in (await d.say(lan_phone, d.private(lan_phone), f"/lienket {code}"))[0]


async def test_each_account_and_person_has_five_wrong_codes_a_day_across_restarts(
    world: World, clock: ManualClock
) -> None:
    """Five wrong codes from one person (over two linked accounts) use up the day; a restart
    does not reset it; a day later they may try again."""
    d = world.driver
    await world.start(admins=[])
    phone, tablet = d.person("Anh Nam"), d.person("Anh Nam máy tính bảng")
    p_chat, t_chat = d.private(phone), d.private(tablet)
    code = code_in((await d.say(phone, p_chat, "/lienket"))[0])
    assert "Đã liên kết" in (await d.say(tablet, t_chat, f"/lienket {code}"))[0]

    left = []
    for n, (who, chat) in enumerate([(phone, p_chat)] * 3 + [(tablet, t_chat)] * 2):
        answer = (await d.say(who, chat, f"/lienket {blind_guess(code, n)}"))[0]
        assert WRONG in answer, answer
        left.append(answer)
    assert "còn 4 lần" in left[0] and "hết lượt" in left[-1], left
    too_many = (await d.say(phone, p_chat, f"/lienket {blind_guess(code, 9)}"))[0]
    assert "sai mã quá nhiều lần" in too_many, too_many

    await world.restart()
    assert "sai mã quá nhiều lần" in (await d.say(tablet, t_chat, "/lienket 1234567890"))[0]
    stranger = d.person("Người khác")
    assert WRONG in (await d.say(stranger, d.private(stranger), "/lienket 1234567890"))[0]

    clock.advance(hours=24, minutes=1)
    assert WRONG in (await d.say(phone, p_chat, "/lienket 1234567890"))[0]


async def test_codes_are_typed_loosely_but_must_have_ten_digits(world: World) -> None:
    """Spaces, dashes and dots are fine; a code of the wrong length gets the right form and
    costs no try."""
    d = world.driver
    await world.start(admins=[])
    phone, other = d.person("Chị Mai"), d.person("Chị Mai Zalo")
    code = code_in((await d.say(phone, d.private(phone), "/lienket"))[0])
    short = (await d.say(other, d.private(other), "/lienket 123456"))[0]
    assert "10 chữ số" in short and "/lienket" in short, short
    letters = (await d.say(other, d.private(other), "/lienket mã của tôi"))[0]
    assert "10 chữ số" in letters
    typed = f"{code[:3]}-{code[3:6]}.{code[6:]} "
    assert "Đã liên kết" in (await d.say(other, d.private(other), f"/lienket  {typed}"))[0]
