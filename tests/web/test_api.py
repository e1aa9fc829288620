"""The read-only API end to end: data typed on the fake Telegram, read back by dashboards with
tokens of different scopes and areas; pages, refusals and what stays private."""

from __future__ import annotations

import re

import aiohttp

from tests.support.harness import World
from tests.web.api_helpers import AREAS_ONLY, FULL, HUONG_SON, ApiClient, district_with_data

TREE = ["42", "R1", "18115", "18115-01", "18115-02", "18133", "18133-01", "18133-02"]


async def test_dashboards_read_what_the_bot_stored_within_their_scopes(tg_world: World) -> None:
    team = await district_with_data(tg_world)
    d = tg_world.driver
    # The commune's officer sends Hoa's report (number 1) back: it still counts, as returned.
    returned = await d.say(team.lan, d.private(team.lan), "/tralai 1 Số chết chưa khớp sổ")
    assert returned[0].startswith("↩️ Đã trả lại báo cáo số 1 ")
    assert tg_world.bot.app is not None
    port = tg_world.bot.app.web_port
    async with aiohttp.ClientSession() as http:
        full = ApiClient(http, port, FULL)
        huong_son = ApiClient(http, port, HUONG_SON)
        tree_only = ApiClient(http, port, AREAS_ONLY)

        # Who is asking: no token, a wrong one, a token without the scope.
        for who in (ApiClient(http, port, None), ApiClient(http, port, "x" * 64)):
            status, body = await who.get("/api/v1/reports")
            assert status == 401 and set(body) == {"error"}
        status, body = await tree_only.get("/api/v1/reports")
        assert (status, body["error"]["code"]) == (403, "missing_scope")
        assert "reports:read" in body["error"]["message"]

        # The tree, two areas a page (page_size 2): every area once, parents first.
        areas = await full.every("/api/v1/areas")
        assert [a["code"] for a in areas] == TREE
        village = areas[3]
        assert village["parent"] == "18115" and village["villages"] == 1
        assert [p["code"] for p in village["path"]] == ["42", "R1", "18115", "18115-01"]
        assert [a["code"] for a in await huong_son.every("/api/v1/areas")] == TREE[5:]
        assert [a["code"] for a in await tree_only.every("/api/v1/areas", kind="village")] == [
            "18115-01", "18115-02", "18133-01", "18133-02",
        ]  # fmt: skip
        status, body = await huong_son.get("/api/v1/areas", area="18115")
        assert (status, body["error"]["code"]) == (403, "area_not_allowed")

        # Reports: one page at a time, each once; names and free text only with their scopes.
        reports = await full.every("/api/v1/reports", period="2026-11", limit=1)
        assert [(r["area"]["code"], r["values"]) for r in reports] == [
            ("18115-01", {"sinh": 1}), ("18133-01", {"sinh": 2, "chet": 1}),
        ]  # fmt: skip
        hoa_report = reports[1]
        assert hoa_report["reporter_name"] == "Chị Hoa"
        assert re.fullmatch(r"p-[0-9a-f]{20}", hoa_report["reporter"]), "no internal id"
        assert hoa_report["late"] is False and hoa_report["version"] == 1
        mine = await huong_son.every("/api/v1/reports")  # the default type, this month
        assert [r["area"]["code"] for r in mine] == ["18133-01"]
        assert mine[0]["reporter"] == hoa_report["reporter"], "one pseudonym per person"
        assert mine[0]["reporter_name"] is None
        status, body = await huong_son.get("/api/v1/reports", area="18115-01")
        assert status == 403 and body["error"]["parameter"] == "area"

        (note,) = await full.every("/api/v1/reports", type="tinhhinh", period="2026-11-23")
        assert note["values"] == {
            "ghi_chu": "nhà bà Lan có người sốt cao", "muc_do": "cần chú ý",
        }  # fmt: skip
        (withheld,) = await huong_son.every("/api/v1/reports", type="tinhhinh")
        assert withheld["values"] == {"muc_do": "cần chú ý"}, "free text needs text:read"

        # Completeness: the digest's numbers, one row per village of the commune.
        status, body = await full.get("/api/v1/completeness", area="18133", period="2026-11")
        assert status == 200
        assert body["totals"] == {
            "villages": 2, "expected": 2, "reported": 1, "on_time": 1, "late": 0,
            "missing": 1, "uncovered": 0, "returned": 1,
        }  # fmt: skip
        assert body["period"]["deadline"] == "2026-12-03"
        son_ninh, son_trung = body["data"]
        assert son_ninh["area"]["code"] == "18133-01" and son_ninh["reported"] == 1
        (sent_back,) = son_ninh["returned_reports"]
        assert (sent_back["number"], sent_back["code"]) == (1, "18133-01")
        assert sent_back["officer"] == "Cán bộ Lan" and son_trung["returned"] == 0
        assert son_trung["missing_villages"] == [
            {"code": "18133-02", "name": "Thôn Sơn Trung",
             "collaborators": [{"id": son_trung["missing_villages"][0]["collaborators"][0]["id"],
                                "name": "Anh Tú"}]},
        ]  # fmt: skip
        status, body = await huong_son.get("/api/v1/completeness")
        assert status == 200 and body["area"]["code"] == "18133"
        (tu,) = body["data"][1]["missing_villages"][0]["collaborators"]
        assert tu["name"] is None and tu["id"].startswith("p-")
        assert body["data"][0]["returned_reports"][0]["officer"] is None
        # The whole tree, one row per commune (the single region is skipped, as in the digest).
        communes = await full.every("/api/v1/completeness", limit=1)
        assert [
            (c["area"]["code"], c["reported"], c["missing"], c["returned"]) for c in communes
        ] == [("18115", 1, 0, 0), ("18133", 1, 1, 1)]
        status, body = await huong_son.get("/api/v1/completeness", area="R1")
        assert (status, body["error"]["code"]) == (403, "area_not_allowed")

        # Directives and acknowledgements, counted inside the areas the token reads.
        (directive,) = await full.every("/api/v1/directives")
        assert directive["text"] == "Họp giao ban dân số thứ Hai"
        assert (directive["expected"], directive["acknowledged"]) == (4, 1)
        (seen,) = await huong_son.every("/api/v1/directives")
        assert seen["text"] is None and (seen["expected"], seen["acknowledged"]) == (3, 1)
        rows = await huong_son.every("/api/v1/directives/1/acknowledgements")
        assert [(r["area"]["code"], r["expected"], r["acknowledged"]) for r in rows] == [
            ("18133", 1, 0), ("18133-01", 1, 1), ("18133-02", 1, 0),
        ]  # fmt: skip
        hoa = rows[1]["people"][0]
        assert hoa["id"] == hoa_report["reporter"] and hoa["name"] is None
        assert hoa["via"] == "command" and hoa["acknowledged_at"].startswith("2026-11-23T")
        named = await full.every("/api/v1/directives/1/acknowledgements", area="18133-01")
        assert named[0]["people"][0]["name"] == "Chị Hoa"
        status, body = await full.get("/api/v1/directives/2/acknowledgements")
        assert (status, body["error"]["code"]) == (404, "not_found")

        # A report arriving between two pages neither repeats an item nor pushes one out.
        status, first = await full.get("/api/v1/reports", limit=1)
        assert [r["area"]["code"] for r in first["data"]] == ["18115-01"]
        for person, text in ((team.binh, "/bc chet 1"), (team.tu, "/bc sinh 1")):
            assert (await d.say(person, d.private(person), text))[0].startswith("✅")
        rest = await full.every(first["page"]["next"])
        assert first["data"][0]["id"] not in [r["id"] for r in rest]
        # Bình's second report sorts before or after the cursor (ids are random); the rest is
        # all there, once.
        codes = [r["area"]["code"] for r in rest]
        assert codes in (["18133-01", "18133-02"], ["18115-01", "18133-01", "18133-02"])

        # Bad parameters: 400 with what would be valid.
        for path, query, parameter in (
            ("/api/v1/reports", {"period": "2026-13"}, "period"),
            ("/api/v1/reports", {"period": "2026-W48"}, "period"),
            ("/api/v1/reports", {"perod": "2026-11"}, "perod"),
            ("/api/v1/reports", {"type": "sinh"}, "type"),
            ("/api/v1/areas", {"limit": "0"}, "limit"),
            ("/api/v1/areas", {"cursor": "not-ours"}, "cursor"),
            ("/api/v1/completeness", {"period": "2027-01"}, "period"),
        ):
            status, body = await full.get(path, **query)
            assert (status, body["error"]["parameter"]) == (400, parameter), (query, body)
        assert (
            "2026-11"
            in (await full.get("/api/v1/reports", period="2026-W48"))[1]["error"]["message"]
        )
