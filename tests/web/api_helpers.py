"""A district with reports and a directive typed on the fake, and the API's clients over it."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.support.directive_helpers import Team, district_team
from tests.support.harness import World, eventually

# Tokens as an admin makes them (`openssl rand -hex 32`), one per client.
FULL = "5f1d0c9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f10"
HUONG_SON = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
AREAS_ONLY = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
EVERY_SCOPE = [
    "areas:read", "reports:read", "completeness:read", "directives:read", "text:read",
    "people:names",
]  # fmt: skip
CLIENTS: list[dict[str, Any]] = [
    {"name": "province-dashboard", "env": "API_TOKEN_FULL", "scopes": EVERY_SCOPE},
    {
        "name": "huong-son",
        "env": "API_TOKEN_HUONG_SON",
        "scopes": ["areas:read", "reports:read", "completeness:read", "directives:read"],
        "areas": ["18133"],
    },
    {"name": "tree-only", "env": "API_TOKEN_TREE", "scopes": ["areas:read"]},
]
TOKENS = {"API_TOKEN_FULL": FULL, "API_TOKEN_HUONG_SON": HUONG_SON, "API_TOKEN_TREE": AREAS_ONLY}


async def district_with_data(world: World, **api: Any) -> Team:
    """The district team (tests/support/directive_helpers.py) with the API on; Hoa and Bình
    report, Tú does not; directive 1 goes to everyone and Hoa acknowledges it."""
    world.bot.environ.update(TOKENS)
    team = await district_team(
        world, extra={"api": {"enabled": True, "page_size": 2, "clients": CLIENTS, **api}}
    )
    d = world.driver
    hoa = d.private(team.hoa)
    assert (await d.say(team.hoa, hoa, "/bc sinh 2 chet 1"))[0].startswith("✅")
    note = "/bc tinhhinh ghi chu: nhà bà Lan có người sốt cao | muc do: can chu y"
    assert (await d.say(team.hoa, hoa, note))[0].startswith("✅")
    assert (await d.say(team.binh, d.private(team.binh), "/bc sinh 1"))[0].startswith("✅")
    region = d.private(team.region)
    await d.say(team.region, region, "/chithi all: Họp giao ban dân số thứ Hai han 30/11")
    assert (await d.say(team.region, region, "/xacnhan"))[0].startswith("Đã xếp gửi")
    await eventually(
        lambda: any("Thông báo số 1" in t for t in d.texts(d.private(team.binh))),
        what="the directive's copies",
    )
    assert (await d.say(team.hoa, hoa, "/danhan 1"))[0].startswith("✅")
    return team


class ApiClient:
    """Reads the bot's API as a dashboard would."""

    def __init__(self, http: aiohttp.ClientSession, port: int, token: str | None) -> None:
        self.http = http
        self.base = f"http://127.0.0.1:{port}"
        self.token = token

    async def get(self, path: str, **query: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        url = path if path.startswith("http") else f"{self.base}{path}"
        async with self.http.get(url, params=query or None, headers=headers) as resp:
            assert resp.content_type == "application/json"
            return resp.status, await resp.json()

    async def every(self, path: str, **query: Any) -> list[dict[str, Any]]:
        """Every item of a list, page after page by its `next` links."""
        status, body = await self.get(path, **query)
        items = []
        while True:
            assert status == 200, body
            items += body["data"]
            if body["page"]["next"] is None:
                return items
            status, body = await self.get(body["page"]["next"])
