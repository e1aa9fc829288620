"""The store contract: every backend behaves the same through the repository interface."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from tinydb import TinyDB

from bot.core.models import (
    Account,
    GroupBinding,
    LinkCode,
    LinkFailure,
    Prompt,
    RegistrationStatus,
    Report,
    Role,
    RoleGrant,
)
from bot.store import (
    SCHEMA_VERSION,
    DuplicateKeyError,
    StoreLockedError,
    StoreVersionError,
    open_store,
)
from tests.store.harness import KINDS, Harness

HANOI = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 24, 8, 30, tzinfo=HANOI)


def report(rid: str = "r1", *, version: int = 1, **changes: Any) -> Report:
    base = Report(
        id=rid,
        type="sinh",
        area="xa-1.thon-1",
        period="2026-11",
        values={"sinh": 2, "nam": 1, "nu": 1},
        reporter=1,
        platform="telegram",
        received_at=T0,
        version=version,
    )
    return replace(base, **changes)


@pytest.mark.parametrize("harness", KINDS, indirect=True)
class TestStoreContract:
    def test_people_get_short_ids_in_order(self, harness: Harness) -> None:
        """People are numbered 1, 2, 3 and come back whole with aware datetimes and enum roles."""
        s = harness.store
        grant = RoleGrant(Role.OFFICER, "xa-1", granted_by="telegram:9", granted_at=T0)
        ids = [s.people.add(name=f"Người {n}", roles=(grant,), created_at=T0).id for n in range(3)]
        assert ids == [1, 2, 3]
        s = harness.reopen()
        person = s.people.get(2)
        assert person is not None
        assert person.name == "Người 1"
        assert person.roles == (grant,)
        assert person.roles[0].role is Role.OFFICER
        assert person.created_at == T0
        assert person.created_at.utcoffset() == timedelta(hours=7)
        assert s.people.get(99) is None
        assert [p.id for p in s.people.all()] == [1, 2, 3]
        assert s.people.add(name="Next", created_at=T0).id == 4

    def test_account_index_follows_saves(self, harness: Harness) -> None:
        """by_account finds the owner, and follows an account moved to another person."""
        s = harness.store
        a = s.people.add(name="A", accounts=(Account("telegram:1"),), created_at=T0)
        b = s.people.add(name="B", accounts=(Account("zalo:bot:2"),), created_at=T0)
        assert s.people.by_account("telegram:1") == a
        with s.atomic():
            s.people.save(replace(a, accounts=()))
            s.people.save(
                replace(b, accounts=(*b.accounts, Account("telegram:1", reachable=True)))
            )
        s = harness.reopen()
        owner = s.people.by_account("telegram:1")
        assert owner is not None
        assert owner.id == b.id
        assert owner.accounts[-1].reachable is True
        assert s.people.by_account("zalo:bot:2") == owner
        assert s.people.by_account("nobody") is None

    def test_an_account_has_one_owner(self, harness: Harness) -> None:
        """Saving a person with another person's account is refused and changes nothing."""
        s = harness.store
        s.people.add(name="A", accounts=(Account("telegram:1"),), created_at=T0)
        with pytest.raises(DuplicateKeyError):
            s.people.add(name="B", accounts=(Account("telegram:1"),), created_at=T0)
        s = harness.reopen()
        assert [p.name for p in s.people.all()] == ["A"]
        assert s.people.add(name="C", created_at=T0).id == 2

    def test_registrations(self, harness: Harness) -> None:
        """Registrations get ids, list as pending until decided, and list per person."""
        s = harness.store
        r1 = s.registrations.add(person_id=1, area="thon-1", requested_at=T0)
        r2 = s.registrations.add(person_id=2, area="thon-2", requested_at=T0)
        assert (r1.id, r2.id, r1.status) == (1, 2, RegistrationStatus.PENDING)
        s.registrations.save(
            replace(r1, status=RegistrationStatus.APPROVED, decided_by=7, decided_at=T0)
        )
        s = harness.reopen()
        assert [r.id for r in s.registrations.pending()] == [2]
        got = s.registrations.get(1)
        assert got is not None
        assert got.status is RegistrationStatus.APPROVED
        assert got.decided_at == T0
        assert [r.id for r in s.registrations.for_person(1)] == [1]
        assert s.registrations.get(3) is None

    def test_groups(self, harness: Harness) -> None:
        """Group bindings upsert by chat key, list and remove."""
        s = harness.store
        s.groups.save(GroupBinding("telegram:-100", "xa-1", title="Xã 1"))
        s.groups.save(GroupBinding("zalo:bot:g", "xa-2"))
        s.groups.save(GroupBinding("telegram:-100", "xa-3", bound_by=1, bound_at=T0))
        s.groups.remove("zalo:bot:g")
        s.groups.remove("never-bound")
        s = harness.reopen()
        assert s.groups.all() == [GroupBinding("telegram:-100", "xa-3", bound_by=1, bound_at=T0)]
        assert s.groups.get("zalo:bot:g") is None

    def test_link_codes_are_numbered_kept_for_undo_and_purged(self, harness: Harness) -> None:
        """Codes get short numbers; live ones are unspent and unexpired; purge keeps a link until
        its undo is over (its expires_at) and drops other codes once spent or expired."""
        s = harness.store
        soon, later = T0 + timedelta(minutes=10), T0 + timedelta(days=1)
        first = s.link_codes.add(LinkCode("", 1, soon, prefix="482", digest="d1", account="a"))
        second = s.link_codes.add(LinkCode("", 2, soon, prefix="482", digest="d2", account="a"))
        third = s.link_codes.add(LinkCode("", 3, later, prefix="117", digest="d3", account="b"))
        assert [c.code for c in (first, second, third)] == ["1", "2", "3"]
        undo_over = T0 + timedelta(days=30)
        linked = replace(first, used=True, linked="zalo:z:9", linked_at=T0, expires_at=undo_over)
        s.link_codes.save(linked)
        s.link_codes.save(replace(third, used=True))  # replaced by a newer one: no link
        s = harness.reopen()
        assert [c.code for c in s.link_codes.live(now=T0)] == ["2"]
        assert s.link_codes.live(now=soon) == []
        assert [c.code for c in s.link_codes.asked_by("a")] == ["2", "1"]
        assert s.link_codes.get("1") == linked
        assert s.link_codes.purge(now=soon) == 2  # 2 expired, 3 spent; the link stays
        s = harness.reopen()
        assert s.link_codes.asked_by("b") == []
        assert s.link_codes.purge(now=undo_over) == 1  # the link's undo is over
        assert s.link_codes.add(LinkCode("", 4, later)).code == "4"  # numbers are not reused

    def test_wrong_link_codes_and_the_pause_are_kept(self, harness: Harness) -> None:
        """The wrong codes of the last day and the pause survive a reopen."""
        s = harness.store
        for minutes in (0, 30, 90):
            at = T0 + timedelta(minutes=minutes)
            s.link_codes.add_failure(
                LinkFailure(at, "tag", 7), keep_after=at - timedelta(minutes=61)
            )
        s.link_codes.pause(T0 + timedelta(hours=2))
        s = harness.reopen()
        assert [f.at for f in s.link_codes.failures(since=T0 - timedelta(days=1))] == [
            T0 + timedelta(minutes=30),
            T0 + timedelta(minutes=90),
        ]  # the first was forgotten when the third came
        assert s.link_codes.failures(since=T0 + timedelta(minutes=30))[0].person_id == 7
        assert s.link_codes.paused_until() == T0 + timedelta(hours=2)
        s.link_codes.pause(None)
        assert harness.reopen().link_codes.paused_until() is None

    def test_one_prompt_per_chat_and_user(self, harness: Harness) -> None:
        """A new prompt replaces the old one of the same chat and user, not others."""
        s = harness.store
        s.prompts.set(Prompt("g1", "u1", "pick", {"options": [1, 2]}, expires_at=T0))
        s.prompts.set(Prompt("g1", "u1", "confirm", {"reg": 4}))
        s.prompts.set(Prompt("g1", "u2", "pick", {}))
        s = harness.reopen()
        assert s.prompts.get("g1", "u1") == Prompt("g1", "u1", "confirm", {"reg": 4})
        assert s.prompts.get("g2", "u1") is None
        s.prompts.clear("g1", "u1")
        s.prompts.clear("g1", "u9")
        s = harness.reopen()
        assert s.prompts.get("g1", "u1") is None
        assert s.prompts.get("g1", "u2") is not None

    def test_expired_prompts_are_taken_once(self, harness: Harness) -> None:
        """take_expired removes and returns only prompts past their time, and only once."""
        s = harness.store
        s.prompts.set(Prompt("g1", "u1", "pick", {}, expires_at=T0, chat_kind="group"))
        s.prompts.set(Prompt("g1", "u2", "pick", {}, expires_at=T0 + timedelta(hours=1)))
        s.prompts.set(Prompt("g2", "u1", "pick", {}))
        taken = s.prompts.take_expired(now=T0 + timedelta(minutes=1))
        assert [(p.chat_key, p.user_key, p.chat_kind) for p in taken] == [("g1", "u1", "group")]
        s = harness.reopen()
        assert s.prompts.get("g1", "u1") is None
        assert s.prompts.take_expired(now=T0 + timedelta(minutes=1)) == []
        assert s.prompts.get("g1", "u2") is not None and s.prompts.get("g2", "u1") is not None

    def test_inbound_mark_seen_purge(self, harness: Harness) -> None:
        """Marked update keys are seen until purged by age."""
        s = harness.store
        s.inbound.mark("telegram:1", at=T0)
        s.inbound.mark("telegram:2", at=T0 + timedelta(days=2))
        s = harness.reopen()
        assert s.inbound.seen("telegram:1")
        assert not s.inbound.seen("telegram:3")
        assert s.inbound.purge(before=T0 + timedelta(days=1)) == 1
        s = harness.reopen()
        assert not s.inbound.seen("telegram:1")
        assert s.inbound.seen("telegram:2")

    def test_meta_and_schema_version(self, harness: Harness) -> None:
        """Meta stores JSON values (copies), refuses others, and records the schema version."""
        s = harness.store
        assert s.schema_version == SCHEMA_VERSION == 3
        assert s.meta.get("schema_version") == 3
        assert s.meta.get("missing", "dflt") == "dflt"
        s.meta.set("last_digest", {"at": "2026-11-24", "areas": ["a", "b"]})
        s.meta.get("last_digest")["areas"].append("mutated")
        with pytest.raises(TypeError):
            s.meta.set("bad", T0)
        s = harness.reopen()
        assert s.meta.get("last_digest") == {"at": "2026-11-24", "areas": ["a", "b"]}
        assert s.meta.get("bad") is None

    def test_records_must_be_storable(self, harness: Harness) -> None:
        """Naive datetimes and non-JSON report values are refused before anything is written."""
        s = harness.store
        with pytest.raises(ValueError, match="naive"):
            s.people.add(name="X", created_at=datetime(2026, 1, 1))
        with pytest.raises(TypeError):
            s.reports.add(report(values={"sinh": {1, 2}}))
        s = harness.reopen()
        assert s.people.all() == []
        assert s.reports.count() == 0
        assert s.people.add(name="Y", created_at=T0).id == 1

    def test_report_versions(self, harness: Harness) -> None:
        """get gives the latest version, versions gives all in order, a version is stored once."""
        s = harness.store
        s.reports.add(report("r1", version=2, values={"sinh": 3}))
        s.reports.add(report("r1", version=1))
        s.reports.add(report("r2"))
        with pytest.raises(DuplicateKeyError):
            s.reports.add(report("r1", version=2))
        s = harness.reopen()
        latest = s.reports.get("r1")
        assert latest is not None
        assert (latest.version, latest.values) == (2, {"sinh": 3})
        assert [r.version for r in s.reports.versions("r1")] == [1, 2]
        assert s.reports.get("nope") is None
        assert s.reports.versions("nope") == []
        assert s.reports.count() == 2

    def test_fields_keep_the_order_they_were_given_in(self, harness: Harness) -> None:
        """A report's values and a form's answers come back in the order they were written:
        echoes, /cuatoi and the form's summary list fields as the person gave them (a
        PostgreSQL jsonb column would sort them by length)."""
        s = harness.store
        values = {"sinh": 2, "chet": 1, "nam": 1, "ghi_chu": "x", "a": 0}
        s.reports.add(report("order", values=values))
        answers = {"tre_em": 3, "sinh": 1, "b": 2}
        s.prompts.set(Prompt("g9", "u9", "form", {"answers": answers}))
        s = harness.reopen()
        stored = s.reports.get("order")
        assert stored is not None and list(stored.values) == list(values)
        prompt = s.prompts.get("g9", "u9")
        assert prompt is not None and list(prompt.data["answers"]) == list(answers)

    def test_reports_in_period(self, harness: Harness) -> None:
        """in_period returns latest versions of one type and period, optionally for some areas."""
        s = harness.store
        s.reports.add(report("a", area="thon-2"))
        s.reports.add(report("b", area="thon-1"))
        s.reports.add(report("c", area="thon-3", type="tu"))
        s.reports.add(report("d", area="thon-1", period="2026-10"))
        s.reports.add(report("e", area="thon-4", period="2026-10"))
        # a correction moves e into November
        s.reports.add(report("e", version=2, area="thon-4", retracted=True))
        s = harness.reopen()
        got = s.reports.in_period("sinh", "2026-11")
        assert [(r.id, r.version) for r in got] == [("b", 1), ("a", 1), ("e", 2)]
        assert got[-1].retracted is True
        assert [r.id for r in s.reports.in_period("sinh", "2026-10")] == ["d"]
        assert [r.id for r in s.reports.in_period("sinh", "2026-11", areas={"thon-2"})] == ["a"]
        assert s.reports.in_period("sinh", "2026-11", areas=()) == []
        assert [r.id for r in s.reports.in_period("tu", "2026-11")] == ["c"]
        assert s.reports.in_period("sinh", "2025-01") == []

    def test_odd_period_and_type_names(self, harness: Harness) -> None:
        """Periods and types that are not plain file names (slashes, spaces, accents) work too."""
        s = harness.store
        s.reports.add(report("x", type="sinh con/thứ 3", period="2026 Q4/..", values={"a": 1}))
        s.reports.add(report("y", type="sinh.con", period="2026-11"))
        s = harness.reopen()
        assert [r.id for r in s.reports.in_period("sinh con/thứ 3", "2026 Q4/..")] == ["x"]
        assert [r.id for r in s.reports.in_period("sinh.con", "2026-11")] == ["y"]
        assert s.reports.in_period("sinh", "2026-11") == []

    def test_latest_by_reporter(self, harness: Harness) -> None:
        """latest_by_reporter lists one reporter's reports, most recently received first."""
        s = harness.store
        for n in range(4):
            s.reports.add(report(f"r{n}", received_at=T0 + timedelta(hours=n), reporter=5))
        s.reports.add(report("other", received_at=T0 + timedelta(days=1), reporter=6))
        s.reports.add(report("r0", version=2, received_at=T0 + timedelta(hours=9), reporter=5))
        s = harness.reopen()
        assert [r.id for r in s.reports.latest_by_reporter(5)] == ["r0"]
        top = s.reports.latest_by_reporter(5, limit=3)
        assert [(r.id, r.version) for r in top] == [("r0", 2), ("r3", 1), ("r2", 1)]
        assert s.reports.latest_by_reporter(42, limit=5) == []

    def test_reports_get_short_numbers(self, harness: Harness) -> None:
        """A new report gets the next store-wide number, its later versions keep it, and
        by_number finds the latest version, after a reopen too; a number is never reused."""
        s = harness.store
        assert s.reports.add(report("a")).number == 1
        assert s.reports.add(report("b", type="tu", period="2026-10")).number == 2
        assert s.reports.add(report("a", version=2, values={"sinh": 5})).number == 1
        with pytest.raises(RuntimeError), s.atomic():
            assert s.reports.add(report("lost")).number == 3
            raise RuntimeError
        s = harness.reopen()
        assert s.reports.by_number(1) == report("a", version=2, values={"sinh": 5}, number=1)
        assert s.reports.by_number(2).id == "b"  # type: ignore[union-attr]
        assert s.reports.by_number(3) is None and s.reports.by_number(0) is None
        assert s.reports.add(report("c")).number in (3, 4)  # a rolled-back number may be skipped
        assert s.reports.add(report("d", number=77)).number == 77  # given numbers are kept
        assert s.reports.add(report("e")).number == 78

    def test_atomic_rolls_back_everything_on_error(self, harness: Harness) -> None:
        """A block that raises leaves no trace, not even a used id, also after reopening."""
        s = harness.store
        s.people.add(name="kept", created_at=T0)
        with pytest.raises(RuntimeError), s.atomic():
            p = s.people.add(name="lost", accounts=(Account("telegram:5"),), created_at=T0)
            s.reports.add(report("lost"))
            s.groups.save(GroupBinding("g", "xa"))
            s.meta.set("k", 1)
            assert s.people.by_account("telegram:5") == p  # the block reads its own writes
            raise RuntimeError
        s = harness.reopen()
        assert [p.name for p in s.people.all()] == ["kept"]
        assert s.people.by_account("telegram:5") is None
        assert (s.reports.get("lost"), s.groups.get("g"), s.meta.get("k")) == (None, None, None)
        assert s.reports.in_period("sinh", "2026-11") == []
        assert s.people.add(name="next", created_at=T0).id == 2

    def test_nested_atomic_undoes_only_the_inner_block(self, harness: Harness) -> None:
        """An inner block that raises is undone; the outer block still commits its own writes."""
        s = harness.store
        with s.atomic():
            s.groups.save(GroupBinding("outer", "xa"))
            try:
                with s.atomic():
                    s.groups.save(GroupBinding("inner", "xa"))
                    raise KeyError
            except KeyError:
                pass
            s.groups.save(GroupBinding("after", "xa"))
        s = harness.reopen()
        assert [g.chat_key for g in s.groups.all()] == ["after", "outer"]

    def test_lock_keeps_a_second_opener_out(self, harness: Harness) -> None:
        """While a store is open, opening its directory again fails with StoreLockedError."""
        if not harness.on_disk:
            pytest.skip(
                "only the embedded backend locks: memory has no directory, and "
                "several instances share one PostgreSQL database by design"
            )
        with pytest.raises(StoreLockedError):
            open_store(harness.path)
        harness.store.close()
        again = open_store(harness.path)
        again.close()

    def test_newer_schema_refuses_to_open(self, harness: Harness) -> None:
        """A store written by a newer schema raises StoreVersionError and stays unlocked."""
        if not harness.persistent:
            pytest.skip("the memory backend keeps nothing to reopen")
        harness.store.meta.set("schema_version", SCHEMA_VERSION + 1)
        harness.store.close()
        with pytest.raises(StoreVersionError, match=f"schema version {SCHEMA_VERSION + 1}"):
            harness.open_again()
        with pytest.raises(StoreVersionError):  # the failed open released the lock
            harness.open_again()

    def test_files_are_tinydb_readable(self, harness: Harness) -> None:
        """After close, tinydb.TinyDB reads the people table and the report shard."""
        if not harness.on_disk:
            pytest.skip("no files of the embedded backend")
        s = harness.store
        s.people.add(name="Trần Thị B", created_at=T0)
        s.reports.add(report("r1"))
        s.close()
        with TinyDB(harness.path / "people.json", access_mode="r") as db:
            assert db.table("people").get(doc_id=1)["name"] == "Trần Thị B"  # type: ignore[index]
        with TinyDB(harness.path / "reports" / "2026-11.sinh.json", access_mode="r") as db:
            (doc,) = db.table("reports").all()
            assert (doc["id"], doc["received_at"]) == ("r1", "2026-11-24T08:30:00+07:00")
        assert (harness.path / "journal.jsonl").read_bytes() == b""  # all checkpointed
        harness.store = open_store(harness.path)
        assert harness.store.reports.get("r1") == report("r1", number=1)


def test_unknown_backend_is_refused(tmp_path: Path) -> None:
    """open_store names the backends it knows when given another."""
    with pytest.raises(ValueError, match="tinydb"):
        open_store(tmp_path, backend="oracle")
    with pytest.raises(ValueError, match="DATABASE_URL"):
        open_store(backend="postgres")
