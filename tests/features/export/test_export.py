"""Export of field reports: rows per village and period, CSV and XLSX files, and the CLI."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import yaml

from bot.config.loading import load_config
from bot.core.areas import AreaTree
from bot.core.models import Report
from bot.core.periods import parse_key
from bot.features.export.rows import export_rows, periods_within, to_csv, to_xlsx
from bot.features.reports.types import ReportTypes
from bot.store import Store, open_store
from tests.support.harness import AREAS, write_config
from tests.support.store_choice import embedded_only

ROOT = Path(__file__).resolve().parents[3]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NAMES = {1: "Nguyễn Thị Lan", 2: "Trần Văn Đức"}
_config = load_config(ROOT / "config.yaml", environ={})
TYPES = ReportTypes.from_config(_config.report_types, default=_config.default_report_type)
TREE = AreaTree.from_config(AREAS)
COLUMNS = [
    "area_code", "area_name", "period", "report_type",
    "sinh", "sinh_nam", "sinh_nu", "sinh_con_thu_3", "chet", "chuyen_den", "chuyen_di", "ket_hon",
    "dat_vong", "thuoc_uong", "bao_cao_su", "thuoc_tiem", "que_cay", "triet_san",
    "co_thai", "sang_loc_truoc_sinh", "sang_loc_so_sinh",
    "ghi_chu", "muc_do", "can_ho_tro",
    "reporter", "platform", "received_at", "late", "version",
]  # fmt: skip
# What the November export must say, written out by hand from the reports below.
EXPECTED_CSV: list[dict[str, str]] = [
    {"area_code": "18115-01", "area_name": "Tổ dân phố Trung Lương", "period": "2026-11",
     "report_type": "danso", "sinh": "2", "sinh_nam": "1", "sinh_nu": "1", "chet": "2",
     "chuyen_den": "3", "reporter": "Trần Văn Đức", "platform": "zalo",
     "received_at": "2026-11-20 16:15:00", "late": "0", "version": "3"},
    {"area_code": "18115-01", "area_name": "Tổ dân phố Trung Lương", "period": "2026-11",
     "report_type": "thaisan", "co_thai": "6", "sang_loc_truoc_sinh": "3",
     "sang_loc_so_sinh": "1", "reporter": "Trần Văn Đức", "platform": "zalo",
     "received_at": "2026-12-02 10:30:00", "late": "0", "version": "2"},
    {"area_code": "18115-02", "area_name": "Tổ dân phố Đức Thuận", "period": "2026-11-24",
     "report_type": "tinhhinh", "ghi_chu": "Nước lũ dâng ở Đức Thuận", "muc_do": "khẩn cấp",
     "can_ho_tro": "1", "reporter": "Trần Văn Đức", "platform": "zalo",
     "received_at": "2026-11-24 17:00:00", "late": "0", "version": "1"},
    {"area_code": "18115-02", "area_name": "Tổ dân phố Đức Thuận", "period": "2026-11-25",
     "report_type": "tinhhinh", "ghi_chu": "'=2+3", "muc_do": "bình thường",
     "can_ho_tro": "0", "reporter": "Trần Văn Đức", "platform": "zalo",
     "received_at": "2026-11-25 07:30:00", "late": "0", "version": "1"},
    {"area_code": "18133-01", "area_name": "Thôn Sơn Ninh", "period": "2026-11",
     "report_type": "thaisan", "co_thai": "3", "reporter": "Nguyễn Thị Lan",
     "platform": "telegram", "received_at": "2026-12-10 08:00:00", "late": "1", "version": "1"},
    {"area_code": "18133-02", "area_name": "Thôn Sơn Trung", "period": "2026-11",
     "report_type": "danso", "ket_hon": "1", "reporter": "Nguyễn Thị Lan",
     "platform": "telegram", "received_at": "2026-12-05 15:00:00", "late": "1", "version": "1"},
]  # fmt: skip


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def rep(rid: str, values: dict[str, Any], *, person: int, when: str, **more: Any) -> Report:
    """A stored report version; type, village and period come from the id's first parts."""
    type_, area, period = rid.split(":")[:3]
    platform = "telegram" if person == 1 else "zalo"
    return Report(rid, type_, area, period, values, person, platform, at(when), **more)


def write_district(store: Store) -> None:
    """November 2026 in four villages: corrections, retractions, events, late reports."""
    gone = {"retracted": True, "version": 2}
    for report in [
        # Event mode: the village's sum over events A, B (corrected) and D; C was retracted.
        rep("danso:18115-01:2026-11:a", {"sinh": 2, "sinh_nam": 1, "sinh_nu": 1},
            person=1, when="2026-11-05T01:00"),
        rep("danso:18115-01:2026-11:b", {"chet": 1}, person=1, when="2026-11-10T02:00"),
        rep("danso:18115-01:2026-11:b", {"chet": 2}, person=1, when="2026-11-11T03:00",
            version=2),
        rep("danso:18115-01:2026-11:c", {"sinh": 1, "sinh_nu": 1}, person=1,
            when="2026-11-12T04:00"),
        rep("danso:18115-01:2026-11:c", {"sinh": 1, "sinh_nu": 1}, person=1,
            when="2026-11-12T04:05", **gone),
        rep("danso:18115-01:2026-11:d", {"chuyen_den": 3, "ngay": "2026-11-19"}, person=2,
            when="2026-11-20T09:15"),
        rep("danso:18133-02:2026-11:e", {"ket_hon": 1}, person=1, when="2026-12-05T08:00",
            late=True),
        rep("danso:18133-01:2026-11:f", {"sinh": 1, "sinh_nam": 1}, person=1,
            when="2026-11-06T01:00"),
        rep("danso:18133-01:2026-11:f", {"sinh": 1, "sinh_nam": 1}, person=1,
            when="2026-11-06T02:00", **gone),
        # Period mode: the latest version wins; a retraction leaves no row.
        rep("thaisan:18115-01:2026-11", {"co_thai": 5, "sang_loc_truoc_sinh": 2}, person=1,
            when="2026-12-01T02:00"),
        rep("thaisan:18115-01:2026-11",
            {"co_thai": 6, "sang_loc_truoc_sinh": 3, "sang_loc_so_sinh": 1}, person=2,
            when="2026-12-02T03:30", version=2),
        rep("thaisan:18115-02:2026-11", {"co_thai": 4}, person=1, when="2026-12-01T05:00"),
        rep("thaisan:18115-02:2026-11", {"co_thai": 4}, person=1, when="2026-12-01T06:00",
            **gone),
        rep("thaisan:18133-01:2026-11", {"co_thai": 3}, person=1, when="2026-12-10T01:00",
            late=True),
        rep("thaisan:18133-02:2026-10", {"co_thai": 9}, person=1, when="2026-11-01T01:00"),
        # A daily type inside the month; the second note would be a formula in Excel.
        rep("tinhhinh:18115-02:2026-11-24",
            {"ghi_chu": "Nước lũ dâng ở Đức Thuận", "muc_do": "khẩn cấp", "can_ho_tro": True},
            person=2, when="2026-11-24T10:00"),
        rep("tinhhinh:18115-02:2026-11-25",
            {"ghi_chu": "=2+3", "muc_do": "bình thường", "can_ho_tro": False},
            person=2, when="2026-11-25T00:30"),
    ]:  # fmt: skip
        store.reports.add(report)


@pytest.fixture(params=["memory", "tinydb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The district's reports in a store of each backend."""
    opened = open_store(tmp_path / "data", backend=request.param)
    write_district(opened)
    yield opened
    opened.close()


def rows_of(store: Store, period: str = "2026-11", **options: Any) -> list[Any]:
    return export_rows(
        store.reports, types=TYPES, areas=TREE, period=period, people=NAMES.__getitem__, **options
    )


def read_csv(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows, each row without its empty cells."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    header, *body = list(reader)
    return header, [{k: v for k, v in zip(header, line, strict=True) if v} for line in body]


def test_csv_has_one_row_per_village_period_and_type(store: Store) -> None:
    """The November CSV: latest versions, event sums, no retracted rows, BOM and diacritics."""
    data = to_csv(rows_of(store), types=TYPES, tz=TZ)
    assert data.startswith(b"\xef\xbb\xbf")
    assert "Tổ dân phố Đức Thuận".encode() in data
    header, body = read_csv(data)
    assert header == COLUMNS
    assert body == EXPECTED_CSV


def test_csv_of_one_type_has_only_its_fields(store: Store) -> None:
    """With a type, the columns are that type's fields between the fixed ones."""
    rows = rows_of(store, type_code="thaisan", area="18115")
    header, body = read_csv(to_csv(rows, types=TYPES, type_code="thaisan", tz=TZ))
    assert header == [
        "area_code", "area_name", "period", "report_type", "co_thai", "sang_loc_truoc_sinh",
        "sang_loc_so_sinh", "reporter", "platform", "received_at", "late", "version",
    ]  # fmt: skip
    assert body == [EXPECTED_CSV[1]]


def test_area_and_period_choose_the_rows(store: Store) -> None:
    """An area keeps its villages; a quarter spans months; a day keeps only daily types."""
    assert [(r.area_code, r.report_type) for r in rows_of(store, area="18133")] == [
        ("18133-01", "thaisan"),
        ("18133-02", "danso"),
    ]
    quarter = rows_of(store, "2026-Q4", type_code="thaisan")
    assert [(r.area_code, r.period, r.values["co_thai"]) for r in quarter] == [
        ("18115-01", "2026-11", 6),
        ("18133-01", "2026-11", 3),
        ("18133-02", "2026-10", 9),
    ]
    day = rows_of(store, "2026-11-25")
    assert [(r.report_type, r.values["ghi_chu"]) for r in day] == [("tinhhinh", "=2+3")]


def test_wrong_arguments_are_refused(store: Store) -> None:
    """Unknown period, area or type, and a monthly type asked for one day, raise ValueError."""
    for options in (
        {"period": "2026-13"},
        {"area": "99999"},
        {"type_code": "nope"},
        {"period": "2026-11-24", "type_code": "danso"},
    ):
        with pytest.raises(ValueError):
            rows_of(store, **options)


def test_periods_within_a_month() -> None:
    """Weeks belong to the month of their Monday; days all belong; quarters none."""
    month = parse_key("2026-11")
    assert periods_within("week", month) == [
        "2026-W45", "2026-W46", "2026-W47", "2026-W48", "2026-W49",
    ]  # fmt: skip
    days = periods_within("day", month)
    assert (len(days), days[0], days[-1]) == (30, "2026-11-01", "2026-11-30")
    assert periods_within("quarter", month) == []


def test_xlsx_reads_back_with_vietnamese_headers_and_codes(store: Store) -> None:
    """A sheet per type: names over codes, frozen, bold, typed cells, text never a formula."""
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(rows_of(store), types=TYPES, tz=TZ)))
    assert book.sheetnames == [
        "Biến động dân số", "Kế hoạch hóa gia đình", "Thai sản và sàng lọc",
        "Tình hình trong ngày",
    ]  # fmt: skip
    sheet = book["Thai sản và sàng lọc"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values == [
        ["Mã địa bàn", "Địa bàn", "Kỳ báo cáo", "Loại báo cáo", "Phụ nữ có thai",
         "Sàng lọc trước sinh", "Sàng lọc sơ sinh", "Người báo cáo", "Nền tảng",
         "Thời điểm nhận", "Nộp muộn", "Phiên bản"],
        ["area_code", "area_name", "period", "report_type", "co_thai", "sang_loc_truoc_sinh",
         "sang_loc_so_sinh", "reporter", "platform", "received_at", "late", "version"],
        ["18115-01", "Tổ dân phố Trung Lương", "2026-11", "thaisan", 6, 3, 1, "Trần Văn Đức",
         "zalo", datetime(2026, 12, 2, 10, 30), "không", 2],
        ["18133-01", "Thôn Sơn Ninh", "2026-11", "thaisan", 3, None, None, "Nguyễn Thị Lan",
         "telegram", datetime(2026, 12, 10, 8, 0), "có", 1],
    ]  # fmt: skip
    assert sheet.freeze_panes == "C3"
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["E"].width
    events = [list(r) for r in book["Biến động dân số"].iter_rows(values_only=True)]
    assert events[0][-3:] == ["Nhận tin cuối", "Có tin nộp muộn", "Số tin báo"]
    assert events[2] == [
        "18115-01", "Tổ dân phố Trung Lương", "2026-11", "danso", 2, 1, 1, None, 2, 3, None,
        None, "Trần Văn Đức", "zalo", datetime(2026, 11, 20, 16, 15), "không", 3,
    ]  # fmt: skip
    notes = book["Tình hình trong ngày"]
    formula_like = notes.cell(row=4, column=5)
    assert (formula_like.value, formula_like.data_type) == ("=2+3", "s")
    assert [c.value for c in notes[3]][5:7] == ["khẩn cấp", "có"]
    assert book["Kế hoạch hóa gia đình"].max_row == 2  # headers only: nothing reported


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "BOT_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "export", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@embedded_only("the CLI reads a TinyDB store written into data_dir")
def test_cli_writes_csv_and_xlsx_from_a_tinydb_store(tmp_path: Path) -> None:
    """`python -m bot export` reads the store the bot writes and says what it wrote."""
    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    config = write_config(tmp_path, admins=[], extra={
        "report_types": shipped["report_types"], "default_report_type": "danso",
    })  # fmt: skip
    store = open_store(tmp_path / "data")
    for name in NAMES.values():
        store.people.add(name=name, created_at=at("2026-10-01T00:00"))
    write_district(store)
    store.close()
    out = tmp_path / "thai san.csv"
    done = _cli("--period", "2026-11", "--area", "Hương Sơn", "--type", "thai sản",
                "--format", "csv", "-o", str(out), "--config", str(config))  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = f"Exported 1 row (1 village, tháng 11/2026) to {out} as csv"
    assert done.stdout.strip() == summary
    header, body = read_csv(out.read_bytes())
    assert header[4:7] == ["co_thai", "sang_loc_truoc_sinh", "sang_loc_so_sinh"]
    assert body == [{**EXPECTED_CSV[4], "reporter": "Nguyễn Thị Lan (1)"}]
    book_path = tmp_path / "all.xlsx"
    done = _cli("--period", "2026-11", "-o", str(book_path), "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert "Exported 6 rows (4 villages" in done.stdout and "as xlsx" in done.stdout
    book = openpyxl.load_workbook(book_path)
    assert book["Tình hình trong ngày"]["H3"].value == "Trần Văn Đức (2)"


@embedded_only("a CLI command refuses while the running bot holds data_dir's lock")
def test_cli_says_the_bot_holds_the_store(tmp_path: Path) -> None:
    """While the store is open elsewhere, the export stops with words about the running bot."""
    config = write_config(tmp_path, admins=[], extra={
        "report_types": yaml.safe_load((ROOT / "config.yaml").read_text("utf-8"))["report_types"],
    })  # fmt: skip
    store = open_store(tmp_path / "data")
    try:
        done = _cli("--period", "2026-11", "-o", str(tmp_path / "x.csv"), "--config", str(config))
    finally:
        store.close()
    assert done.returncode == 1
    assert "the bot is running" in done.stderr and "BOT_DATA_DIR" in done.stderr
    assert not (tmp_path / "x.csv").exists()
    bad = _cli("--period", "2026-13", "-o", str(tmp_path / "x.csv"), "--config", str(config))
    assert bad.returncode == 2 and "not a period key" in bad.stderr
