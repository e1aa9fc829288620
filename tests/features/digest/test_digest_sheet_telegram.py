"""The supervisor's spreadsheet from a real /digest on Telegram: reports typed by collaborators,
the XLSX delivered through the fake Telegram as a document, opened and read cell by cell."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl

from tests.support.directive_helpers import district_team
from tests.support.harness import World

LEVELS = ["Region code", "Region", "Commune code", "Commune", "Village code", "Village"]
R1 = ("R1", "Trung tâm Y tế khu vực Hồng Lĩnh")
BAC, HUONG_SON = ("18115", "Phường Bắc Hồng Lĩnh"), ("18133", "Xã Hương Sơn")


def _table(sheet: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    header, *rows = sheet.iter_rows(min_row=2, values_only=True)
    return list(header), rows


async def test_an_english_supervisor_gets_the_sheet_he_would_build_by_hand(
    tg_world: World,
) -> None:
    """The province's supervisor reads English. Sơn Ninh reported births and family planning,
    Trung Lương births; Sơn Trung only October's, late; Đức Thuận has no collaborator."""
    world = tg_world
    team = await district_team(world)
    d = world.driver
    sup = d.person("Supervisor Hung")
    chat = d.private(sup)
    await d.say(sup, chat, "/batdau")
    number = re.search(r"mã số (\d+)", (await d.say(sup, chat, "/toi"))[0]).group(1)  # type: ignore[union-attr]
    await d.say(team.admin, d.private(team.admin), f"/vaitro {number} giamsat 42")
    await d.say(sup, chat, "/language en")
    for person, text in (
        (team.hoa, "/bc sinh 2, chet 1"), (team.hoa, "/bc kehoach thuoc uong 1"),
        (team.binh, "/bc sinh 1"), (team.tu, "/bc thang 10 sinh 1"),
    ):  # fmt: skip
        assert await d.say(person, d.private(person), text), text

    replies = await d.say(sup, chat, "/digest")
    assert len(replies) == 3 and replies[0].startswith("📋 Digest: Tỉnh Hà Tĩnh")
    document = world.fake.sent(chat)[-1].document
    assert document is not None and document["file_name"] == "tong-hop-42-2026-11-23.xlsx"
    assert replies[2].startswith("📊 Spreadsheet for Tỉnh Hà Tĩnh as of 23/11/2026: 4 villages")
    book = openpyxl.load_workbook(io.BytesIO(world.fake.file_bytes(document["file_id"])))

    # A sheet per report type, named in English.
    assert book.sheetnames == [
        "Population changes", "Family planning", "Pregnancy and screening", "Daily situation",
    ]  # fmt: skip
    births = book["Population changes"]
    header, rows = _table(births)
    assert header[:7] == [*LEVELS, "Status, November 2026"]
    assert header[header.index("Previous period (October 2026)") + 1 :] == [
        "Collaborators", "Last sent by", "Last received", "Messages",
    ]  # fmt: skip
    b, dead, prev = header.index("Births"), header.index("Deaths"), header.index(
        "Previous period (October 2026)")  # fmt: skip
    assert [(*r[:7], r[b], r[dead], r[prev]) for r in rows] == [
        (*R1, *BAC, "18115-01", "Tổ dân phố Trung Lương", "Reported", 1, None, "Not reported"),
        (*R1, *BAC, "18115-02", "Tổ dân phố Đức Thuận", "No collaborator", None, None,
         "No collaborator"),
        (*R1, BAC[0], f"Subtotal {BAC[1]}", None, None, "1/1 villages reported", 1, 0,
         "0/1 villages reported"),
        (*R1, *HUONG_SON, "18133-01", "Thôn Sơn Ninh", "Reported", 2, 1, "Not reported"),
        (*R1, *HUONG_SON, "18133-02", "Thôn Sơn Trung", "Not reported", None, None, "Late"),
        (*R1, HUONG_SON[0], f"Subtotal {HUONG_SON[1]}", None, None, "1/2 villages reported",
         2, 1, "1/2 villages reported, 1 late"),
        (R1[0], f"Subtotal {R1[1]}", None, None, None, None, "2/3 villages reported", 3, 1,
         "1/3 villages reported, 1 late"),
        (None, "Total Tỉnh Hà Tĩnh", None, None, None, None, "2/3 villages reported", 3, 1,
         "1/3 villages reported, 1 late"),
    ]  # fmt: skip
    son_trung = rows[4]
    assert son_trung[header.index("Collaborators")] == "Anh Tú"
    assert births.cell(7, 7).fill.fgColor.rgb.endswith("FFCDD2"), "not reported: light red"
    assert births.cell(7, prev + 1).fill.fgColor.rgb.endswith("FFE0B2"), "late: amber"
    son_ninh = rows[3]
    assert son_ninh[header.index("Last sent by")] == "Chị Hoa"
    assert son_ninh[header.index("Messages")] == 1
    assert births.freeze_panes == "A3"
    assert births.auto_filter.ref == f"A2:{_letter(len(header))}9", "all but the total row"

    planning = book["Family planning"]
    header, rows = _table(planning)
    pills = header.index("Pills")
    assert [(r[5], r[6], r[pills]) for r in rows if r[4]] == [
        ("Tổ dân phố Trung Lương", "Not reported", None),
        ("Tổ dân phố Đức Thuận", "No collaborator", None),
        ("Thôn Sơn Ninh", "Reported", 1),
        ("Thôn Sơn Trung", "Not reported", None),
    ]
    assert rows[-1][1:7] == ("Total Tỉnh Hà Tĩnh", None, None, None, None,
                             "1/3 villages reported")  # fmt: skip
    assert rows[-1][pills] == 1
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref, sheet.title
        assert sheet.column_dimensions["F"].width >= len("Tổ dân phố Trung Lương")


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)
