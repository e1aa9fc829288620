"""The digest's workbook as a supervisor would build it: a sheet per report type, every village
with its area levels, statuses, subtotals and the total, in the reader's language."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from bot.core.i18n import Translator
from bot.features.digest.sheet_data import KINDS, Status
from bot.features.export.xlsx import sheet_title
from bot.store import Store, open_store
from tests.features.digest.digest_fixture import digests, write_demo, write_district


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = open_store(tmp_path / "data", backend="memory")
    write_district(opened)
    return opened


def book_of(store: Store, area: str, lang: str) -> openpyxl.Workbook:
    service = digests(store)
    sheet = service.spreadsheet(service.build(area, date(2026, 11, 23)), lang)
    return openpyxl.load_workbook(io.BytesIO(sheet.data))


def table(sheet: Worksheet) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The header (row 2) and the rows under it."""
    header, *rows = sheet.iter_rows(min_row=2, values_only=True)
    return [str(h) for h in header], rows


def test_every_village_with_its_commune_status_subtotals_and_total(store: Store) -> None:
    """D1 on 23/11, Vietnamese: C1-02's report was retracted (missing; late in October), C3-02
    has no collaborator but the officer reported for it; each commune adds up, then D1."""
    book = book_of(store, "D1", "vi")
    assert book.sheetnames == [
        "Biến động dân số", "Kế hoạch hóa gia đình", "Thai sản và sàng lọc",
        "Tình hình trong ngày",
    ]  # fmt: skip
    sheet = book.worksheets[0]
    assert sheet["A1"].value == (
        "Biến động dân số, tháng 11/2026 – Huyện Hồng Lĩnh. "
        "Số liệu đến 08:00 23/11/2026, hạn nộp 03/12/2026."
    )
    header, rows = table(sheet)
    assert header[:5] == [
        "Mã xã, phường", "Xã, phường", "Mã thôn, tổ dân phố", "Thôn, tổ dân phố",
        "Tình hình tháng 11/2026",
    ]  # fmt: skip
    assert header[5:13] == [
        "Sinh", "Sinh con trai", "Sinh con gái", "Sinh con thứ 3 trở lên", "Chết", "Chuyển đến",
        "Chuyển đi", "Kết hôn",
    ]  # fmt: skip
    assert header[13:] == [
        "Kỳ trước (tháng 10/2026)", "Cộng tác viên", "Người gửi tin cuối", "Nhận tin cuối lúc",
        "Số tin",
    ]  # fmt: skip
    columns = [header.index(h) for h in ("Sinh", "Chết", "Chuyển đến", "Kết hôn")]
    shown = [(r[0], r[1], r[2], r[4], *(r[c] for c in columns), r[13]) for r in rows]
    assert shown == [
        ("C1", "Phường Bắc Hồng Lĩnh", "C1-01", "Đã báo cáo", 2, 2, None, None, "Đã báo cáo"),
        ("C1", "Phường Bắc Hồng Lĩnh", "C1-02", "Chưa báo cáo", None, None, None, None,
         "Nộp muộn"),
        ("C1", "Phường Bắc Hồng Lĩnh", "C1-03", "Chưa báo cáo", None, None, None, None,
         "Đã báo cáo"),
        ("C1", "Cộng Phường Bắc Hồng Lĩnh", None, "1/3 thôn đã báo cáo", 2, 2, 0, 0,
         "3/3 thôn đã báo cáo, 1 nộp muộn"),
        ("C2", "Xã Hương Sơn", "C2-01", "Đã báo cáo", None, None, None, 1, "Nộp muộn"),
        ("C2", "Xã Hương Sơn", "C2-02", "Chưa báo cáo", None, None, None, None, "Chưa báo cáo"),
        ("C2", "Cộng Xã Hương Sơn", None, "1/2 thôn đã báo cáo", 0, 0, 0, 1,
         "1/2 thôn đã báo cáo, 1 nộp muộn"),
        ("C3", "Xã Đức Thọ", "C3-01", "Chưa báo cáo", None, None, None, None, "Đã báo cáo"),
        ("C3", "Xã Đức Thọ", "C3-02", "Đã báo cáo", None, None, 3, None,
         "Chưa có cộng tác viên"),
        ("C3", "Cộng Xã Đức Thọ", None, "0/1 thôn đã báo cáo", 0, 0, 3, 0,
         "1/1 thôn đã báo cáo"),
        (None, "Tổng cộng Huyện Hồng Lĩnh", None, "2/6 thôn đã báo cáo", 2, 2, 3, 1,
         "5/6 thôn đã báo cáo, 2 nộp muộn"),
    ]  # fmt: skip
    first = rows[0]
    assert first[14:] == ("Nguyễn Thị Lan", "Nguyễn Thị Lan", datetime(2026, 11, 11, 9, 0), 2)
    assert rows[1][14] == "Trần Thị Hoa", "who should send the missing report"
    # Marked for the eye too: missing in light red, late in amber; subtotals bold.
    assert sheet.cell(4, 5).fill.fgColor.rgb.endswith("FFCDD2")
    assert sheet.cell(4, 14).fill.fgColor.rgb.endswith("FFE0B2")
    assert sheet.cell(6, 2).font.b and sheet.cell(13, 2).font.b
    # Folds like Excel's own subtotals: villages inside communes inside the total.
    assert [sheet.row_dimensions[r].outlineLevel for r in range(3, 14)] == [
        2, 2, 2, 1, 2, 2, 1, 2, 2, 1, 0,
    ]  # fmt: skip
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:R12", "the villages and subtotals; the total stays"


def test_the_total_matches_the_digest_and_every_type_lists_every_village(store: Store) -> None:
    """The total row is the digest's figures; the other types' sheets list the same villages,
    each for its own period (the daily type: 23/11)."""
    service = digests(store)
    data = service.build("D1", date(2026, 11, 23))
    book = openpyxl.load_workbook(io.BytesIO(service.spreadsheet(data, "vi").data))
    header, rows = table(book.worksheets[0])
    total = rows[-1]
    for figure in data.types[0].totals:
        assert total[header.index(figure.field.name_vi)] == figure.current, figure.field.code
    villages = ["C1-01", "C1-02", "C1-03", "C2-01", "C2-02", "C3-01", "C3-02"]
    for sheet in book.worksheets[1:]:
        header, rows = table(sheet)
        assert [r[2] for r in rows if r[2]] == villages, sheet.title
        assert rows[-1][4] == "0/6 thôn đã báo cáo", sheet.title
    assert table(book["Tình hình trong ngày"])[0][4] == "Tình hình ngày 23/11/2026"


def test_a_province_has_district_columns_and_subtotals_per_district(store: Store) -> None:
    """P: a code and a name column per level below it; a subtotal after each commune and each
    district; the other district's village is there too."""
    header, rows = table(book_of(store, "P", "vi").worksheets[0])
    assert header[:6] == [
        "Mã huyện", "Huyện", "Mã xã, phường", "Xã, phường", "Mã thôn, tổ dân phố",
        "Thôn, tổ dân phố",
    ]  # fmt: skip
    labels = [(r[0], r[1], r[2], r[3], r[4], r[6]) for r in rows if not r[4]]
    assert labels == [
        ("D1", "Huyện Hồng Lĩnh", "C1", "Cộng Phường Bắc Hồng Lĩnh", None, "1/3 thôn đã báo cáo"),
        ("D1", "Huyện Hồng Lĩnh", "C2", "Cộng Xã Hương Sơn", None, "1/2 thôn đã báo cáo"),
        ("D1", "Huyện Hồng Lĩnh", "C3", "Cộng Xã Đức Thọ", None, "0/1 thôn đã báo cáo"),
        ("D1", "Cộng Huyện Hồng Lĩnh", None, None, None, "2/6 thôn đã báo cáo"),
        ("D2", "Huyện Kỳ Anh", "C4", "Cộng Xã Kỳ Hoa", None, "1/1 thôn đã báo cáo"),
        ("D2", "Cộng Huyện Kỳ Anh", None, None, None, "1/1 thôn đã báo cáo"),
        (None, "Tổng cộng Tỉnh Hà Tĩnh", None, None, None, "3/7 thôn đã báo cáo"),
    ]  # fmt: skip
    kỳ_hoa = next(r for r in rows if r[4] == "C4-01")
    assert kỳ_hoa[:6] == ("D2", "Huyện Kỳ Anh", "C4", "Xã Kỳ Hoa", "C4-01", "Thôn Hoa Sơn")
    assert rows[-1][header.index("Sinh")] == 2 + 5


def test_an_english_reader_gets_english_sheets_headers_and_words(store: Store) -> None:
    book = book_of(store, "D1", "en")
    assert book.sheetnames == [
        "Population changes", "Family planning", "Pregnancy and screening", "Daily situation",
    ]  # fmt: skip
    sheet = book.worksheets[0]
    assert sheet["A1"].value == (
        "Population changes, November 2026 – Huyện Hồng Lĩnh. "
        "Figures as of 08:00 23/11/2026, due 03/12/2026."
    )
    header, rows = table(sheet)
    assert header == [
        "Commune code", "Commune", "Village code", "Village", "Status, November 2026",
        "Births", "Boys born", "Girls born", "Third or later births", "Deaths", "Moved in",
        "Moved out", "Marriages", "Previous period (October 2026)", "Collaborators",
        "Last sent by", "Last received", "Messages",
    ]  # fmt: skip
    assert [r[4] for r in rows[:4]] == [
        "Reported",
        "Not reported",
        "Not reported",
        "1/3 villages reported",
    ]
    assert rows[1][13] == "Late" and rows[8][13] == "No collaborator"
    assert rows[3][1] == "Subtotal Phường Bắc Hồng Lĩnh"
    assert (rows[-1][1], rows[-1][13]) == (
        "Total Huyện Hồng Lĩnh", "5/6 villages reported, 2 late",
    )  # fmt: skip


def test_the_demo_province_tells_its_two_to_dan_pho_1_apart(tmp_path: Path) -> None:
    """config.yaml's tree: "Tổ dân phố 1" of two wards, each row with its ward and region; all
    46 villages whether they reported or not; the region's subtotal is the total."""
    store = open_store(tmp_path, backend="memory")
    tree = write_demo(store)
    service = digests(store, tree=tree)
    data = service.build(tree.root.code, date(2026, 11, 23))
    sheet = service.spreadsheet(data, "vi")
    assert sheet.rows == len(tree.villages_under(tree.root.code)) == 46
    header, rows = table(openpyxl.load_workbook(io.BytesIO(sheet.data)).worksheets[0])
    assert header[:4] == ["Mã khu vực", "Khu vực", "Mã xã, phường", "Xã, phường"]
    villages = [r for r in rows if r[4]]
    assert len(villages) == 46
    first = [(r[3], r[4]) for r in villages if r[5] == "Tổ dân phố 1"]
    assert first == [("Phường Bắc Hồng Lĩnh", "18115-01"), ("Phường Nam Hồng Lĩnh", "18118-01")]
    status = header.index("Tình hình tháng 11/2026")
    missing = sum(1 for r in villages if r[status] == "Chưa báo cáo")
    assert missing == len(data.types[0].missing) > 0
    region, total = rows[-2], rows[-1]
    assert region[1] == "Cộng TTYT khu vực Hồng Lĩnh" and total[1] == "Tổng cộng Tỉnh Hà Tĩnh"
    assert region[status:] == total[status:]


@pytest.mark.parametrize(
    ("name", "taken", "title"),
    [
        ("Biến động dân số", set(), "Biến động dân số"),
        ("Sinh/tử: [tháng]*?\\ 11", set(), "Sinh tử tháng 11"),
        ("Kế hoạch hóa gia đình và sức khỏe sinh sản", set(), "Kế hoạch hóa gia đình và sức kh"),
        ("'Ghi chú'", set(), "Ghi chú"),
        ("Thai sản", {"thai sản"}, "Thai sản 2"),
        ("???", set(), "Sheet"),
    ],
)
def test_sheet_titles_are_valid_in_excel(name: str, taken: set[str], title: str) -> None:
    """At most 31 characters, none of []:*?/\\, no ' at either end, each title once."""
    assert sheet_title(name, taken) == title
    assert len(title) <= 31 and title.casefold() in taken


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_level_and_status_has_its_words(lang: str) -> None:
    """The keys the sheet builds from a level or a status exist in both catalogs."""
    translate = Translator()
    keys = [f"digest.sheet.{part}.{kind}" for kind in KINDS for part in ("code", "level")]
    keys += [f"digest.sheet.{status.value}" for status in Status]
    assert [k for k in keys if translate(lang, k) == k] == []
