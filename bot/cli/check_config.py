"""`check-config`: validate a config file and say plainly what is wrong or what will run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from bot.config.loading import Config, ConfigError, load_config, resolve_path
from bot.config.rules import env_value

_KIND_ORDER = ("province", "region", "district", "commune", "village")


def check_config(path: str | None, *, environ: Mapping[str, str]) -> tuple[int, str]:
    """Exit code (0 fine, 1 problems) and the report to print; never prints or exits itself."""
    file = resolve_path(path, environ)
    try:
        config = load_config(file, environ=environ)
    except ConfigError as exc:
        lines = [f"config has {len(exc.problems)} problem(s): {file}"]
        lines += [f"- {p.path}: {p.message}" for p in exc.problems]
        return 1, "\n".join(lines)
    report = summary(config, file=str(file), environ=environ)
    # The tree may have changed under stored data (communes merged): say what points at areas
    # that are gone. Imported here: the file check stays usable without touching the store.
    from bot.cli.check_config_data import check_stored
    from bot.core.areas import AreaTree

    clean, lines = check_stored(config, AreaTree.from_config(config.areas))
    return (0 if clean else 1), "\n".join([report, *lines])


def _areas(config: Config) -> tuple[int, str]:
    kinds: Counter[str] = Counter()
    stack = [config.areas]
    while stack:
        node = stack.pop()
        kinds[node.kind] += 1
        stack.extend(node.children)
    detail = ", ".join(f"{kinds[k]} {k}{'s' * (kinds[k] != 1)}" for k in _KIND_ORDER if kinds[k])
    return sum(kinds.values()), detail


def _report_types(config: Config) -> str:
    """One line naming the report types, the default first."""
    if not config.report_types:
        return "  report types: none (field reports are off)"
    default = config.default_report_type or config.report_types[0].code
    names = [
        f"{rt.code} ({len(rt.fields)} fields{', default' if rt.code == default else ''})"
        for rt in config.report_types
    ]
    return "  report types: " + ", ".join(names)


def _dhis2(config: Config) -> tuple[str, str | None]:
    """One line on DHIS2 (server, mapped types, units, when it pushes), and what it lacks."""
    d = config.dhis2
    assert d is not None
    mapped = [rt.code for rt in config.report_types if rt.dhis2 is not None]
    when = f"daily at {d.daily_at:%H:%M}" if d.daily_at else "on demand (dhis2 push)"
    line = (
        f"  DHIS2 {d.base_url}: types {', '.join(mapped) or 'none'}, "
        f"{len(d.org_units)} organisation unit(s), pushed {when}"
    )
    if not mapped:
        return line, "dhis2 is set but no report type has a `dhis2:` mapping: nothing is sent"
    missing = d.credentials_note()
    return line, f"DHIS2 pushes need a login: {missing}" if missing else None


def _store(config: Config) -> tuple[str, list[str]]:
    """One line on where the records live, and what a PostgreSQL setup lacks."""
    settings = config.store
    if settings.backend != "postgres":
        return f"  store: embedded (TinyDB) in {config.data_dir}", []
    notes = []
    files = settings.files_root(config.data_dir)
    line = f"  store: PostgreSQL from DATABASE_URL, files behind links in {files}"
    if settings.database_url is None:
        notes.append("store.backend is postgres but DATABASE_URL is not set: the bot won't start")
    tg, zalo = config.platforms.telegram, config.platforms.zalo
    if (tg.enabled and tg.mode == "polling") or (zalo.enabled and zalo.mode == "polling"):
        notes.append("long polling runs on one instance only: several instances need webhooks")
    if settings.files_dir is None:
        notes.append("several instances need store.files_dir on a folder they all share")
    return line, notes


def summary(config: Config, *, file: str, environ: Mapping[str, str]) -> str:
    """The "config OK" report: areas, admins, and whether each platform will run, plus notes."""
    total, detail = _areas(config)
    notes: list[str] = []
    tg, zalo = config.platforms.telegram, config.platforms.zalo
    if not tg.enabled:
        telegram = "disabled"
    elif config.telegram_active():
        telegram = f"will run ({tg.mode})"
    else:
        telegram = "will not run"
        notes.append(
            "Telegram is enabled but TELEGRAM_BOT_TOKEN is not set: it will not "
            "connect until you export it"
        )
    if tg.enabled and tg.mode == "webhook" and not env_value(environ, "TELEGRAM_WEBHOOK_SECRET"):
        notes.append("Telegram webhook mode also needs TELEGRAM_WEBHOOK_SECRET")
    active = {b.name for b in config.zalo_active_bots()}
    if not zalo.enabled:
        zalo_text = "disabled"
    elif not zalo.bots:
        zalo_text = "no bots"
        notes.append("Zalo is enabled but platforms.zalo.bots is empty: name a bot there")
    else:
        zalo_text = f"{len(active)} of {len(zalo.bots)} bot(s) will run ({zalo.mode})"
        for bot in zalo.bots:
            if bot.name not in active:
                notes.append(f"Zalo bot {bot.name!r} will not run: {bot.token_env} is not set")
            elif zalo.mode == "webhook" and bot.webhook_secret is None:
                notes.append(f"Zalo bot {bot.name!r} in webhook mode needs {bot.secret_env}")
    if not config.admins:
        notes.append(
            "no admins: add your account under `admins` so someone can set up groups and roles"
        )
    head = (
        f"config OK: {file}: {total} areas, {len(config.admins)} admin(s), "
        f"telegram {telegram}, zalo {zalo_text}"
    )
    lines = [
        head,
        f"  areas: {config.areas.name} ({detail})",
        f"  time zone {config.timezone}, language {config.language}, data in {config.data_dir}",
        f"  web server on {config.web.host}:{config.web.port}"
        + (f", public at {config.web.public_base_url}" if config.web.public_base_url else ""),
        _report_types(config),
    ]
    line, store_notes = _store(config)
    lines.append(line)
    notes += store_notes
    if config.dhis2 is not None:
        line, note = _dhis2(config)
        lines.append(line)
        notes += [note] if note else []
    lines += [f"note: {n}" for n in notes]
    return "\n".join(lines)
