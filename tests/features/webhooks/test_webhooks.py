"""Outgoing webhooks end to end: reports typed on Telegram and on Zalo, a correction, a
retraction and a directive acknowledgement reach a receiver that fails twice then accepts;
each event is kept once, signed as docs/webhooks.md says, in order per report, retried with
backoff; an event still owed when the bot stops goes out after the restart. (A receiver that
refuses for good: test_webhook_refusals.py.)"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.webhook_receiver import WebhookReceiver, verify
from tests.fakes.zalo_api import FakeZalo
from tests.features.webhooks.helpers import BASE, SECRET, hooked_bot, hooked_config, register
from tests.support.harness import Person, TelegramDriver, ZaloDriver, eventually

pytestmark = pytest.mark.virtual_time  # backoff waits pass on the loop's time, not waited


async def test_reports_corrections_retraction_and_ack_reach_a_flaky_receiver(
    tmp_path: Path, fake_telegram: FakeTelegram, fake_zalo: FakeZalo, receiver: WebhookReceiver
) -> None:
    bot = hooked_bot(tmp_path, receiver)
    tg, zl = TelegramDriver(fake_telegram, bot), ZaloDriver(fake_zalo, bot)
    admin, lan, hoa = tg.person("Quản trị"), tg.person("Cán bộ Lan"), tg.person("Chị Hoa")
    binh = zl.person("Anh Bình")
    hooked_config(tmp_path, receiver, admin, telegram_url=fake_telegram.base_url,
            zalo_url=fake_zalo.base_url)  # fmt: skip
    await bot.start()
    try:
        await register(tg, admin, [
            (tg, lan, "canbo", "Xã Hương Sơn"), (tg, hoa, "ctv", "Thôn Sơn Ninh"),
            (zl, binh, "ctv", "Tổ dân phố Trung Lương"),
        ])  # fmt: skip
        assert receiver.requests == [], "registering tells the outside nothing"
        receiver.fail_next(2, status=503)
        await tg.say(hoa, tg.private(hoa), "/bc sinh 2 chet 1")
        await tg.say(hoa, tg.private(hoa), "/sua chet 2")  # while the report is still owed
        await zl.say(binh, zl.private(binh), "/bc sinh 1")
        await zl.say(binh, zl.private(binh), "/huybaocao")
        await tg.say(lan, tg.private(lan), "/chithi all: Họp giao ban 8h thứ Hai")
        await tg.say(lan, tg.private(lan), "/xacnhan")
        await tg.say(hoa, tg.private(hoa), "/danhan 1")
        await eventually(lambda: len(receiver.kept) == 5, timeout=300, what="five events kept")

        kept = list(receiver.kept.values())
        assert sorted(e["type"] for e in kept) == [
            "directive.acknowledged", "report.corrected", "report.retracted", "report.stored",
            "report.stored",
        ]  # fmt: skip
        _each_once_signed_in_order(receiver)
        _backoff(receiver)
        a = next(e for e in kept if e["type"] == "report.stored" and e["report"]["area"]["code"]
                 == "18133-01")  # fmt: skip
        _payload(a, receiver, hoa, binh)
        ack = next(e for e in kept if e["type"] == "directive.acknowledged")
        assert ack["directive"]["id"] == 1 and ack["acknowledgement"]["via"] == "command"
        assert ack["acknowledgement"]["person"] == a["report"]["reporter"]
        assert ack["acknowledgement"]["area"]["code"] == "18133-01"

        # Owed when the bot stops (the receiver is down): it goes out after the restart.
        receiver.always(503)
        before = len(receiver.requests)
        await tg.say(hoa, tg.private(hoa), "/sua sinh 3")
        await eventually(lambda: len(receiver.requests) > before, timeout=60, what="a try")
        owed = receiver.requests[before].headers["X-Bot-Event-Id"]
        await bot.stop()
        receiver.always(0)
        app = await bot.start()
        await eventually(lambda: owed in receiver.kept, timeout=120, what="the owed event")
        late = receiver.kept[owed]
        assert (late["type"], late["report"]["version"]) == ("report.corrected", 3)
        assert late["report"]["reporter"] == a["report"]["reporter"], "the same pseudonym"
        tries = [r for r in receiver.requests if r.headers["X-Bot-Event-Id"] == owed]
        assert int(tries[-1].headers["X-Bot-Attempt"]) >= 2 and tries[-1].status == 200
        assert app.store is not None
        await eventually(lambda: not app.store.webhooks.unfinished(), what="nothing owed")
    finally:
        await bot.stop()


def _each_once_signed_in_order(receiver: WebhookReceiver) -> None:
    """Each event accepted once, with a valid signature; a report's events in order, and a
    later one never tried before the earlier one was accepted."""
    accepted = receiver.accepted()
    ids = [r.headers["X-Bot-Event-Id"] for r in accepted]
    assert len(ids) == len(set(ids)) == 5, "each event accepted exactly once"
    for r in accepted:
        now = int(r.headers["X-Bot-Timestamp"])
        assert verify(SECRET, r.headers, r.body, now=now) == "", "signed as documented"
        assert verify("another-secret-entirely", r.headers, r.body, now=now) != ""
    assert sum(1 for r in receiver.requests if r.status == 503) == 2, "failed twice"
    by_report: dict[str, list[int]] = {}
    for r in accepted:
        if "report" in r.event:
            by_report.setdefault(r.event["report"]["id"], []).append(r.event["report"]["version"])
    assert sorted(by_report.values()) == [[1, 2], [1, 2]], "each report's versions in order"
    for report_id in by_report:
        tries = [r for r in receiver.requests if r.event.get("report", {}).get("id") == report_id]
        v1_accepted = next(i for i, r in enumerate(tries) if r.event["report"]["version"] == 1
                           and r.status == 200)  # fmt: skip
        assert all(r.event["report"]["version"] == 1 for r in tries[:v1_accepted]), (
            "the correction waited for its report"
        )


def _backoff(receiver: WebhookReceiver) -> None:
    """The k-th retry of an event waits about BASE·2^(k-1) s (less 20 % jitter), never less."""
    attempts: dict[str, list[Any]] = {}
    for r in receiver.requests:
        attempts.setdefault(r.headers["X-Bot-Event-Id"], []).append(r)
    retried = [tries for tries in attempts.values() if len(tries) > 1]
    assert retried, "the failures were retried"
    for tries in retried:
        assert [int(r.headers["X-Bot-Attempt"]) for r in tries] == list(range(1, len(tries) + 1))
        assert tries[-1].status == 200 and all(r.status == 503 for r in tries[:-1])
        for k, (a, b) in enumerate(itertools.pairwise(tries), start=1):
            assert b.at - a.at >= BASE * 2 ** (k - 1) * 0.8, (k, b.at - a.at)


def _payload(event: dict[str, Any], receiver: WebhookReceiver, hoa: Person, binh: Person) -> None:
    """What a report event says, and what it never says (names, platform accounts)."""
    report = event["report"]
    assert event["schema"] == 1 and event["occurred_at"].endswith("+07:00")
    assert report["id"].startswith("danso:18133-01:2026-11:") and report["period"] == "2026-11"
    assert (report["type"], report["version"], report["late"]) == ("danso", 1, False)
    assert report["values"] == {"sinh": 2, "chet": 1} and report["retracted"] is False
    assert report["area"]["name"] == "Thôn Sơn Ninh"
    assert [a["code"] for a in report["area"]["path"]] == ["42", "R1", "18133", "18133-01"]
    assert re.fullmatch(r"p-[0-9a-f]{20}", report["reporter"])
    assert event["actor"] == report["reporter"] and report["number"] >= 1
    for r in receiver.requests:
        text = r.body.decode()
        for person in (hoa, binh):
            assert person.name not in text and person.key.split(":")[-1] not in text
    assert not any(r.problem for r in receiver.requests), "no request failed the check"
