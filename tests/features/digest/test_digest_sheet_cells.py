"""The digest's spreadsheet keeps a reporter named like a formula as text."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl

from bot.store import open_store
from tests.features.digest.digest_fixture import digests, write_district
from tests.support.formula_cells import FORMULA_TEXTS


def test_a_formula_name_in_the_digest_xlsx_is_text_marked_as_typed(tmp_path: Path) -> None:
    """Reporters renamed `=2*3+cmd|…`, `+…`, `-…`: their cells (who sent, who should send) are
    text, never a formula, with Excel's leading-' mark; numbers and subtotals stay numbers."""
    store = open_store(tmp_path / "data", backend="memory")
    write_district(store)
    renamed = dict(zip((1, 4, 9), FORMULA_TEXTS, strict=False))  # of C1-01, C2-01, C3-02
    for person_id, name in renamed.items():
        person = store.people.get(person_id)
        assert person is not None
        store.people.save(replace(person, name=name))
    service = digests(store)
    data = service.build("D1", date(2026, 11, 23))
    book = openpyxl.load_workbook(io.BytesIO(service.spreadsheet(data, "vi").data))
    sheet = book.worksheets[0]
    names = [c.value for c in sheet[2]]
    rows = list(sheet.iter_rows(min_row=3))
    reporters = [r[names.index("Người gửi tin cuối")] for r in rows]
    assert [(c.value, c.data_type, c.quotePrefix) for c in reporters if c.value] == [
        (name, "s", True) for name in renamed.values()
    ]
    collaborators = [r[names.index("Cộng tác viên")].value for r in rows]
    assert collaborators[0] == renamed[1] and collaborators[4] == renamed[4]
    assert all(r[names.index("Cộng tác viên")].quotePrefix for r in (rows[0], rows[4]))
    births = [r[names.index("Sinh")] for r in rows]
    assert all(c.data_type == "n" and not c.quotePrefix for c in births if c.value is not None)
    assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r), "no formula at all"
