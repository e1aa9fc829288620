"""The rules around outgoing webhooks, table by table: what config accepts, which answers are
retried, what each report change is called, what a body leaves out, pseudonyms, the sandbox."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app.webhooks import retry_after
from bot.config.loading import ConfigError, load_config
from bot.core.areas import AreaTree
from bot.core.events import REPORT_RETURNED, ReportEvent, report_event_type
from bot.core.models import Report
from bot.core.pseudonyms import Pseudonyms, pseudonym_key
from bot.delivery.webhook_request import retryable
from bot.features.reports.types import ReportTypes
from bot.features.webhooks.payload import Payloads
from bot.sandbox.graph import sandbox_config
from bot.store.memory import MemoryStore
from tests.support.harness import AREAS, write_config

SECRET = "a-secret-of-twenty-chars"
URL = "https://dashboard.example.gov.vn/hooks/danso"
ENV = {"WEBHOOK_SECRET_DASHBOARD": SECRET}


def _load(tmp_path: Path, endpoint: dict[str, Any], env: dict[str, str]) -> list[str]:
    """The problems config reports for one endpoint (none: it loads)."""
    extra = {"webhooks": {"endpoints": [{"name": "dashboard", **endpoint}]}}
    path = write_config(tmp_path, admins=[], extra=extra)
    try:
        load_config(path, environ=env)
    except ConfigError as exc:
        return [str(p) for p in exc.problems]
    return []


@pytest.mark.parametrize(
    ("endpoint", "env", "problem"),
    [
        ({"url": URL}, ENV, ""),
        ({"url": "http://127.0.0.1:8099/hooks"}, ENV, ""),
        ({"url": "http://localhost/hooks"}, ENV, ""),
        ({"url": "http://dashboard.example.gov.vn/hooks"}, ENV, "only to an https:// address"),
        ({"url": "ftp://dashboard.example.gov.vn/x"}, ENV, "only to an https:// address"),
        ({"url": URL}, {}, "WEBHOOK_SECRET_DASHBOARD (16+ characters) is not set"),
        ({"url": URL}, {"WEBHOOK_SECRET_DASHBOARD": "short"}, "at least 16 characters"),
        ({"url": URL, "secret_env": "DASH_KEY"}, {"DASH_KEY": SECRET}, ""),
        ({"url": URL, "secret_env": "dash key"}, ENV, "not an environment variable name"),
        ({"url": URL, "secret": SECRET}, ENV,
         "secrets never go in this file; put it in the environment variable "
         "WEBHOOK_SECRET_DASHBOARD"),
        ({"url": URL, "events": ["report.stored", "report.lost"]}, ENV, "is not valid"),
        ({"url": URL, "events": ["directive.acknowledged"], "areas": ["18133"]}, ENV, ""),
        ({"url": URL, "areas": ["99999"]}, ENV, "no area has the code '99999'"),
    ],
)  # fmt: skip
def test_what_config_accepts(
    tmp_path: Path, endpoint: dict[str, Any], env: dict[str, str], problem: str
) -> None:
    problems = _load(tmp_path, endpoint, env)
    if not problem:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_two_endpoints_need_two_names_and_the_secrets_are_redacted(tmp_path: Path) -> None:
    extra = {"webhooks": {"endpoints": [{"name": "a", "url": URL}, {"name": "a", "url": URL}]}}
    path = write_config(tmp_path, admins=[], extra=extra)
    with pytest.raises(ConfigError, match="duplicate endpoint name 'a'"):
        load_config(path, environ={"WEBHOOK_SECRET_A": SECRET})
    path = write_config(tmp_path, admins=[], extra={"webhooks": {"endpoints": [
        {"name": "dashboard", "url": URL}]}})  # fmt: skip
    config = load_config(path, environ=ENV)
    assert SECRET in config.secret_values(), "the log redactor hides it"
    assert sandbox_config(config).webhooks.endpoints == (), "training reports stay inside"


@pytest.mark.parametrize(
    ("status", "again"),
    [(408, True), (429, True), (500, True), (502, True), (503, True), (504, True),
     (400, False), (401, False), (403, False), (404, False), (410, False), (422, False),
     (301, False), (302, False)],
)  # fmt: skip
def test_which_answers_are_tried_again(status: int, again: bool) -> None:
    assert retryable(status) is again


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert retry_after("120") == 120.0
    assert retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now=now) == 90
    assert retry_after("soon") is None and retry_after(None) is None


def _report(**kw: Any) -> Report:
    base = Report("tinhhinh:18133-01:2026-11-23", "tinhhinh", "18133-01", "2026-11-23",
                  {"ghi_chu": "Chị Lan ốm, cần người thay", "muc_do": "cần chú ý",
                   "can_ho_tro": True}, 7, "zalo", datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
                  number=12, area_name="Thôn Sơn Ninh")  # fmt: skip
    return replace(base, **kw)


def test_what_each_version_is_called() -> None:
    v1 = _report()
    v2 = replace(v1, version=2)
    gone = replace(v1, version=3, retracted=True)
    back = replace(v1, version=4)
    assert report_event_type(v1, None) == "report.stored"
    assert report_event_type(v2, v1) == "report.corrected"
    assert report_event_type(gone, v2) == "report.retracted"
    assert report_event_type(back, gone) == "report.stored", "sent again after a retraction"


def _payloads(tmp_path: Path) -> Payloads:
    config = load_config(write_config(tmp_path, admins=[]), environ={})
    types = ReportTypes.from_config(config.report_types, default=config.default_report_type)
    key = pseudonym_key(MemoryStore().meta)
    return Payloads(areas=AreaTree.from_config(AREAS), types=types, pseudonyms=Pseudonyms(key),
                    tz=ZoneInfo("Asia/Ho_Chi_Minh"))  # fmt: skip


def test_free_text_only_for_a_receiver_that_may_hold_it(tmp_path: Path) -> None:
    payloads = _payloads(tmp_path)
    at = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    event = ReportEvent(REPORT_RETURNED, _report(), at, actor=3, reason="Chị Lan ghi sai")
    plain = json.loads(payloads.body(event, "e-1", free_text=False))
    assert plain["report"]["values"] == {"muc_do": "cần chú ý", "can_ho_tro": True}
    assert plain["reason"] is None and "Lan" not in json.dumps(plain, ensure_ascii=False)
    full = json.loads(payloads.body(event, "e-1", free_text=True))
    assert full["report"]["values"]["ghi_chu"] == "Chị Lan ốm, cần người thay"
    assert full["reason"] == "Chị Lan ghi sai"
    assert plain["occurred_at"] == "2026-11-23T10:00:00+07:00"
    assert plain["report"]["reporter"] != plain["actor"], "each person their own pseudonym"


def test_pseudonyms_are_stable_per_deployment_and_unlinkable_across() -> None:
    store = MemoryStore()
    key = pseudonym_key(store.meta)
    assert pseudonym_key(store.meta) == key, "made once, then kept"
    ours, theirs = Pseudonyms(key), Pseudonyms(pseudonym_key(MemoryStore().meta))
    assert ours.person(7) == ours.person(7) != ours.person(8)
    assert ours.person(7) != theirs.person(7)
    assert ours.person(None) is None and repr(ours) == "Pseudonyms(<key>)"
