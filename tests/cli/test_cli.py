"""The command line: the README's run command with no token, and check-config's exit codes."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "BOT_"))}
    return {**env, **extra, "PYTHONUNBUFFERED": "1"}


async def test_run_without_a_token_serves_the_local_page_and_says_how_to_connect(
    tmp_path: Path,
) -> None:
    """`python -m bot run`, shipped config, no token: a page, /healthz and clear words."""
    port = _free_port()
    env = _clean_env(BOT_WEB_PORT=str(port), BOT_DATA_DIR=str(tmp_path / "data"))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        banner = ""
        while "Stop with Ctrl+C" not in banner:
            line = await asyncio.wait_for(proc.stdout.readline(), 20)
            assert line, f"the bot exited early: {banner}"
            banner += line.decode()
        assert "No platform token is set" in banner
        assert "TELEGRAM_BOT_TOKEN" in banner and "ZALO_BOT_TOKEN_" in banner
        async with aiohttp.ClientSession() as http:
            health = None
            for _ in range(200):  # bounded: the server is up right after the banner
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                        health = await resp.json()
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            assert health is not None and health["status"] == "ok" and health["platforms"] == {}
            async with http.get(f"http://127.0.0.1:{port}/status") as resp:
                page = await resp.text()
            assert resp.status == 200 and "TELEGRAM_BOT_TOKEN" in page
            # With no token the sandbox is what a newcomer gets at "/": the page and its people.
            async with http.get(f"http://127.0.0.1:{port}/") as resp:
                assert resp.status == 200 and "text/html" in resp.content_type
            async with http.get(f"http://127.0.0.1:{port}/sandbox/api/state") as resp:
                state = await resp.json()
            assert {"officer", "collaborator", "supervisor"} <= {
                p["role"] for p in state["personas"]
            }
        assert "Sandbox" in banner
        assert (tmp_path / "data").exists() and (tmp_path / "data" / "sandbox").exists()
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 15)
    assert proc.returncode == 0


def _check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "check-config", str(path)],
        cwd=ROOT, env=_clean_env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_check_config_accepts_the_shipped_demo() -> None:
    """The shipped config.yaml is valid: exit 0 and a summary."""
    result = _check(ROOT / "config.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout


def test_check_config_prints_every_problem_with_its_key_path(tmp_path: Path) -> None:
    """Two problems in one file: both are printed with key paths, and the exit code is non-zero."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "timezone: Asia/Hanoi_City\n"
        "areas:\n"
        "  code: '42'\n  name: Tỉnh\n  kind: province\n"
        "  children:\n"
        "    - {code: '1', name: Xã A, kind: commune}\n"
        "    - {code: '1', name: Xã B, kind: commune}\n",
        encoding="utf-8",
    )
    result = _check(bad)
    assert result.returncode != 0
    assert "timezone" in result.stdout and "Asia/Ho_Chi_Minh" in result.stdout
    assert "areas.children[1].code" in result.stdout


def _files(top: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file and folder under `top`: size, modification time and content."""
    return {
        str(p.relative_to(top)): (
            p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes() if p.is_file() else b""
        )
        for p in [top, *top.rglob("*")]
    }  # fmt: skip


async def test_a_second_process_on_the_same_data_directory_refuses_to_start(
    tmp_path: Path,
) -> None:
    """Two bots on one store would corrupt it and steal Zalo updates: the second one stops,
    before it touches anything of the first (its sandbox's store, the main store, the lock)."""
    data = str(tmp_path / "data")
    first = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT,
        env=_clean_env(BOT_WEB_PORT=str(_free_port()), BOT_DATA_DIR=data),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert first.stdout is not None
        banner = ""
        while "Stop with Ctrl+C" not in banner:
            line = await asyncio.wait_for(first.stdout.readline(), 20)
            assert line, banner
            banner += line.decode()
        assert (tmp_path / "data" / "store.lock").exists()  # the banner comes once it is up
        assert (tmp_path / "data" / "sandbox" / "store.lock").exists()
        before = _files(tmp_path / "data")
        second = subprocess.run(
            [sys.executable, "-m", "bot", "run"], cwd=ROOT, capture_output=True, text=True,
            env=_clean_env(BOT_WEB_PORT=str(_free_port()), BOT_DATA_DIR=data), timeout=60,
            check=False,
        )  # fmt: skip
        assert second.returncode == 3
        assert "Another bot process is already using" in second.stderr
        assert "Stop with Ctrl+C" not in second.stdout
        after = _files(tmp_path / "data")
        assert sorted(after) == sorted(before), "files came or went"
        changed = [name for name in before if after[name] != before[name]]
        assert changed == [], f"the second process touched {changed}"
    finally:
        first.terminate()
        await asyncio.wait_for(first.wait(), 15)
