"""/nhatky's text: who by name, what by label (else the code), on what, where; newest first;
split at line ends to fit a chat."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.areas import AreaTree
from bot.core.clock import ManualClock
from bot.core.i18n import Translator
from bot.core.models import Account, GroupBinding
from bot.features.audit.log import AuditLog
from bot.features.audit.text import AuditText, wanted_lines
from bot.store import Store, open_store
from tests.support.harness import AREAS

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
GROUP = "telegram::-1001000000133"
PRIVATE = "telegram::42"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path, backend="memory")
    yield opened
    opened.close()


def _setup(store: Store) -> tuple[AuditText, AuditLog, ManualClock]:
    clock = ManualClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    lan = store.people.add(
        name="Cán bộ Lan", accounts=(Account(key="telegram:42"),), created_at=clock.now()
    )
    assert lan.id == 1
    store.groups.save(GroupBinding(chat_key=GROUP, area="18133"))
    text = AuditText(Translator("vi"), TZ, AreaTree.from_config(AREAS), store)
    return text, AuditLog(store=store, clock=clock), clock


def test_each_entry_in_words_newest_first(store: Store) -> None:
    text, audit, clock = _setup(store)
    audit.record("role.grant", who="person:1", where=PRIVATE, target="person:99",
                 detail={"role": "officer", "area": "18133"})  # fmt: skip
    clock.advance(minutes=1)
    audit.record("role.remove", who="person:1", where=PRIVATE, target="person:1",
                 detail={"role": "collaborator,officer", "area": "18133-01"})  # fmt: skip
    clock.advance(hours=16)  # past midnight, local time
    audit.record("group.bind", who="person:1", where=GROUP, target="18133")
    five = ["18133-01", "18133-02", "18115-01", "18115-02", "18133"]
    audit.record("directive.send", who="account:zalo:zalo1:abc", where="zalo:zalo1:abc",
                 target="directive:7", detail={"areas": five})  # fmt: skip
    audit.record("export.reports", who="cli:root", where="cli", target="42",
                 detail={"period": "2026-11", "rows": 4})  # fmt: skip
    audit.record("brand.new", who="system", where="start", detail={"count": 3})

    parts = text.parts(audit.recent(20), "vi", limit=4096)
    assert parts == [
        "\n".join([
            "Nhật ký: 6 thao tác gần nhất, mới nhất trước.",
            "24/11 00:01 · hệ thống · brand.new · hệ thống",
            "24/11 00:01 · máy chủ (root) · xuất báo cáo: Tỉnh Hà Tĩnh (2026-11) · máy chủ",
            "24/11 00:01 · zalo:zalo1:abc · gửi thông báo: thông báo số 7 (Thôn Sơn Ninh, "
            "Thôn Sơn Trung, Tổ dân phố Trung Lương, và 2 nơi khác) · chat riêng",
            "24/11 00:01 · Cán bộ Lan · gán nhóm: Xã Hương Sơn · nhóm Xã Hương Sơn",
            "23/11 08:01 · Cán bộ Lan · bỏ vai trò: Cán bộ Lan "
            "(cộng tác viên, cán bộ, Thôn Sơn Ninh) · chat riêng",
            "23/11 08:00 · Cán bộ Lan · giao vai trò: #99 (cán bộ, Xã Hương Sơn) · chat riêng",
        ])
    ]  # fmt: skip
    english = text.parts(audit.recent(2), "en", limit=4096)[0].split("\n")
    assert english == [
        "Audit trail: the 2 most recent actions, newest first.",
        "24/11 00:01 · system · brand.new · system",
        "24/11 00:01 · server (root) · exported reports: Tỉnh Hà Tĩnh (2026-11) · server",
    ]
    assert text.parts([], "vi", limit=4096) == ["Nhật ký chưa có thao tác nào."]


def test_a_long_list_splits_at_line_ends_within_the_limit(store: Store) -> None:
    text, audit, clock = _setup(store)
    for n in range(100):
        clock.advance(timedelta(minutes=1))
        audit.record("reminder.add", who="person:1", where=PRIVATE, target=f"reminder:{n}",
                     detail={"kind": "daily", "areas": ["18133"]})  # fmt: skip
    parts = text.parts(audit.recent(100), "vi", limit=2000)
    assert len(parts) > 1 and all(len(p) <= 2000 for p in parts)
    lines = [line for p in parts for line in p.split("\n")]
    assert len(lines) == 101  # the header and every entry, none cut in two
    assert lines[1].endswith("lịch nhắc số 99 (Xã Hương Sơn) · chat riêng")
    assert lines[-1].endswith("lịch nhắc số 0 (Xã Hương Sơn) · chat riêng")


@pytest.mark.parametrize(
    ("args", "lines"),
    [("", 20), (" 5 ", 5), ("100", 100), ("0", None), ("101", None), ("muoi", None)],
)
def test_how_many_lines(args: str, lines: int | None) -> None:
    assert wanted_lines(args) == lines
