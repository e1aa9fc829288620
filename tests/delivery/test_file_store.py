"""Tests of the file store, the link signer, its persistent secret, and FileLinks."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from bot.core.clock import ManualClock
from bot.delivery.file_store import FileLinks, FileStore, clean_name
from bot.delivery.link_signing import (
    ENV_SECRET,
    SECRET_FILE,
    LinkExpired,
    LinkInvalid,
    LinkSigner,
    load_or_create_secret,
)

KEY = b"k" * 32
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def store(tmp_path: Path, clock: ManualClock) -> FileStore:
    return FileStore.in_data_dir(tmp_path, clock=clock)


@pytest.fixture
def signer(clock: ManualClock) -> LinkSigner:
    return LinkSigner(KEY, clock=clock)


def replace_part(token: str, index: int, value: str) -> str:
    parts = token.split(".")
    parts[index] = value
    return ".".join(parts)


# --- FileStore -----------------------------------------------------------------------------


def test_put_get_read_round_trip(store: FileStore, tmp_path: Path) -> None:
    """A stored file comes back with its bytes, metadata, owner and creation time."""
    stored = store.put(
        b"%PDF-1.4 data", name="Báo cáo tháng 7.pdf", mime="application/pdf", owner=12
    )
    got = store.get(stored.id)
    assert got == stored
    assert got.name == "Báo cáo tháng 7.pdf" and got.mime == "application/pdf"
    assert got.size == 13 and got.owner == 12 and got.created_at == T0
    assert store.read(stored.id) == b"%PDF-1.4 data"
    assert got.path.parent == tmp_path / "files"
    assert stat.S_IMODE(got.path.stat().st_mode) == 0o600


def test_ids_are_random_and_url_safe(store: FileStore) -> None:
    """Two puts of the same bytes get different ids made of URL-safe characters only."""
    a = store.put(b"x", name="a.txt", owner=None)
    b = store.put(b"x", name="a.txt", owner=None)
    assert a.id != b.id
    assert all(c.isalnum() or c in "-_" for c in a.id + b.id) and len(a.id) >= 16


def test_unknown_and_hostile_ids_are_none(store: FileStore) -> None:
    """Unknown ids and path tricks find nothing, and read() raises KeyError for them."""
    store.put(b"x", name="a.txt", owner=None)
    for bad in ("nope" * 5, "../../etc/passwd", "", "a/b" * 8):
        assert store.get(bad) is None
        with pytest.raises(KeyError):
            store.read(bad)


def test_name_and_mime_are_cleaned(store: FileStore) -> None:
    """Folders and control characters leave the name; a missing mime is guessed from it."""
    stored = store.put(b"\x89PNG", name="../x/\u0007ảnh.png", mime="", owner=None)
    assert stored.name == "ảnh.png" and stored.mime == "image/png"
    assert store.put(b"", name="", mime="bad mime", owner=None).mime == "application/octet-stream"
    assert clean_name("a" * 300 + ".xlsx").endswith(".xlsx") and len(clean_name("a" * 300)) <= 120


def test_unfinished_put_is_not_served(store: FileStore) -> None:
    """A data file whose sidecar is missing (a crash mid-put) is not a stored file."""
    stored = store.put(b"x", name="a.txt", owner=None)
    (store.root / f"{stored.id}.json").unlink()
    assert store.get(stored.id) is None


def test_purge_removes_only_old_files(store: FileStore, clock: ManualClock) -> None:
    """purge(before=…) deletes files created earlier, keeps later ones, and counts them."""
    old = store.put(b"old", name="old.txt", owner=1)
    clock.advance(days=2)
    new = store.put(b"new", name="new.txt", owner=1)
    assert store.purge(before=T0 + timedelta(days=1)) == 1
    assert store.get(old.id) is None and not old.path.exists()
    assert store.read(new.id) == b"new"
    assert store.purge(before=T0 + timedelta(days=1)) == 0


# --- LinkSigner ----------------------------------------------------------------------------


def test_sign_verify_round_trip(signer: LinkSigner) -> None:
    """A fresh token verifies to its file, person and expiry, and is URL-safe without padding."""
    token = signer.sign("AbCdEfGhIjKlMnOpQrStUv", person=12, ttl=timedelta(hours=1))
    link = signer.verify(token)
    assert (link.file_id, link.person) == ("AbCdEfGhIjKlMnOpQrStUv", 12)
    assert link.expires_at == T0 + timedelta(hours=1)
    assert "=" not in token and all(c.isalnum() or c in "-_." for c in token)


@pytest.mark.parametrize(
    ("index", "value"),
    [(2, "13"), (1, "AbCdEfGhIjKlMnOpQrStUw"), (3, "9999999999"), (0, "v2"), (2, "012")],
)
def test_tampered_fields_are_invalid(signer: LinkSigner, index: int, value: str) -> None:
    """Changing the person, file id, expiry or version of a token breaks its signature."""
    token = signer.sign("AbCdEfGhIjKlMnOpQrStUv", person=12, ttl=timedelta(hours=1))
    with pytest.raises(LinkInvalid):
        signer.verify(replace_part(token, index, value))


def test_tampered_signature_and_garbage_are_invalid(signer: LinkSigner) -> None:
    """A flipped signature character, another key, or junk all raise LinkInvalid."""
    token = signer.sign("AbCdEfGhIjKlMnOpQrStUv", person=12, ttl=timedelta(hours=1))
    sig = token.rsplit(".", 1)[1]
    flipped = token[: -len(sig)] + ("A" if sig[0] != "A" else "B") + sig[1:]
    other = LinkSigner(b"o" * 32, clock=ManualClock(T0))
    for bad in (flipped, other.sign("AbCdEfGhIjKlMnOpQrStUv", person=12, ttl=timedelta(hours=1)),
                "", "v1.a.b.c.d", token + ".x", token[:-1], "é" * 10):  # fmt: skip
        with pytest.raises(LinkInvalid):
            signer.verify(bad)


def test_expired_link(signer: LinkSigner, clock: ManualClock) -> None:
    """A token works until its expiry and raises LinkExpired (with its link) from then on."""
    token = signer.sign("AbCdEfGhIjKlMnOpQrStUv", person=12, ttl=timedelta(minutes=10))
    clock.advance(minutes=9, seconds=59)
    assert signer.verify(token).person == 12
    clock.advance(seconds=1)
    with pytest.raises(LinkExpired) as caught:
        signer.verify(token)
    assert caught.value.link.file_id == "AbCdEfGhIjKlMnOpQrStUv" and caught.value.link.person == 12


def test_sign_refuses_bad_input(signer: LinkSigner) -> None:
    """A file id with separators or a non-positive ttl cannot be signed; short keys are refused."""
    with pytest.raises(ValueError, match="file id"):
        signer.sign("a.b", person=1, ttl=timedelta(hours=1))
    with pytest.raises(ValueError, match="ttl"):
        signer.sign("abc", person=1, ttl=timedelta(0))
    with pytest.raises(ValueError, match="secret"):
        LinkSigner(b"short")


# --- the secret ----------------------------------------------------------------------------


def test_secret_is_created_once_private_and_reused(tmp_path: Path) -> None:
    """Without the env variable a secret file is made with mode 0600 and read back later."""
    first = load_or_create_secret(tmp_path, {})
    path = tmp_path / SECRET_FILE
    assert len(first) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(tmp_path, {}) == first
    assert not [p for p in tmp_path.iterdir() if p.name != SECRET_FILE]  # no temp files left


def test_links_survive_a_restart(tmp_path: Path, clock: ManualClock) -> None:
    """A token signed before a restart verifies after it, with the reloaded secret."""
    token = LinkSigner(load_or_create_secret(tmp_path, {}), clock=clock).sign(
        "AbCdEfGhIjKlMnOpQrStUv", person=3, ttl=timedelta(hours=1)
    )
    again = LinkSigner(load_or_create_secret(tmp_path, {}), clock=clock)
    assert again.verify(token).person == 3


def test_env_secret_wins(tmp_path: Path) -> None:
    """BOT_LINK_SECRET is used as is and no file is written; a short one is an error."""
    load_or_create_secret(tmp_path, {})
    secret = load_or_create_secret(tmp_path, {ENV_SECRET: "an env secret of enough length"})
    assert secret == b"an env secret of enough length"
    with pytest.raises(ValueError, match=ENV_SECRET):
        load_or_create_secret(tmp_path / "other", {ENV_SECRET: "short"})
    assert not (tmp_path / "other").exists()


def test_corrupt_secret_is_replaced_and_loose_mode_fixed(tmp_path: Path) -> None:
    """A corrupt secret file is replaced by a new secret; a world-readable one gets mode 0600."""
    path = tmp_path / SECRET_FILE
    path.write_text("not hex")
    fresh = load_or_create_secret(tmp_path, {})
    assert len(fresh) == 32 and bytes.fromhex(path.read_text().strip()) == fresh
    os.chmod(path, 0o644)
    assert load_or_create_secret(tmp_path, {}) == fresh
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- FileLinks -----------------------------------------------------------------------------


def test_url_for_builds_a_signed_named_link(store: FileStore, signer: LinkSigner) -> None:
    """The URL is base/f/<token>/<quoted name>, and its token verifies for that person."""
    stored = store.put(b"x", name="Danh sách xã.xlsx", owner=5)
    links = FileLinks(store, signer, public_base_url="https://bot.example.vn/")
    url = links.url_for(stored.id, person=5, ttl=timedelta(hours=2))
    assert url is not None and url.startswith("https://bot.example.vn/f/")
    _, _, token, name = urlsplit(url).path.split("/")
    assert unquote(name) == "Danh sách xã.xlsx"
    link = signer.verify(token)
    assert (link.file_id, link.person, link.expires_at) == (stored.id, 5, T0 + timedelta(hours=2))


def test_url_for_without_base_url_or_file(store: FileStore, signer: LinkSigner) -> None:
    """No public base URL gives None; an unknown file id raises KeyError."""
    stored = store.put(b"x", name="a.txt", owner=5)
    assert FileLinks(store, signer, public_base_url=None).url_for(stored.id, person=5) is None
    links = FileLinks(store, signer, public_base_url="https://bot.example.vn")
    with pytest.raises(KeyError):
        links.url_for("A" * 22, person=5)
