"""The daily digest: numbers worked out by hand, the words' length, the chart and the XLSX."""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bot.config.models import DigestSection
from bot.core.actor import Actor
from bot.core.errors import Forbidden, UserError
from bot.core.messages import UserRef
from bot.core.models import GroupBinding, Role, RoleGrant
from bot.core.text import split_text
from bot.features.digest.chart import completeness_figure, label, ranked
from bot.features.digest.data import DigestData, units_of
from bot.store import Store, open_store
from tests.features.digest.digest_fixture import NOW, TREE, at, digests, write_demo, write_district
from tests.features.digest.digest_fixture import TZ as HA_TINH


@pytest.fixture(params=["memory", "tinydb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The hand-written district in a store of each backend."""
    opened = open_store(tmp_path / "data", backend=request.param)
    write_district(opened)
    yield opened
    opened.close()


def units(data: DigestData) -> list[tuple[Any, ...]]:
    return [
        (u.area.code, u.expected, u.reported, u.on_time, u.previous_reported,
         u.previous_on_time, u.uncovered)
        for u in data.types[0].units
    ]  # fmt: skip


def totals(data: DigestData) -> dict[str, tuple[int, int]]:
    return {t.field.code: (t.current, t.previous) for t in data.types[0].totals}


def test_numbers_of_a_district_with_late_missing_corrected_and_retracted_reports(
    store: Store,
) -> None:
    """Monday 23/11 08:00: every number of D1's digest, as worked out on paper."""
    data = digests(store).build("D1", date(2026, 11, 23))
    part = data.types[0]
    assert data.cutoff == NOW, "today's digest describes this moment"
    assert (part.type.code, part.period.key, part.previous.key) == ("danso", "2026-11", "2026-10")
    assert part.deadline == date(2026, 12, 3)
    # C1: b counts once (at its correction), c was retracted; C2-02 has nothing in November;
    # C3-02 reported but has no active collaborator, so it is not expected. October: m and j
    # came after the 3/11 deadline; k was retracted on 28/10.
    assert units(data) == [
        ("C1", 3, 1, 1, 3, 2, 0),
        ("C2", 2, 1, 1, 1, 0, 0),
        ("C3", 1, 0, 0, 1, 1, 1),
    ]
    assert (part.expected, part.reported, part.on_time) == (6, 2, 2)
    assert (part.previous_reported, part.previous_on_time, part.uncovered) == (5, 3, 1)
    # November so far (C4-01 is in the other district) against October up to 23/10 08:00,
    # when i stood at its first version and k was not yet retracted.
    assert totals(data) == {
        "sinh": (2, 1), "sinh_nam": (1, 1), "sinh_nu": (1, 0), "sinh_con_thu_3": (0, 0),
        "chet": (2, 1), "chuyen_den": (3, 0), "chuyen_di": (0, 0), "ket_hon": (1, 1),
    }  # fmt: skip
    assert [
        (m.village.code, m.unit.code, [(c.name, c.reachable) for c in m.collaborators])
        for m in part.missing
    ] == [
        ("C1-02", "C1", [("Trần Thị Hoa", False)]),
        ("C1-03", "C1", [("Lê Văn Minh", True)]),
        ("C2-02", "C2", [("Phạm Văn Đức", True)]),
        ("C3-01", "C3", [("Hoàng Thị Tâm", True)]),
    ]
    assert [
        (r.village.code, r.period, r.reports, r.received_at, r.reporter) for r in part.late
    ] == [
        ("C2-01", "2026-10", 1, at("11-06 02:00"), "Phạm Văn Đức"),
        ("C1-02", "2026-10", 1, at("11-04 02:00"), "Trần Thị Hoa"),
    ]
    d = data.directives
    assert [(r.id, r.expected, r.acked) for r in d.recent] == [(1, 4, 2), (3, 1, 0)]
    assert [(r.id, r.expected, r.acked) for r in d.overdue] == [(2, 1, 0)]
    assert (d.acked, d.expected) == (2, 5)


def test_a_past_day_reads_the_reports_and_acknowledgements_as_they_stood(store: Store) -> None:
    """The digest of Friday 20/11 leaves out what came after that day ended."""
    data = digests(store).build("D1", date(2026, 11, 20))
    assert data.cutoff == datetime(2026, 11, 20, 23, 59, 59, 999999, tzinfo=HA_TINH)
    assert units(data) == [
        ("C1", 3, 1, 1, 3, 2, 0),
        ("C2", 2, 0, 0, 1, 0, 0),  # d came on 21/11
        ("C3", 1, 0, 0, 1, 1, 1),
    ]
    assert totals(data)["ket_hon"] == (0, 1)
    assert totals(data)["chet"] == (2, 1)
    assert [(r.id, r.acked) for r in data.directives.recent] == [(1, 0), (3, 0)]


def test_units_skip_levels_with_one_child() -> None:
    """A province with one district shows its communes; a commune its villages."""
    single = TREE.get("D2")
    assert [a.code for a in units_of(TREE, TREE.get("P"))] == ["D1", "D2"]
    assert [a.code for a in units_of(TREE, single)] == ["C4-01"]
    assert [a.code for a in units_of(TREE, TREE.get("C2"))] == ["C2-01", "C2-02"]
    assert [a.code for a in units_of(TREE, TREE.get("C2-01"))] == ["C2-01"]


def test_the_text_names_villages_with_their_commune_and_marks_the_unreachable(
    store: Store,
) -> None:
    """The Vietnamese text: completeness per commune, figures, missing, late, directives."""
    service = digests(store)
    lines = service.text.render(service.build("D1", date(2026, 11, 23)), "vi").splitlines()
    for line in (
        "📊 Biến động dân số, tháng 11/2026 (hạn nộp 03/12/2026)",
        "Đã báo cáo: 2/6 thôn (33%)",
        "• Phường Bắc Hồng Lĩnh: 1/3",
        "Kỳ trước (tháng 10/2026): 5/6 thôn, 3 đúng hạn",
        "• Chết: 2 (1)",
        "• Tổ dân phố 2 (Phường Bắc Hồng Lĩnh): Trần Thị Hoa ⚠️",
        "• Thôn Sơn Ninh (Xã Hương Sơn): tháng 10/2026, 1 tin, tin cuối nhận 06/11",
        "📌 Thông báo 7 ngày qua hoặc còn hạn: 2, đã nhận 2/5 lượt (40%)",
        "• Số 2 (hạn 10/11): 0/1 đã nhận – Rà soát phụ nữ mang thai trong tháng 11…",
        "⚠️ = bot chưa nhắn riêng được cho người này.",
    ):
        assert line in lines
    assert "• Sinh con thứ 3 trở lên: 0 (0)" not in lines, "fields with nothing are left out"


def test_requests_name_an_area_and_a_day_inside_the_actors_area(store: Store) -> None:
    """Default: the widest own area and today; a day last; nothing in the future or elsewhere."""
    service = digests(store)
    officer = Actor(UserRef("zalo", "zalo1", "u9"), "Nga", store.people.get(9),
                    (RoleGrant(Role.OFFICER, "C2"), RoleGrant(Role.OFFICER, "C2-01")))  # fmt: skip
    assert service.request(officer, "") == (TREE.get("C2"), date(2026, 11, 23))
    assert service.request(officer, "Thôn Sơn Ninh 20/11") == (
        TREE.get("C2-01"), date(2026, 11, 20),
    )  # fmt: skip
    assert service.request(officer, "hom qua")[1] == date(2026, 11, 22)
    assert service.request(officer, "Xã Hương Sơn hôm nay")[1] == date(2026, 11, 23)
    assert service.request(officer, "homqua")[1] == date(2026, 11, 22)
    assert service.request(officer, "ngay 2026-11-01")[1] == date(2026, 11, 1)
    assert service.request(officer, "24/11")[1] == date(2025, 11, 24), "the latest 24/11 past"
    for bad in ("24/11/2026", "31/02", "2026-13-01"):
        with pytest.raises(UserError) as refused:
            service.request(officer, bad)
        assert refused.value.key == "digest.usage"
    with pytest.raises(Forbidden):
        service.request(officer, "Phường Bắc Hồng Lĩnh")


def test_the_chart_has_one_bar_per_unit_and_every_vietnamese_letter(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """DejaVu Sans draws every name: no missing-glyph warning, in warnings or in logs."""
    names = ["Phường Bắc Hồng Lĩnh", "Xã Hương Sơn", "Xã Đức Thọ", "Thị trấn Nghèn"]
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.DEBUG):
        warnings.simplefilter("always")
        fig = completeness_figure(
            names, [("Biến động dân số", [(8, 12), (0, 9), (5, 5), (0, 0)])],
            title="Tỷ lệ thôn đã báo cáo – Huyện Hồng Lĩnh, 23/11/2026",
            axis="% số thôn đã báo cáo",
        )  # fmt: skip
        fig.savefig(io.BytesIO(), format="png")
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert not [s for s in said if "missing from" in s or "Glyph" in s], said
    ax = fig.axes[0]
    assert len(ax.patches) == len(names)
    # The least complete on top, nobody expected last; a long name on two lines.
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Xã Hương Sơn", "Phường\nBắc Hồng Lĩnh", "Xã Đức Thọ", "Thị trấn Nghèn",
    ]  # fmt: skip
    assert [round(p.get_width()) for p in ax.patches] == [0, 67, 100, 0]
    assert [t.get_text() for t in ax.texts] == ["0/9", "8/12", "5/5", "–"]


def test_the_chart_sorts_by_the_share_of_every_type_together() -> None:
    """Two types: a unit's place is its share over both; ties keep the tree's order."""
    units = ["A", "B", "C", "D", "E"]
    series = [
        ("danso", [(4, 4), (1, 4), (0, 0), (2, 4), (2, 4)]),
        ("kehoach", [(4, 4), (1, 4), (0, 0), (0, 4), (2, 4)]),
    ]
    assert ranked(units, series) == [1, 3, 4, 0, 2]  # 25%, 25%, 50%, 100%, nobody expected
    fig = completeness_figure(units, series, title="t", axis="a")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["B", "D", "E", "A", "C"]
    danso = [round(p.get_width()) for p in ax.patches][:5]
    assert danso == [25, 50, 50, 100, 0]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Xã Thạch Hà", "Xã Thạch Hà"),
        ("Phường Bắc Hồng Lĩnh", "Phường\nBắc Hồng Lĩnh"),
        ("Phường Hà Huy Tập", "Phường Hà Huy Tập"),  # 17 characters: one line
        ("Trung tâm Y tế khu vực Hồng Lĩnh", "Trung tâm Y tế khu vực\nHồng Lĩnh"),
        ("Xã Đông Kinh Môn Thượng Hạ", "Xã Đông Kinh Môn\nThượng Hạ"),
        ("Xã Đông Kinh Môn Thượng Hạ Tả Hữu Tiền Hậu", "Xã Đông Kinh Môn\nThượng Hạ Tả Hữu…"),
    ],
)
def test_long_unit_names_wrap_on_two_lines_at_most(name: str, shown: str) -> None:
    assert label(name) == shown
    assert all(len(line) <= 22 for line in shown.splitlines())


def test_the_chart_check_would_see_a_missing_glyph(caplog: pytest.LogCaptureFixture) -> None:
    """The capture above is not blind: a letter DejaVu Sans lacks is reported."""
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.DEBUG):
        warnings.simplefilter("always")
        fig = completeness_figure(["中"], [("x", [(1, 1)])], title="t", axis="a")
        fig.savefig(io.BytesIO(), format="png")
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert any("missing from" in s for s in said), said


class _Delivery:
    """What daily_messages asks of the delivery layer: running bots and their limits."""

    platforms: ClassVar = {("zalo", "zalo1"): None, ("telegram", ""): None}

    def caps(self, chat: Any) -> None:
        return None  # not running here: the known limits split the text


def test_daily_messages_go_to_supervisors_and_configured_groups(
    store: Store, tmp_path: Path
) -> None:
    """A supervisor privately in English, a bound group in Vietnamese; files made once."""
    from dataclasses import replace

    from bot.delivery.file_store import FileStore

    supervisor = store.people.get(8)
    assert supervisor is not None
    store.people.save(replace(supervisor, language="en"))
    store.groups.save(GroupBinding("telegram::-100777", "D1"))
    store.groups.save(GroupBinding("telegram::-100888", "C2"))  # not in config.digest.groups
    files = FileStore(tmp_path / "files")
    service = digests(
        store, settings=DigestSection(groups=("D1",)), files=files, delivery=_Delivery()
    )
    messages = service.daily_messages(date(2026, 11, 23))
    chats = [(m.chat.key, m.recipient, m.lang, m.file.kind if m.file else "") for m in messages]
    assert chats == [
        ("zalo:zalo1:u8", 8, "en", ""),
        ("zalo:zalo1:u8", 8, "en", "photo"),
        ("zalo:zalo1:u8", 8, "en", "document"),
        ("telegram::-100777", None, "vi", ""),
        ("telegram::-100777", None, "vi", "photo"),
        ("telegram::-100777", None, "vi", "document"),
    ]
    assert messages[0].text.startswith("📋 Digest: Huyện Hồng Lĩnh – 23/11/2026")
    photo, sheet = messages[1].file, messages[2].file
    assert photo is not None and sheet is not None
    assert files.read(photo.file_id).startswith(b"\x89PNG")
    assert sheet.file_id != messages[5].file.file_id, "a sheet per language"  # type: ignore[union-attr]
    assert sheet.name == "tong-hop-D1-2026-11-23.xlsx" and messages[2].text.startswith("📊 Sprea")
    assert len(list((tmp_path / "files").glob("*.json"))) == 4  # a chart and a sheet per language


def test_no_report_types_means_no_daily_digest(store: Store, tmp_path: Path) -> None:
    """A deployment without report types sends nothing and does not fail."""
    from bot.delivery.file_store import FileStore

    service = digests(store, files=FileStore(tmp_path / "f"), delivery=_Delivery())
    service.reports._types = None
    assert service.daily_messages(date(2026, 11, 23)) == []


def test_the_demo_province_fits_one_telegram_message_and_two_zalo_messages(
    tmp_path: Path,
) -> None:
    """config.yaml's tree with a month and a half of reports: short enough in both languages."""
    store = open_store(tmp_path, backend="memory")
    tree = write_demo(store)
    service = digests(store, tree=tree)
    data = service.build(tree.root.code, date(2026, 11, 23))
    part = data.types[0]
    assert len(part.units) == 4, "the one health region is skipped: its four communes show"
    assert 10 <= len(part.missing) <= 25 and part.late, "a realistic month, not an empty one"
    for lang in ("vi", "en"):
        text = service.text.render(data, lang)
        assert len(text) <= 4096, (lang, len(text))
        assert len(split_text(text, 2000)) <= 2, (lang, len(text))
