"""Registration scenarios: a test tree where "Tổ dân phố 4" exists in two wards, choosing an
option the way each platform does (a button on Telegram, a typed number on Zalo), and people
and registrations put straight into the store when only their number matters."""

from __future__ import annotations

import copy
import re
from datetime import timedelta
from typing import Any

from bot.core.models import Account
from bot.store.base import Store
from tests.support.harness import AREAS, Person, World, eventually


def tree() -> dict[str, Any]:
    """The harness tree plus "Tổ dân phố 4" in Phường Bắc Hồng Lĩnh and a second ward, Phường
    Nam Hồng Lĩnh, with its own "Tổ dân phố 4" (so the name alone needs the ward)."""
    areas = copy.deepcopy(AREAS)
    region = areas["children"][0]
    bac = region["children"][0]
    bac["children"].append({"code": "18115-04", "name": "Tổ dân phố 4", "kind": "village"})
    region["children"].append(
        {
            "code": "18118",
            "name": "Phường Nam Hồng Lĩnh",
            "kind": "commune",
            "children": [
                {"code": "18118-04", "name": "Tổ dân phố 4", "kind": "village"},
                {"code": "18118-05", "name": "Tổ dân phố 5", "kind": "village"},
            ],
        }
    )
    return areas


def number_in(text: str) -> str:
    """A person's short number in a /toi answer."""
    found = re.search(r"mã số (\d+)", text)
    assert found, text
    return found.group(1)


async def officer(world: World, admin: Person, name: str, area: str) -> Person:
    """A new person the admin made officer of `area`."""
    d = world.driver
    person = d.person(name)
    chat = d.private(person)
    await d.say(person, chat, "/batdau")
    number = number_in((await d.say(person, chat, "/toi"))[0])
    granted = await d.say(admin, d.private(admin), f"/vaitro {number} canbo {area}")
    assert granted[0].startswith(f"✅ {name}"), granted
    return person


def option(text: str, name: str) -> int:
    """The number the bot's question gives `name` ("2. Phường Nam Hồng Lĩnh")."""
    found = re.search(rf"^(\d+)\. {re.escape(name)}\b", text, re.MULTILINE)
    assert found, f"{name!r} is not offered in:\n{text}"
    return int(found.group(1))


async def choose(world: World, person: Person, chat: Any, name: str) -> list[str]:
    """Answer the bot's last question with `name`: Telegram presses its number's button, Zalo
    types the number. Returns the bot's new messages in the chat."""
    d = world.driver
    if world.platform != "telegram":
        question = d.texts(chat)[-1]
        return await d.say(person, chat, str(option(question, name)))
    message = world.fake.sent(chat)[-1]
    number = str(option(message.text, name))
    data = next(data for row in message.buttons for label, data in row if label == number)
    return await press(world, person, chat, message.message_id, data)


async def press(world: World, person: Person, chat: Any, message_id: int, data: str) -> list[str]:
    """Press a Telegram button and wait until the bot handled it; its new messages there."""
    before, handled = len(world.driver.texts(chat)), world.bot.handled
    world.fake.press(person.handle, chat, message_id, data)
    await eventually(lambda: world.bot.handled > handled, what=f"the press on {data}")
    return world.driver.texts(chat)[before:]


def newcomers(store: Store, count: int, villages: list[str], *, start: int) -> list[int]:
    """`count` people who asked to join, in turn, one of `villages`; their registration ids."""
    ids = []
    when = store.people.all()[0].created_at
    assert when is not None
    with store.atomic():
        for i in range(count):
            person = store.people.add(
                name=f"Người mới {start + i}",
                accounts=(Account(f"telegram:{900000 + start + i}", reachable=True),),
                created_at=when,
            )
            reg = store.registrations.add(
                person_id=person.id,
                area=villages[i % len(villages)],
                requested_at=when + timedelta(minutes=i),
            )
            ids.append(reg.id)
    return ids
