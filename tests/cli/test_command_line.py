"""`python -m bot` as a deployer meets it, called in-process (no new subprocess): help written
for them, --version, --config on every command, and a busy web port refused before anything is
announced or started."""

from __future__ import annotations

import gc
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.cli.parser import COMMANDS, PEOPLE, build_parser
from bot.store import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "config.yaml")

# Every command a deployer can run, with the arguments it needs (not --config).
COMMAND_LINES = [
    ["run"],
    ["check-config"],
    ["export", "--period", "2026-11", "-o", "t11.xlsx"],
    ["digest", "--area", "42"],
    ["areas", "migrate", "map.csv"],
    ["webhook", "info"],
    ["audit"],
    ["people", "import", "people.csv"],
    ["people", "export", "12", "-o", "p12.json"],
    ["people", "erase", "12"],
    ["backup", "-o", "b.tar.gz"],
    ["restore", "b.tar.gz"],
]


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_help_speaks_to_the_people_who_run_the_bot(capsys: pytest.CaptureFixture[str]) -> None:
    """Each command with a line in Vietnamese and one in English, examples, exit codes; none of
    the module docstring a developer reads."""
    text = _help(capsys)
    assert "bot.cli.parser" not in text and "parse the arguments" not in text
    assert "Trợ lý dân số" in text and "Telegram và Zalo" in text
    for name, line in COMMANDS.items():
        vi, en = line.split("\n")
        assert f"    {name}" in text and vi in text and en in text, name
    assert "ví dụ / examples:" in text and "python -m bot people import" in text
    assert "BOT_WEB_PORT" in text and "4 the web port is in use" in text
    assert "docs/commands.md" in text


def test_people_help_lists_all_its_commands(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(capsys, "people")
    for name, line in PEOPLE.items():
        assert f"    {name}" in text and line.split("\n")[0] in text, name
    assert "people erase telegram:42 --yes" in text


@pytest.mark.parametrize("argv", COMMAND_LINES, ids=lambda a: " ".join(a[:2]))
def test_every_command_takes_config_after_it_or_before_it(argv: list[str]) -> None:
    parser = build_parser()
    assert parser.parse_args([*argv, "--config", "my.yaml"]).config == "my.yaml"
    assert parser.parse_args(["--config", "my.yaml", *argv]).config == "my.yaml"
    assert parser.parse_args(argv).config is None  # then $BOT_CONFIG or config.yaml


def test_help_of_every_command_names_config(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in COMMAND_LINES:
        words = [w for w in argv if not w.startswith("-")][:2]
        command = words if words[0] in ("people", "areas") else words[:1]
        assert "--config FILE" in _help(capsys, *command), command


def test_check_config_reads_the_file_given_by_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("timezone: Asia/Hanoi_City\n", encoding="utf-8")
    assert main(["check-config", "--config", str(bad)]) != 0
    assert "timezone" in capsys.readouterr().out
    assert main(["--config", CONFIG, "check-config"]) == 0


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("Trợ lý dân số (danso-bot) ") and f"schema {SCHEMA_VERSION}" in out


@pytest.fixture
def root_logging() -> Iterator[None]:
    """`run` configures the root logger for a process: give the test process its own back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_a_busy_port_is_refused_before_anything_is_announced(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    root_logging: None,
) -> None:
    """Another program listens on the web port: no banner, no sandbox seeded, no traceback;
    the port, how to choose another, and exit 4."""
    for name in ("TELEGRAM_BOT_TOKEN", "BOT_CONFIG", "ZALO_BOT_TOKEN_ZALO1"):
        monkeypatch.delenv(name, raising=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("BOT_WEB_PORT", str(port))
        monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
        code = main(["run", "--config", CONFIG])
    out, err = capsys.readouterr()
    assert code == 4
    assert out == "", "nothing may be announced"
    assert f"Port {port} (127.0.0.1:{port}) is already in use" in err
    assert f"Cổng {port}" in err and f"BOT_WEB_PORT={port + 1}" in err
    assert "Traceback" not in err
    assert not (tmp_path / "data" / "sandbox").exists(), "the sandbox was seeded"
    assert gc.isenabled()
