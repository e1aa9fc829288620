"""The sandbox's Host, Origin and token rules for the addresses a deployment is reached by."""

from __future__ import annotations

from bot.sandbox.guard import SandboxGuard


def _ok(guard: SandboxGuard, host: str, *, origin: str | None = None, token: str = "") -> bool:
    headers = {"Host": host, "X-Sandbox-Token": token}
    if origin is not None:
        headers["Origin"] = origin
    return guard.refusal(headers, changes=bool(token)) is None


def test_local_names_the_bound_address_and_the_public_host_only() -> None:
    lan = SandboxGuard(bound_host="192.168.1.5")
    assert _ok(lan, "192.168.1.5:8080") and _ok(lan, "localhost:8080") and _ok(lan, "[::1]:8080")
    assert not _ok(lan, "192.168.1.6:8080") and not _ok(lan, "evil.example:8080")
    assert not _ok(lan, "") and not _ok(lan, "localhost.evil.example")
    everywhere = SandboxGuard(bound_host="0.0.0.0", public_url="https://thu.example.vn/")
    assert _ok(everywhere, "thu.example.vn") and _ok(everywhere, "THU.example.vn:443")
    assert not _ok(everywhere, "0.0.0.0:8080") and not _ok(everywhere, "10.0.0.2:8080")
    # Behind a proxy that passes on its own Host, the page's Origin is the public URL.
    assert _ok(everywhere, "127.0.0.1:8080", origin="https://thu.example.vn")
    assert not _ok(everywhere, "127.0.0.1:8080", origin="https://evil.example")
    assert not _ok(everywhere, "127.0.0.1:8080", origin="null")
    # The sandbox's own config has a relative public URL: no host comes from it.
    assert SandboxGuard(bound_host="127.0.0.1", public_url="/sandbox").names == {
        "localhost", "127.0.0.1", "::1",
    }  # fmt: skip


def test_a_token_is_good_only_as_the_server_made_it() -> None:
    guard = SandboxGuard(bound_host="127.0.0.1")
    token = guard.token()
    assert token != guard.token(), "a fresh token for each page"
    assert _ok(guard, "127.0.0.1:8080", token=token)
    nonce, _, signature = token.partition(".")
    for bad in (nonce, f"{nonce}.{'0' * len(signature)}", f"x{nonce}.{signature}", ".", "x"):
        assert not _ok(guard, "127.0.0.1:8080", token=bad), bad
    assert not _ok(SandboxGuard(bound_host="127.0.0.1"), "127.0.0.1:8080", token=token)
