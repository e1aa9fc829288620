"""Every CSV and XLSX a command writes keeps hostile text as text: `audit --format csv`, `export`
and `people import`, each run as a process and its file read back."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import yaml

from bot.core.clock import SystemClock
from bot.core.models import Report
from bot.features.audit.log import AuditLog
from bot.store import open_store
from tests.support.formula_cells import FORMULA_TEXTS, csv_rows, neutral
from tests.support.harness import write_config

ROOT = Path(__file__).resolve().parents[2]


def _bot(*args: str) -> subprocess.CompletedProcess[bytes]:
    """`python -m bot ARGS` as the admin types it; bytes, so a CR inside a cell stays a CR."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "BOT_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT, env=env, capture_output=True, timeout=60, check=False,
    )  # fmt: skip


def test_audit_csv_writes_a_formula_name_as_text(tmp_path: Path) -> None:
    """A person named `=2*3+cmd|…` (and the other lead characters) acted: the audit CSV names
    them with a leading ', and numbers (the entry ids) stay numbers."""
    config = write_config(tmp_path, admins=[])
    store = open_store(tmp_path / "data")
    try:
        log = AuditLog(store=store, clock=SystemClock())
        for name in FORMULA_TEXTS:
            person = store.people.add(name=name, created_at=datetime.now(UTC))
            log.record("role.grant", who=f"person:{person.id}", where="cli",
                       target=f"person:{person.id}", detail={"role": "officer"})  # fmt: skip
    finally:
        store.close()
    done = _bot("audit", "--format", "csv", "--config", str(config))
    assert done.returncode == 0, done.stderr.decode()
    rows = csv_rows(done.stdout)
    assert [r["who_name"] for r in rows] == [neutral(name) for name in FORMULA_TEXTS]
    assert [r["id"] for r in rows] == [str(i) for i in range(1, len(FORMULA_TEXTS) + 1)]
    assert rows[0]["detail"] == '{"role": "officer"}'


def test_export_csv_and_xlsx_keep_formula_text_as_text_and_numbers_as_numbers(
    tmp_path: Path,
) -> None:
    """Reporters and notes that look like formulas: CSV cells get a leading '; XLSX cells are
    text marked as typed with a ' (Excel keeps them text even when edited); a negative number
    is a number in both."""
    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    config = write_config(tmp_path, admins=[], extra={
        "report_types": shipped["report_types"], "default_report_type": "danso",
    })  # fmt: skip
    store = open_store(tmp_path / "data")
    try:
        when = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
        for index, name in enumerate(FORMULA_TEXTS, start=1):
            person = store.people.add(name=name, created_at=when)
            store.reports.add(Report(
                f"tinhhinh:18115-01:2026-11-{index:02}:r{index}", "tinhhinh", "18115-01",
                f"2026-11-{index:02}", {"ghi_chu": name, "muc_do": "bình thường"}, person.id,
                "telegram", when,
            ))  # fmt: skip
        store.reports.add(Report(
            "thaisan:18115-01:2026-11:t", "thaisan", "18115-01", "2026-11",
            {"co_thai": 2, "dieu_chinh": -3}, 1, "telegram", when,
        ))  # fmt: skip
    finally:
        store.close()
    out = tmp_path / "all.csv"
    done = _bot("export", "--period", "2026-11", "-o", str(out), "--config", str(config))
    assert done.returncode == 0, done.stderr.decode()
    rows = csv_rows(out.read_bytes())
    notes = [r for r in rows if r["report_type"] == "tinhhinh"]
    assert [r["ghi_chu"] for r in notes] == [neutral(name) for name in FORMULA_TEXTS]
    assert [r["reporter"] for r in notes] == [
        neutral(f"{name} ({i})") for i, name in enumerate(FORMULA_TEXTS, start=1)
    ]
    (births,) = [r for r in rows if r["report_type"] == "thaisan"]
    assert (births["co_thai"], births["dieu_chinh"]) == ("2", "-3")

    book_path = tmp_path / "all.xlsx"
    done = _bot("export", "--period", "2026-11", "-o", str(book_path), "--config", str(config))
    assert done.returncode == 0, done.stderr.decode()
    book = openpyxl.load_workbook(book_path)
    sheet = book["Tình hình trong ngày"]
    codes = [c.value for c in sheet[2]]
    for index, name in enumerate(FORMULA_TEXTS, start=3):
        for column, text in (("ghi_chu", name), ("reporter", f"{name} ({index - 2})")):
            cell = sheet.cell(row=index, column=codes.index(column) + 1)
            shown = text.replace("\r", "\n")  # XML reads a CR in text as a line feed
            assert (cell.value, cell.data_type, cell.quotePrefix) == (shown, "s", True), column
    births_sheet = book["Thai sản và sàng lọc"]
    codes = [c.value for c in births_sheet[2]]
    minus = births_sheet.cell(row=3, column=codes.index("dieu_chinh") + 1)
    assert (minus.value, minus.data_type, minus.quotePrefix) == (-3, "n", False)
    plain = births_sheet.cell(row=3, column=codes.index("area_code") + 1)
    assert (plain.value, plain.quotePrefix) == ("18115-01", False)


def test_people_import_writes_formula_names_and_notes_as_text(tmp_path: Path) -> None:
    """An import sheet with formula-like names and notes: the invites CSV has them as text."""
    config = write_config(tmp_path, admins=[])
    sheet = tmp_path / "people.csv"
    villages = (
        "Thôn Sơn Ninh",
        "Thôn Sơn Trung",
        "Tổ dân phố Trung Lương",
        "Tổ dân phố Đức Thuận",
    )
    names = FORMULA_TEXTS[:4]  # the file's cells are stripped: tab and CR leads do not survive
    notes = [*FORMULA_TEXTS[1:4], FORMULA_TEXTS[0]]
    with sheet.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL)
        writer.writerow(["name", "phone_or_note", "role", "area", "platform"])
        for name, note, village in zip(names, notes, villages, strict=True):
            writer.writerow([name, note, "ctv", village, "telegram"])
    out = tmp_path / "invites.csv"
    done = _bot("people", "import", str(sheet), "-o", str(out), "--bot-username", "thu_bot",
                "--config", str(config))  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    rows = csv_rows(out.read_bytes())
    assert [r["name"] for r in rows] == [neutral(n) for n in names]
    assert [r["note"] for r in rows] == [neutral(n) for n in notes]
    assert [r["line"] for r in rows] == ["2", "3", "4", "5"]
