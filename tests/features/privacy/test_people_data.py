"""`people export` and `people erase` on a stored data directory: the export holds everything
about the person and is in the access log; erase removes their identity everywhere (store,
outbox, files, signed links and their download log) and nothing else; report totals stay."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.__main__ import main
from bot.cli.common import RUNNING
from bot.cli.export import run_export
from bot.cli.privacy import run_people
from bot.config.privacy import PrivacySection
from bot.core.clock import SystemClock
from bot.core.messages import ChatKind, ChatRef, Incoming, UpdateKind, UserRef
from bot.core.models import (
    Account,
    Acknowledgement,
    OutboxItem,
    OutboxStatus,
    Prompt,
    Question,
    Report,
    Role,
    RoleGrant,
)  # fmt: skip
from bot.delivery.file_store import FileLinks, FileStore
from bot.delivery.link_signing import LinkSigner
from bot.features.audit.log import AuditLog
from bot.features.privacy.consent import Privacy
from bot.store import Store, open_store
from bot.store.engine.codec import encode
from bot.store.engine.tables import ReportTable, Table
from bot.web.downloads import file_routes
from tests.fakes.loopback import LoopbackServer
from tests.support.harness import write_config
from tests.support.store_choice import embedded_only

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
HOA, MAI = "telegram:501", "telegram:502"


def _report(rid: str, reporter: int, values: dict[str, Any], photo: str = "") -> Report:
    kind = "tinhhinh" if "ghi_chu" in values else "danso"
    return Report(
        id=rid, type=kind, area="18133-01", period="2026-11" if kind == "danso" else "2026-11-20",
        values=values, reporter=reporter, platform="telegram", received_at=AT, photo=photo,
        source_message=f"telegram::{reporter}:9",
    )  # fmt: skip


def _seed(store: Store, files: FileStore) -> dict[str, str]:
    """Hoa (#1) and Mai (#2) with a bit of everything; returns file ids."""
    grant = RoleGrant(Role.COLLABORATOR, "18133-01")
    hoa = store.people.add(name="Chị Hoa", accounts=(Account(HOA, "Hoa", True),),
                           roles=(grant,), created_at=AT)  # fmt: skip
    mai = store.people.add(name="Chị Mai", accounts=(Account(MAI, "Mai", True),),
                           roles=(grant,), created_at=AT)  # fmt: skip
    photo = files.put(b"jpeg", name="anh.jpg", owner=hoa.id)
    other = files.put(b"jpeg", name="mai.jpg", owner=mai.id)
    store.reports.add(_report("a", hoa.id, {"sinh": 2}))
    store.reports.add(_report("b", hoa.id, {"ghi_chu": "Bà Lê Thị C ốm", "muc_do": "cần chú ý"},
                              photo=photo.id))  # fmt: skip
    store.reports.add(_report("c", mai.id, {"sinh": 5}))
    store.registrations.add(person_id=hoa.id, area="18133-02", requested_at=AT)
    store.registrations.add(person_id=mai.id, area="18133-02", requested_at=AT)
    for pid, chat in ((hoa.id, "telegram::501"), (mai.id, "telegram::502")):
        store.questions.add(Question(id=0, asker=pid, area="18133-01", text="Chị B có thai?",
                                     asked_at=AT, chat_key=chat))  # fmt: skip
        store.acks.add(Acknowledgement(directive_id=1, person_id=pid, at=AT, via="button",
                                       chat_key=chat))  # fmt: skip
    job = store.outbox.add_job(kind="reply", created_at=AT, total=4)
    store.outbox.add([
        OutboxItem(id=0, job_id=job.id, chat_key=chat, chat_kind="private", text=f"Chào {who}",
                   status=status, created_at=AT, next_attempt_at=AT, recipient=pid)
        for pid, chat, who in ((hoa.id, "telegram::501", "Hoa"), (mai.id, "telegram::502", "Mai"))
        for status in (OutboxStatus.SENT, OutboxStatus.PENDING)
    ])  # fmt: skip
    for key in (HOA, MAI):
        store.prompts.set(Prompt(chat_key=key.replace(":", "::"), user_key=key, kind="x"))
        inc = Incoming(
            update_id=key, kind=UpdateKind.MESSAGE, chat=ChatRef("telegram", "", key[9:],
            ChatKind.PRIVATE), sender=UserRef.parse(key), sender_name="x", text="/hoi", date=AT,
        )  # fmt: skip
        store.inbound.receive(f"u{key}", inc, at=AT)
    return {"photo": photo.id, "other": other.id}


def _snapshot(store: Store) -> dict[tuple[str, Any], Any]:
    """Every stored record by (table, key), encoded."""
    tables = store._core.tables  # type: ignore[attr-defined]
    found: dict[tuple[str, Any], Any] = {}
    for name, table in tables.items():
        if isinstance(table, Table):
            found |= {(name, str(k)): encode(v) for k, v in table.rows.items()}
        elif isinstance(table, ReportTable):
            for rid in list(table.index):
                for row in table.index.rows(rid):
                    found[(name, f"{rid}/{row.version}")] = encode(table.get((rid, row.version)))
    return found


@asynccontextmanager
async def _site(data: Path, signer: LinkSigner) -> AsyncIterator[tuple[Store, FileLinks]]:
    """The file routes over the data directory, revoking and logging as the bot wires them."""
    store = open_store(data)
    files = FileStore.in_data_dir(data)
    privacy = Privacy(store=store, clock=SystemClock(), tz=UTC, translate=None,  # type: ignore[arg-type]
                      settings=PrivacySection(),
                      audit=AuditLog(store=store, clock=SystemClock()))  # fmt: skip
    app = web.Application()
    app.add_routes(file_routes(files, signer, revoked=privacy.link_revoked,
                               served=privacy.link_served))  # fmt: skip
    server = LoopbackServer(app)
    await server.start()
    try:
        yield store, FileLinks(files, signer, public_base_url=server.base_url)
    finally:
        await server.stop()
        store.close()


async def _status(url: str) -> int:
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        return resp.status


@embedded_only(
    "it seeds data_dir's store directly, and a CLI command refuses while the bot holds it"
)
async def test_export_and_erase_one_person(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, admins=[])
    data, env = tmp_path / "data", {"BOT_CONFIG": str(config)}
    data.mkdir()
    store = open_store(data)
    ids = _seed(store, FileStore.in_data_dir(data))
    store.close()
    signer = LinkSigner(b"k" * 32)
    async with _site(data, signer) as (store, links):
        hoa_url = links.url_for(ids["photo"], person=1)
        mai_url = links.url_for(ids["other"], person=2)
        assert hoa_url and mai_url
        assert (await _status(hoa_url), await _status(mai_url)) == (200, 200)
        assert [e.subject for e in store.access_log.all()] == ["person:1", "person:2"]

        # While the bot (here: the site) holds the data directory, both refuse like `run`.
        assert run_people("export", "1", output=tmp_path / "x.json", config_path=str(config),
                          environ=env) == RUNNING  # fmt: skip
        assert "the bot is running" in capsys.readouterr().err

    out = tmp_path / "hoa.json"
    assert run_people("export", "Chị Hoa", output=out, config_path=str(config), environ=env) == 0
    exported = json.loads(out.read_text("utf-8"))
    assert exported["person"]["name"] == "Chị Hoa" and exported["person_id"] == 1
    assert sorted(r["id"] for r in exported["reports"]) == ["a", "b"]
    assert [q["asker"] for q in exported["questions"]] == [1]
    assert len(exported["outbox"]) == 2 and len(exported["registrations"]) == 1
    assert [f["id"] for f in exported["files"]] == [ids["photo"]]
    assert [e["what"] for e in exported["access_log"]] == ["file.download"]
    assert "Chị Mai" not in out.read_text("utf-8") and "502" not in out.read_text("utf-8")

    store = open_store(data)
    logged = store.access_log.about("person:1")
    assert [e.what for e in logged] == ["file.download", "people.export"]
    assert store.audit.recent(1)[0].action == "people.export"
    before = _snapshot(store)
    store.close()

    assert run_people("erase", "telegram:501", config_path=str(config), environ=env) == 2
    assert main(["people", "erase", "telegram:501", "--yes", "--config", str(config)]) == 0

    store = open_store(data)
    after = _snapshot(store)
    person = store.people.get(1)
    assert person is not None and person.name == "(đã xóa)" and person.accounts == ()
    assert person.roles == () and person.erased_at is not None
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    # Hoa's records, the audit entry of the erase and its id counter: nothing of Mai's.
    assert changed == {
        ("people", "1"), ("registrations", "1"), ("reports", "a/1"), ("reports", "b/1"),
        ("questions", "1"), ("acks", "(1, 1)"), ("outbox", "1"), ("outbox", "2"),
        ("prompts", "('telegram::501', 'telegram:501')"), ("inbox", "utelegram:501"),
        ("access_log", "1"), ("access_log", "3"), ("audit", "2"), ("meta", "next_id.audit"),
    }, changed  # fmt: skip
    assert ("outbox", "2") not in after and after[("outbox", "1")]["text"] == ""
    assert after[("reports", "b/1")]["values"] == {"ghi_chu": "", "muc_do": "cần chú ý"}
    assert "Lê Thị C" not in json.dumps(list(after.values()), ensure_ascii=False)
    totals = sum(r.values.get("sinh", 0) for r in store.reports.in_period("danso", "2026-11"))
    assert totals == 7 and store.reports.get("a").reporter == 1  # type: ignore[union-attr]
    assert store.access_log.about("person:1") == [] and len(store.access_log.all()) == 1
    assert store.audit.recent(1)[0].action == "people.erase"
    store.close()
    files = FileStore.in_data_dir(data)
    assert files.get(ids["photo"]) is None and files.get(ids["other"]) is not None

    # A report export is a look at personal data too (names of reporters): it is logged.
    csv = tmp_path / "r.csv"
    assert run_export(period="2026-11", output=csv, config_path=str(config), environ=env) == 0
    store = open_store(data)
    assert [(e.what, e.who.startswith("cli:")) for e in store.access_log.all()][-1] == (
        "reports.export",
        True,
    )
    store.close()

    async with _site(data, signer) as (store, links):
        base = (links.url_for(ids["other"], person=2) or "").split("/f/")[0]
        assert await _status(base + "/f/" + hoa_url.split("/f/")[1]) == 410  # erased: dead
        assert await _status(base + "/f/" + mai_url.split("/f/")[1]) == 200
