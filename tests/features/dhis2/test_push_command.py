"""`python -m bot dhis2 push` on a stopped bot's data: a dry run sends nothing, a wrong login
and an unreachable server are said plainly with exit 1, a user's login works, --area sends
whole units, a retraction after a push sends the zero that clears DHIS2's value."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cli.dhis2 import dhis2_push
from bot.core.clock import ManualClock
from bot.core.models import Report
from bot.store import open_store
from tests.fakes.dhis2_api import FakeDhis2
from tests.features.dhis2 import dhis2_setup as setup
from tests.support.harness import write_config
from tests.support.store_choice import embedded_only

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
ADMIN = "telegram:4242"


def _report(rid: str, values: dict[str, Any], **more: Any) -> Report:
    type_, area, period = rid.split(":")[:3]
    return Report(rid, type_, area, period, values, 1, "telegram", NOW, **more)


# November in three villages of two communes; the shape is a stopped district's store.
REPORTS = [
    _report("danso:18115-01:2026-11:a", {"sinh": 2, "chet": 1}),
    _report("danso:18133-01:2026-11:b", {"sinh": 1}),
    _report("danso:18133-02:2026-11:c", {"sinh": 3, "chet": 2}),
]


def _district(folder: Path, base_url: str, **dhis2: Any) -> Path:
    """config.yaml for the fake DHIS2 and the data folder with November's reports."""
    path = write_config(folder, admins=[ADMIN], extra=setup.extra(base_url, **dhis2))
    store = open_store(folder / "data")
    try:
        with store.atomic():
            for report in REPORTS:
                store.reports.add(report)
    finally:
        store.close()
    return path


async def _push(config: Path, env: dict[str, str], **kw: Any) -> tuple[int, str]:
    out = io.StringIO()
    code = await dhis2_push(
        config_path=str(config), environ=env, clock=ManualClock(NOW), out=out, **kw
    )
    return code, out.getvalue()


def _queued(folder: Path) -> list[str]:
    """The texts waiting in the outbox for the bot's next start."""
    store = open_store(folder / "data")
    try:
        return [i.text for i in store.outbox.due(now=NOW, limit=100)]
    finally:
        store.close()


@embedded_only("it seeds and reads the stopped bot's store in data_dir directly")
@pytest.mark.virtual_time
async def test_a_dry_run_prints_the_payload_and_sends_nothing(
    tmp_path: Path, fake_dhis2: FakeDhis2
) -> None:
    """--dry-run: what would go, as JSON DHIS2 reads; no request, nothing queued."""
    config = _district(tmp_path, fake_dhis2.base_url)
    code, printed = await _push(config, setup.environ(), period="202611", dry_run=True)
    assert code == 0
    assert fake_dhis2.received == [] and _queued(tmp_path) == []
    head, _, body = printed.partition("\n[")
    assert head.splitlines() == [
        f"Chạy thử: không gửi gì lên DHIS2 ({fake_dhis2.base_url.removeprefix('http://')}). "
        "Sẽ gửi:",
        "• Biến động dân số, tháng 11/2026: 4 số liệu của 2 đơn vị, từ 3 báo cáo.",
    ]
    assert json.loads("[" + body) == [
        {"dataSet": setup.DATA_SET, "period": "202611", "dataValues": [
            {"dataElement": setup.DE_BIRTHS, "orgUnit": setup.UNIT_BAC_HONG_LINH, "value": "2"},
            {"dataElement": setup.DE_DEATHS, "orgUnit": setup.UNIT_BAC_HONG_LINH, "value": "1"},
            {"dataElement": setup.DE_BIRTHS, "orgUnit": setup.UNIT_HUONG_SON, "value": "4"},
            {"dataElement": setup.DE_DEATHS, "orgUnit": setup.UNIT_HUONG_SON, "value": "2"},
        ]},
    ]  # fmt: skip


@embedded_only("it seeds and reads the stopped bot's store in data_dir directly")
@pytest.mark.virtual_time
async def test_a_refused_login_and_an_unreachable_server_exit_1_and_say_why(
    tmp_path: Path, fake_dhis2: FakeDhis2
) -> None:
    """DHIS2's 401 names the variables to check; no answer names the server; nothing is stored
    in DHIS2, and the admins hear the same when the bot starts."""
    config = _district(tmp_path, fake_dhis2.base_url)
    code, printed = await _push(config, setup.environ("d2pat_wrong"), period="2026-11")
    server = fake_dhis2.base_url.removeprefix("http://")
    assert code == 1
    assert [r.status for r in fake_dhis2.received] == [401] and fake_dhis2.values == {}
    assert printed.splitlines()[2:4] == [
        "  Chưa gửi được.",
        f"❌ DHIS2 ({server}) từ chối đăng nhập (HTTP 401): kiểm tra DHIS2_API_TOKEN, hoặc "
        "DHIS2_USERNAME và DHIS2_PASSWORD, trên máy chủ. Chưa gửi gì.",
    ]
    assert "từ chối đăng nhập (HTTP 401)" in _queued(tmp_path)[0]

    await fake_dhis2.stop()  # nothing listens there any more
    code, printed = await _push(config, setup.environ(), period="2026-11")
    assert code == 1
    assert f"❌ Không kết nối được DHIS2 ({server}): Cannot connect to host" in printed

    env = {k: v for k, v in setup.environ().items() if k != "DHIS2_API_TOKEN"}
    code, printed = await _push(config, env, period="2026-11")
    assert code == 1 and "Máy chủ chưa có thông tin đăng nhập DHIS2" in printed


@embedded_only("it seeds and reads the stopped bot's store in data_dir directly")
@pytest.mark.virtual_time
async def test_a_user_login_area_and_a_later_retraction(
    tmp_path: Path, fake_dhis2: FakeDhis2
) -> None:
    """DHIS2_USERNAME/DHIS2_PASSWORD log in (basic); --area of a village sends its whole
    commune's unit and no other; after a report is retracted, the next push sends 0 where it
    counted, and DHIS2 deletes the number it had."""
    config = _district(tmp_path, fake_dhis2.base_url)
    fake_dhis2.user = ("tinh_ha_tinh", "mật khẩu")
    env = {**setup.environ(), "DHIS2_USERNAME": "tinh_ha_tinh", "DHIS2_PASSWORD": "mật khẩu"}
    del env["DHIS2_API_TOKEN"]

    code, printed = await _push(config, env, period="2026-11", area="Thôn Sơn Trung")
    assert code == 0, printed
    assert fake_dhis2.received[0].authorization.startswith("Basic ")
    assert [(v["orgUnit"], v["value"]) for v in fake_dhis2.received[0].body["dataValues"]] == [
        (setup.UNIT_HUONG_SON, "4"), (setup.UNIT_HUONG_SON, "2"),
    ]  # fmt: skip
    assert "DHIS2: 2 mới, 0 cập nhật, 0 bỏ qua, 0 xóa." in printed

    store = open_store(tmp_path / "data")
    try:
        with store.atomic():
            store.reports.add(replace(REPORTS[2], version=2, retracted=True))
    finally:
        store.close()
    code, printed = await _push(config, env, period="2026-11", area="18133")
    assert [v["value"] for v in fake_dhis2.received[1].body["dataValues"]] == ["1", "0"]
    assert "DHIS2: 0 mới, 1 cập nhật, 0 bỏ qua, 1 xóa." in printed
    assert fake_dhis2.value(setup.DE_DEATHS, "202611", setup.UNIT_HUONG_SON) is None


@pytest.mark.virtual_time
async def test_a_period_no_mapped_type_has_is_refused(
    tmp_path: Path, fake_dhis2: FakeDhis2, capsys: pytest.CaptureFixture[str]
) -> None:
    """A quarter, when the mapped type is monthly: exit 2 and the types that are mapped."""
    config = _district(tmp_path, fake_dhis2.base_url)
    code, _ = await _push(config, setup.environ(), period="2026Q4")
    assert code == 2
    assert "no report type mapped to DHIS2 is reported per quarter" in capsys.readouterr().err
    code, _ = await _push(config, setup.environ(), period="tháng 11")
    assert code == 2 and "write 2026-11 (or 202611)" in capsys.readouterr().err


@embedded_only("it seeds and reads the stopped bot's store in data_dir directly")
@pytest.mark.virtual_time
async def test_a_unit_dhis2_does_not_know_is_named_by_its_commune(
    tmp_path: Path, fake_dhis2: FakeDhis2
) -> None:
    """DHIS2's conflict names an id; the summary names the commune it stands for."""
    units = {"18115": setup.UNIT_BAC_HONG_LINH, "18133": "OuNotKnown1"}
    config = _district(tmp_path, fake_dhis2.base_url, org_units=units)
    code, printed = await _push(config, setup.environ(), period="2026-11")
    assert code == 4
    assert printed.splitlines()[2:5] == [
        "  DHIS2: 2 mới, 0 cập nhật, 2 bỏ qua, 0 xóa.",
        "  ⚠️ Số liệu bị từ chối: 2",
        "  – Xã Hương Sơn (OuNotKnown1): Organisation unit not found or not accessible: "
        "`OuNotKnown1`",
    ]
    assert len(printed.splitlines()) == 6  # the two values' one conflict, named once
