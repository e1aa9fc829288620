"""What a directive is called where people read it: "Thông báo" unless config names the word the
communes use (per language), in the heading and in every message about it; /thongbao sends one
as /chithi does."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.loading import ConfigError, load_config
from bot.core.i18n import Translator
from tests.support.directive_helpers import district_team
from tests.support.harness import World, eventually, write_config

LETTER = {"directives": {"heading": {"vi": "Công văn", "en": "Official letter"}}}


async def test_a_configured_heading_in_every_message(world: World) -> None:
    """Officers call it "Công văn": the preview, the copy, the acknowledgement and the status
    say so; an English reader gets the English word."""
    team = await district_team(world, extra=LETTER)
    d = world.driver
    lan, hoa, tu = d.private(team.lan), d.private(team.hoa), d.private(team.tu)
    assert (await d.say(team.tu, tu, "/ngonngu en"))[0] == "Language set to English."

    preview = (await d.say(team.lan, lan, "/thongbao all: Họp giao ban 8:00 thứ Hai."))[0]
    assert preview.startswith("📝 Xem trước công văn gửi tới Xã Hương Sơn:")
    assert (await d.say(team.lan, lan, "/xacnhan"))[0].startswith("Đã xếp gửi công văn số 1")
    await eventually(lambda: any("số 1" in t for t in d.texts(hoa)), what="Hoa's copy")
    await eventually(lambda: any("No. 1" in t for t in d.texts(tu)), what="Tú's copy")
    assert d.texts(hoa)[-1].startswith("📢 Công văn số 1\nTừ: Cán bộ Lan (Xã Hương Sơn)\n")
    assert d.texts(tu)[-1].startswith(
        "📢 Official letter No. 1\nFrom: Cán bộ Lan (Xã Hương Sơn)\n"
    )

    assert await d.say(team.hoa, hoa, "ok 1") == [
        "✅ Đã ghi nhận Chị Hoa đã nhận công văn số 1. Cảm ơn!"
    ]
    assert await d.say(team.tu, tu, "ok 1") == [
        "✅ Noted: Anh Tú received official letter 1. Thank you!"
    ]
    status = (await d.say(team.lan, lan, "/tinhtrang 1"))[0]
    assert status.startswith("📊 Công văn số 1, gửi ") and "chỉ thị" not in status.lower()


def test_the_default_is_thong_bao_and_a_heading_is_checked(tmp_path: Path) -> None:
    """Without a setting readers see "Thông báo" ("Notice"); an empty heading, or one that would
    break a message, is refused at its key path."""
    t = Translator()
    assert t("vi", "directive.message", number=3, author="Lan") == "📢 Thông báo số 3\nTừ: Lan"
    assert t("en", "directive.message", number=3, author="Lan") == "📢 Notice No. 3\nFrom: Lan"
    assert t("vi", "ack.again", number=3) == "Bạn đã xác nhận thông báo số 3 rồi, cảm ơn."
    assert t("en", "status.none") == "There are no notices in your area yet."
    path = write_config(tmp_path, admins=[])
    assert load_config(path, environ={}).directives.heading.vi == "Thông báo"
    one = write_config(tmp_path, admins=[], extra={"directives": {"heading": "Chỉ thị"}})
    heading = load_config(one, environ={}).directives.heading
    assert (heading.vi, heading.en) == ("Chỉ thị", "Notice")
    assert Translator(headings=heading.by_language())("vi", "directive.not_found", number=9) == (
        "Không có chỉ thị số 9."
    )
    for bad in ("", "Thông báo {số}", "x" * 31):
        path = write_config(tmp_path, admins=[], extra={"directives": {"heading": {"vi": bad}}})
        with pytest.raises(ConfigError) as caught:
            load_config(path, environ={})
        assert [p.path for p in caught.value.problems] == ["directives.heading.vi"], bad
