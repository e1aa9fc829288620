"""Tests for config loading: validation with key paths, secrets from the environment, checks."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from bot.cli.check_config import check_config
from bot.config.loading import Config, ConfigError, Problem, load_config

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "config.yaml"
TG_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # shape only, not a real token

AREAS = """\
areas:
  code: "42"
  name: Tỉnh Hà Tĩnh
  kind: province
  children:
    - code: "18115"
      name: Phường Bắc Hồng Lĩnh
      kind: commune
      children:
        - {code: 18115-01, name: Tổ dân phố 1, kind: village}
    - code: "18118"
      name: Phường Nam Hồng Lĩnh
      kind: commune
"""
ZALO1 = "platforms:\n  zalo:\n    bots: [{name: zalo1}]\n"


def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_demo_config", ROOT / "tools" / "make_demo_config.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> list[Problem]:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), environ=environ or {})
    return caught.value.problems


def test_shipped_config_loads_without_any_environment() -> None:
    """The shipped demo loads, with both platforms enabled but neither running without tokens."""
    config = load_config(SHIPPED, environ={})
    assert config.areas.code == "42" and config.areas.children[0].kind == "region"
    assert config.platforms.telegram.enabled and config.platforms.zalo.enabled
    assert not config.telegram_active() and config.zalo_active_bots() == []
    assert config.data_dir == ROOT / "var" / "data"
    assert config.timezone == "Asia/Ho_Chi_Minh" and config.language == "vi"


def test_shipped_config_is_what_the_tool_generates(tmp_path: Path) -> None:
    """config.yaml is exactly `make_demo_config.py --demo`, so the two cannot drift apart."""
    out = tmp_path / "demo.yaml"
    tool().main(["--demo", "-o", str(out)])
    assert out.read_text(encoding="utf-8") == SHIPPED.read_text(encoding="utf-8")


def test_demo_has_four_real_communes_with_8_to_15_villages() -> None:
    """The demo region holds four communes of the real data, each with 8–15 villages."""
    config = load_config(SHIPPED, environ={})
    communes = config.areas.children[0].children
    assert [c.code for c in communes] == ["18115", "18118", "18406", "18409"]
    assert communes[0].name == "Phường Bắc Hồng Lĩnh"
    assert all(8 <= len(c.children) <= 15 for c in communes)
    assert communes[0].children[0].code == "18115-01"


def after(tail: str) -> str:
    """AREAS followed by more sections (or more children of the root)."""
    return AREAS + tail + "\n"


WEB_HTTPS = 'web: {public_base_url: "https://bot.example.vn"}\n'
TG_WEBHOOK = 'platforms:\n  telegram: {mode: webhook, public_base_url: "https://bot.example.vn"}\n'
ZALO_WEBHOOK = "platforms:\n  zalo:\n    mode: webhook\n    bots: [{name: zalo1}]\n"
TG_ENV = {"TELEGRAM_BOT_TOKEN": "t"}

# (case id, config text, environment, expected key path, a word of the message)
# fmt: off
CASES = [
    ("dup-code", after('    - {code: "18115", name: Khác, kind: commune}'), {},
     "areas.children[2].code", "areas.children[0].code"),
    ("missing-code", after("    - {name: Xã Không Mã, kind: commune}"), {},
     "areas.children[2].code", "required"),
    ("missing-name", after('    - {code: "1", kind: commune}'), {},
     "areas.children[2].name", "required"),
    ("children-not-list", after('    - {code: "1", name: X, kind: commune, children: {a: 1}}'), {},
     "areas.children[2].children", "list"),
    ("unknown-kind", AREAS.replace("kind: province", "kind: tinh"), {}, "areas.kind", "village"),
    ("root-list", 'areas:\n  - {code: "42", name: T, kind: province}\n', {}, "areas", "ONE root"),
    ("village-children", AREAS.replace("kind: village}", "kind: village, children: [{code: x, "
     "name: y, kind: village}]}"), {}, "areas.children[0].children[0].children", "village cannot"),
    ("timezone", "timezone: Asia/Hanoi\n" + AREAS, {}, "timezone", "Asia/Ho_Chi_Minh"),
    ("language", "language: fr\n" + AREAS, {}, "language", "'vi'"),
    ("admin-malformed", "admins: [bob]\n" + AREAS, {}, "admins[0].account", "telegram:<user id>"),
    ("admin-mapping", "admins:\n  - telegram: 123\n" + AREAS, {}, "admins[0]", "telegram:123"),
    ("admin-area", 'admins: [{account: "telegram:1", area: "999"}]\n' + AREAS, {},
     "admins[0].area", "no area"),
    ("admin-zalo-bot", 'admins: ["zalo:zalo9:abc"]\n' + AREAS + ZALO1, {}, "admins[0]", "zalo9"),
    ("bot-area", after('platforms:\n  zalo:\n    bots: [{name: z, areas: ["18115", "777"]}]'), {},
     "platforms.zalo.bots[0].areas[1]", "777"),
    ("bot-dup", after("platforms:\n  zalo:\n    bots: [{name: z}, {name: z}]"), {},
     "platforms.zalo.bots[1].name", "duplicate"),
    ("bot-env-clash", after("platforms:\n  zalo:\n    bots: [{name: a-b}, {name: a_b}]"), {},
     "platforms.zalo.bots[1].name", "ZALO_BOT_TOKEN_A_B"),
    ("bot-name", after("platforms:\n  zalo:\n    bots: [{name: Zalo 1}]"), {},
     "platforms.zalo.bots[0].name", "a-z"),
    ("webhook-no-url", after("platforms:\n  telegram: {mode: webhook}"), {},
     "platforms.telegram.public_base_url", "https://"),
    ("webhook-http", 'web: {public_base_url: "http://bot.example.vn"}\n' + AREAS + ZALO_WEBHOOK,
     {}, "web.public_base_url", "https://"),
    ("webhook-no-secret", AREAS + TG_WEBHOOK, TG_ENV,
     "platforms.telegram.mode", "TELEGRAM_WEBHOOK_SECRET"),
    ("webhook-bad-tg-secret", AREAS + TG_WEBHOOK, {**TG_ENV, "TELEGRAM_WEBHOOK_SECRET": "a b"},
     "TELEGRAM_WEBHOOK_SECRET", "A-Z"),
    ("webhook-short-zalo-secret", WEB_HTTPS + AREAS + ZALO_WEBHOOK,
     {"ZALO_BOT_TOKEN_ZALO1": "t", "ZALO_WEBHOOK_SECRET_ZALO1": "short"},
     "ZALO_WEBHOOK_SECRET_ZALO1", "8–256"),
    ("webhook-no-zalo-secret", WEB_HTTPS + AREAS + ZALO_WEBHOOK, {"ZALO_BOT_TOKEN_ZALO1": "t"},
     "platforms.zalo.bots[0]", "ZALO_WEBHOOK_SECRET_ZALO1"),
    ("yaml-syntax", "language: vi\nweb:\n  port: 8080\n   host: x\n" + AREAS, {},
     "line 4, column 8", "syntax"),
    ("yaml-tab", "timezone: x\nweb:\n\tport: 1\n" + AREAS, {}, "line 3, column 1", "tabs"),
    ("empty", "# only a comment\n", {}, "(file)", "empty"),
    ("not-mapping", "- a\n- b\n", {}, "(file)", "mapping"),
    ("unknown-key", "timezon: Asia/Ho_Chi_Minh\n" + AREAS, {}, "timezon", "'timezone'"),
    ("unknown-nested-key", after("platforms:\n  telegram: {mod: webhook}"), {},
     "platforms.telegram.mod", "'mode'"),
    ("dup-yaml-key", "language: vi\nlanguage: en\n" + AREAS, {}, "language", "duplicate key"),
    ("port", "web: {port: 70000}\n" + AREAS, {}, "web.port", "65535"),
    ("token-key", after(f'platforms:\n  telegram: {{token: "{TG_TOKEN}"}}'), {},
     "platforms.telegram.token", "TELEGRAM_BOT_TOKEN"),
    ("token-value", after(f"platforms:\n  telegram:\n    api_base_url: https://x/bot{TG_TOKEN}"),
     {}, "platforms.telegram.api_base_url", "TELEGRAM_BOT_TOKEN"),
    ("zalo-secret-key", after("platforms:\n  zalo:\n    bots: [{name: ha-tinh, secret: abc}]"), {},
     "platforms.zalo.bots[0].secret", "ZALO_WEBHOOK_SECRET_HA_TINH"),
    ("password-anywhere", "web: {password: x}\n" + AREAS, {}, "web.password", "environment"),
    ("env-port", AREAS, {"BOT_WEB_PORT": "eighty"}, "BOT_WEB_PORT", "port"),
    ("env-url", AREAS, {"ZALO_API_BASE_URL": "localhost:9"}, "ZALO_API_BASE_URL", "http"),
    ("reminder-no-day", after("reminders: [{name: r, kind: monthly, text: x}]"), {},
     "reminders[0]", "day_of_month"),
    ("reminder-no-text", after("reminders: [{name: r, kind: daily}]"), {}, "reminders[0]",
     "text"),
    ("reminder-area", after('reminders: [{name: r, kind: daily, text: x, areas: ["777"]}]'), {},
     "reminders[0].areas", "777"),
    ("reminder-dup", after("reminders: [{name: r, kind: daily, text: x}, {name: r, kind: daily,"
     " text: y}]"), {}, "reminders[1].name", "twice"),
    ("reminder-weekday", after("reminders: [{name: r, kind: weekly, weekday: thu2, text: x}]"),
     {}, "reminders[0].weekday", "mon"),
    ("quiet-time", after('scheduler: {quiet_start: "25:00"}'), {}, "scheduler.quiet_start",
     "time"),
]
# fmt: on


@pytest.mark.parametrize(
    ("text", "environ", "path", "word"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_problem_names_its_key_path(
    tmp_path: Path, text: str, environ: dict[str, str], path: str, word: str
) -> None:
    """Each kind of mistake is reported at its key path with a hint of what would be valid."""
    problems = problems_of(tmp_path, text, environ)
    matching = [p for p in problems if p.path == path]
    assert matching, f"no problem at {path}: {problems}"
    assert any(word in p.message for p in matching), matching


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """Problems in different sections all appear in one ConfigError, not only the first."""
    text = (
        "timezone: Mars/Base\nlanguage: fr\nadmins: [bob]\n"
        + AREAS.replace("kind: commune", "kind: xa", 1)
        + '    - {code: "18118", name: Trùng, kind: commune}\n'
    )
    paths = {p.path for p in problems_of(tmp_path, text)}
    assert {
        "timezone",
        "language",
        "admins[0].account",
        "areas.children[0].kind",
        "areas.children[2].code",
    } <= paths


def test_problems_carry_the_line_of_their_key(tmp_path: Path) -> None:
    """A problem inside the file says on which line its key is."""
    problems = problems_of(tmp_path, "language: fr\n" + AREAS)
    assert problems == [Problem("language", problems[0].message)]
    assert problems[0].message.endswith("(line 1)")


def test_a_token_in_the_file_is_refused_without_echoing_it(tmp_path: Path) -> None:
    """A bot token written in the file stops loading, and the message does not repeat it."""
    problems = problems_of(
        tmp_path, AREAS + ZALO1.replace("{name: zalo1}", f'{{name: zalo1, note: "{TG_TOKEN}"}}')
    )
    (problem,) = [p for p in problems if p.path == "platforms.zalo.bots[0].note"]
    assert "ZALO_BOT_TOKEN_ZALO1" in problem.message
    assert TG_TOKEN not in str(problems)


def test_secrets_come_from_the_environment_and_never_show(tmp_path: Path) -> None:
    """Tokens and webhook secrets come from the environment and hide from repr, str or dumps."""
    environ = {
        "TELEGRAM_BOT_TOKEN": TG_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": "tg-secret-1",
        "ZALO_BOT_TOKEN_ZALO1": "9876543:zalo-token-value",
        "ZALO_WEBHOOK_SECRET_ZALO1": "zalo-secret",
    }
    config = load_config(write(tmp_path, AREAS + ZALO1), environ=environ)
    assert config.telegram_active()
    assert [b.name for b in config.zalo_active_bots()] == ["zalo1"]
    tg = config.platforms.telegram
    assert tg.token is not None and tg.token.get_secret_value() == TG_TOKEN
    assert sorted(config.secret_values()) == sorted(environ.values())
    shown = repr(config) + str(config) + config.model_dump_json() + str(config.model_dump())
    for value in environ.values():
        assert value not in shown


def test_enabled_without_token_loads_but_does_not_run(tmp_path: Path) -> None:
    """A platform without its token (or with an empty one) is no error; it just does not run."""
    config = load_config(write(tmp_path, AREAS + ZALO1), environ={"TELEGRAM_BOT_TOKEN": " "})
    assert not config.telegram_active() and config.zalo_active_bots() == []
    assert config.secret_values() == []


def test_a_disabled_platform_does_not_run_even_with_a_token(tmp_path: Path) -> None:
    """`enabled: false` wins over a token in the environment."""
    text = (
        AREAS
        + "platforms:\n  telegram: {enabled: false}\n"
        + "  zalo: {enabled: false, bots: [{name: zalo1}]}\n"
    )
    environ = {"TELEGRAM_BOT_TOKEN": TG_TOKEN, "ZALO_BOT_TOKEN_ZALO1": "x"}
    config = load_config(write(tmp_path, text), environ=environ)
    assert not config.telegram_active() and config.zalo_active_bots() == []


def test_environment_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """BOT_CONFIG, BOT_DATA_DIR, BOT_WEB_PORT and both API base URLs override the file."""
    path = write(tmp_path, "data_dir: here\n" + AREAS)
    monkeypatch.chdir(tmp_path)
    environ = {
        "BOT_CONFIG": str(path),
        "BOT_DATA_DIR": "elsewhere",
        "BOT_WEB_PORT": "9090",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/",
        "ZALO_API_BASE_URL": "http://127.0.0.1:8082",
    }
    config = load_config(None, environ=environ)
    assert config.data_dir == tmp_path / "elsewhere"
    assert config.web.port == 9090
    assert config.platforms.telegram.api_base_url == "http://127.0.0.1:8081"
    assert config.platforms.zalo.api_base_url == "http://127.0.0.1:8082"


def test_relative_data_dir_is_relative_to_the_config_file(tmp_path: Path) -> None:
    """data_dir: ./data means next to the config file, whatever the current folder."""
    config = load_config(write(tmp_path, "data_dir: ./data\n" + AREAS), environ={})
    assert config.data_dir == tmp_path / "data"


def test_numeric_codes_stay_text_as_written(tmp_path: Path) -> None:
    """Unquoted codes keep their digits (YAML would read 0042 as octal 34)."""
    text = AREAS.replace('code: "42"', "code: 0042").replace('code: "18118"', "code: 18118")
    text += 'admins: [{account: "telegram:5", area: 18118}]\n'
    text += "platforms:\n  zalo:\n    bots: [{name: z, areas: [18118]}]\n"
    config = load_config(write(tmp_path, text), environ={})
    assert config.areas.code == "0042" and config.areas.children[1].code == "18118"
    assert config.admins[0].area == "18118"
    assert config.platforms.zalo.bots[0].areas == ("18118",)


def test_admin_forms(tmp_path: Path) -> None:
    """Admins may be plain account strings or objects with a name and an area."""
    text = (
        "admins:\n  - telegram:123456789\n"
        '  - {account: "zalo:zalo1:abc123", name: An, area: "18115"}\n' + AREAS + ZALO1
    )
    admins = load_config(write(tmp_path, text), environ={}).admin_entries()
    assert [(a.account, a.platform, a.bot, a.area) for a in admins] == [
        ("telegram:123456789", "telegram", "", None),
        ("zalo:zalo1:abc123", "zalo", "zalo1", "18115"),
    ]


def test_webhook_url_prefers_the_platform_base(tmp_path: Path) -> None:
    """A platform's public_base_url wins over web.public_base_url; neither gives None."""
    text = 'web: {public_base_url: "https://a.example.vn/"}\n' + AREAS
    config = load_config(write(tmp_path, text), environ={})
    assert config.webhook_url(None, "/webhook/zalo/z1") == "https://a.example.vn/webhook/zalo/z1"
    assert config.webhook_url("https://b.example.vn", "/w") == "https://b.example.vn/w"
    bare = load_config(write(tmp_path, AREAS), environ={})
    assert bare.webhook_url(None, "/w") is None


def test_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    """A path that does not exist gives one problem naming the file."""
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.yaml", environ={})
    assert caught.value.problems[0].path.endswith("nope.yaml")


@pytest.mark.parametrize(
    ("shape", "kinds"),
    [
        ("2025-07", {"province": 1, "commune": 69}),
        ("2025-03", {"province": 1, "district": 12, "commune": 210}),
    ],
)
def test_generated_province_shapes_load(tmp_path: Path, shape: str, kinds: dict[str, int]) -> None:
    """Both 2025 shapes of the whole province, as the tool writes them, load cleanly."""
    out = tmp_path / f"{shape}.yaml"
    tool().main(["--shape", shape, "-o", str(out)])
    config = load_config(out, environ={})
    counts: dict[str, int] = {}
    stack = [config.areas]
    while stack:
        node = stack.pop()
        counts[node.kind] = counts.get(node.kind, 0) + 1
        stack.extend(node.children)
    assert {k: counts[k] for k in kinds} == kinds
    assert 8 * counts["commune"] <= counts["village"] <= 15 * counts["commune"]


def test_check_config_ok_summarises_what_will_run() -> None:
    """check-config on the demo exits 0 and says what runs and what is missing."""
    code, report = check_config(str(SHIPPED), environ={"TELEGRAM_BOT_TOKEN": TG_TOKEN})
    assert code == 0
    first = report.splitlines()[0]
    assert first.startswith("config OK:") and "telegram will run" in first
    assert "ZALO_BOT_TOKEN_ZALO1 is not set" in report
    assert TG_TOKEN not in report


def test_check_config_lists_every_problem(tmp_path: Path) -> None:
    """check-config exits 1 and prints each problem as `- <path>: <message>`."""
    path = write(tmp_path, "language: fr\ntimezon: x\n" + AREAS)
    code, report = check_config(str(path), environ={})
    assert code == 1
    lines = report.splitlines()
    assert any(line.startswith("- language: ") for line in lines)
    assert any(line.startswith("- timezon: ") for line in lines)


def test_config_is_frozen() -> None:
    """The loaded config cannot be changed by accident at run time."""
    config: Config = load_config(SHIPPED, environ={})
    with pytest.raises(ValueError, match="frozen"):
        config.language = "en"  # type: ignore[misc]


def test_the_store_section_and_what_check_config_says_of_it(tmp_path: Path) -> None:
    """`store:` chooses PostgreSQL; its address comes only from DATABASE_URL (a value in the
    file is no setting), files_dir is relative to the file, and check-config says what a
    PostgreSQL setup still lacks without ever printing the address."""
    url = "postgresql://bot:pa55word@db.example.org/danso"
    path = write(
        tmp_path,
        "store: {backend: postgres, files_dir: shared/files, heartbeat_seconds: 1,"
        " dead_after_seconds: 5}\n" + AREAS,
    )
    config = load_config(path, environ={"DATABASE_URL": url})
    assert config.store.backend == "postgres"
    assert config.store.files_dir == tmp_path / "shared" / "files"
    assert config.store.database_url is not None
    assert config.store.database_url.get_secret_value() == url
    assert load_config(path, environ={}).store.database_url is None
    code, report = check_config(str(path), environ={})
    assert code == 0  # notes, not problems
    assert "store: PostgreSQL from DATABASE_URL" in report
    assert "DATABASE_URL is not set" in report
    assert "several instances need webhooks" in report  # the platforms poll here
    _, report = check_config(str(path), environ={"DATABASE_URL": url})  # unreachable here
    assert "pa55word" not in report and "DATABASE_URL is not set" not in report
    bad = write(tmp_path, "store: {heartbeat_seconds: 5, dead_after_seconds: 10}\n" + AREAS)
    with pytest.raises(ConfigError, match="dead_after_seconds must be at least 3 heartbeats"):
        load_config(bad, environ={})
    in_file = write(tmp_path, f"store: {{backend: postgres, database_url: '{url}'}}\n" + AREAS)
    with pytest.raises(ConfigError, match="goes in DATABASE_URL, not the file") as caught:
        load_config(in_file, environ={})
    assert "pa55word" not in str(caught.value)
