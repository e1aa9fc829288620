"""`python -m bot [run | check-config | export | digest | audit | people | areas | webhook |
backup | restore]`: parse the arguments (bot.cli.parser), call the command."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app.web_port import PortBusyError

# Exit codes of `run` (README, docs/deploy.md; the systemd unit restarts on none of 2 and 3).
CONFIG_PROBLEM, DATA_IN_USE, PORT_BUSY = 2, 3, 4
STORE_UNREACHABLE = 5  # PostgreSQL cannot be reached now: a supervisor's restart may succeed


def _run(config_path: str | None, *, sandbox_flag: bool | None = None) -> int:
    # Start-up makes ~250k objects that live as long as the process (modules, config, the
    # report index): no collection passes over them while they are made, and once the bot is
    # up they are frozen (later collections skip them; the few kB of start-up garbage stay).
    gc.disable()
    # A stop asked for while the store opens (a migration, a long journal) is kept and honoured
    # once the event loop runs: a clean stop, exit 0, as at any other time.
    early: list[int] = []
    stops = (signal.SIGINT, signal.SIGTERM)
    before = {sig: signal.signal(sig, lambda signum, _: early.append(signum)) for sig in stops}
    try:
        return _start_and_serve(config_path, sandbox_flag, early)
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
        gc.enable()


def _start_and_serve(config_path: str | None, sandbox_flag: bool | None, early: list[int]) -> int:
    """Run the bot until SIGINT or SIGTERM. In this order, so that a process that cannot run
    says why and touches nothing: the config; the data directory's lock (a second process on
    the same directory stops here, before its sandbox is seeded or its store migrated); the web
    port; and only then the start, and the banner once it is up."""
    from bot.app.logs import setup_logging
    from bot.app.platform_wiring import build_platforms
    from bot.app.runtime import App
    from bot.app.web_port import PortBusyError, check_port
    from bot.config.loading import ConfigError, load_config
    from bot.sandbox.graph import Sandbox
    from bot.sandbox.web import sandbox_routes
    from bot.store import StoreError, StoreLockedError, StoreVersionError

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        print("Cấu hình có lỗi / the config has problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"- {problem.path}: {problem.message}", file=sys.stderr)
        return CONFIG_PROBLEM
    logs = config.logging
    setup_logging(
        level=logs.level, fmt=logs.format, secrets=config.secret_values(), file=logs.file,
        max_bytes=logs.max_bytes, backups=logs.backups,
    )  # fmt: skip
    platforms = build_platforms(config)
    # With no platform token the sandbox is what a newcomer can use at once; beside real
    # platforms only when asked (--sandbox). It never sends to a real chat either way.
    sandbox = (
        Sandbox(config) if (sandbox_flag if sandbox_flag is not None else not platforms) else None
    )
    routes, index = (
        sandbox_routes(sandbox, public_url=config.web.public_base_url)
        if sandbox is not None
        else ([], None)
    )
    app = App(config, platforms=platforms, web_routes=routes, index=index)
    try:
        app.open_store()
    except StoreLockedError as exc:
        if config.store.backend == "postgres":  # another instance long-polls already
            print(f"Bot không khởi động được / The bot cannot start: {exc}", file=sys.stderr)
            return DATA_IN_USE
        # Two processes on one data directory would corrupt the store and steal Zalo updates.
        print(
            f"Another bot process is already using {config.data_dir}; stop it first "
            "(only one process may run on a data directory).",
            file=sys.stderr,
        )
        return DATA_IN_USE
    except StoreVersionError as exc:
        print(f"The data in {config.data_dir} cannot be opened: {exc}", file=sys.stderr)
        return DATA_IN_USE
    except StoreError as exc:  # PostgreSQL: no DATABASE_URL, or the database is unreachable
        print(f"Không mở được dữ liệu / The store cannot be opened: {exc}", file=sys.stderr)
        return CONFIG_PROBLEM if config.store.database_url is None else STORE_UNREACHABLE
    try:
        check_port(config.web.host, config.web.port)
    except PortBusyError as exc:
        assert app.store is not None
        app.store.close()
        if app.cluster is not None:
            app.cluster.close()
        _port_refused(exc)
        return PORT_BUSY

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if early:
            stop.set()
        try:
            if sandbox is not None:
                await sandbox.start()
            await app.start()
            gc.freeze()
            gc.enable()
            _banner(config, app, sandbox=sandbox is not None)
            await stop.wait()
        finally:
            if sandbox is not None:
                await sandbox.stop()  # ends the pages' live streams before the server goes
            await app.stop()

    try:
        asyncio.run(main())
    except PortBusyError as exc:  # taken between the check and the start
        _port_refused(exc)
        return PORT_BUSY
    return 0


def _port_refused(exc: PortBusyError) -> None:
    """Say which port, why, and how to choose another; nothing else was started."""
    where, port = f"{exc.host}:{exc.port}", exc.port
    if exc.in_use:
        print(
            f"Cổng {port} ({where}) đang có chương trình khác dùng (có thể là một bot khác).\n"
            f"Port {port} ({where}) is already in use by another program (perhaps another bot).",
            file=sys.stderr,
        )
    else:
        print(
            f"Người dùng này không được mở cổng {port} ({where}); hãy chọn cổng trên 1024.\n"
            f"This user may not listen on port {port} ({where}); choose a port above 1024.",
            file=sys.stderr,
        )
    print(
        f"Chọn cổng khác / choose another port: BOT_WEB_PORT={port + 1} python -m bot run "
        "(or web.port in the config file).",
        file=sys.stderr,
    )


def _banner(config: object, app: object, *, sandbox: bool) -> None:
    """Say plainly, on the terminal, what is running and how to connect a platform (once the
    bot is up: a start that fails says why instead)."""
    from bot.app.runtime import App
    from bot.config.loading import Config

    assert isinstance(config, Config) and isinstance(app, App)
    url = f"http://{config.web.host}:{app.web_port or config.web.port}"
    names = [f"{n} {b}".strip() for n, b in app.platforms]
    print(f"Trợ lý dân số – area tree: {config.areas.name}; data: {config.data_dir}")
    if names:
        print(f"Connecting to: {', '.join(names)}. Web server (webhooks, /healthz): {url}")
    else:
        print(f"No platform token is set, so no chat platform is connected. Local server: {url}")
        print(
            "To connect Telegram: export TELEGRAM_BOT_TOKEN=<token from @BotFather> and run again."
        )
        print("To connect Zalo: name a bot under platforms.zalo.bots in config.yaml and export")
        print("  ZALO_BOT_TOKEN_<NAME>=<token from Zalo Bot Creator>. See README.md.")
    if sandbox:
        print(f"Sandbox (a web chat with the demo district, for trying and training): {url}/")
    print("Stop with Ctrl+C.", flush=True)


def _export(args: argparse.Namespace) -> int:
    from bot.cli.export import run_export

    return run_export(
        period=args.period, output=Path(args.output), fmt=args.format, area=args.area,
        type_code=args.type_code, config_path=args.config, environ=os.environ,
    )  # fmt: skip


def _digest(args: argparse.Namespace) -> int:
    from bot.cli.digest import run_digest

    return run_digest(
        area=args.area, day=args.date, lang=args.lang, config_path=args.config,
        environ=os.environ,
    )  # fmt: skip


def _check_config(args: argparse.Namespace) -> int:
    from bot.cli.check_config import check_config

    code, report = check_config(args.path or args.config, environ=os.environ)
    print(report)
    return code


def _areas_migrate(args: argparse.Namespace) -> int:
    from bot.cli.areas import run_migrate

    return run_migrate(
        mapping_files=[Path(m) for m in args.mapping],
        old_tree=Path(args.old_tree) if args.old_tree else None, choose=args.choose,
        dry_run=args.dry_run, config_path=args.config, environ=os.environ,
    )  # fmt: skip


def _webhook(args: argparse.Namespace) -> int:
    from bot.cli.webhook import run_webhook

    return run_webhook(
        action=args.action, platform=args.platform, bot=args.bot, config_path=args.config,
        environ=os.environ,
    )  # fmt: skip


def _audit(args: argparse.Namespace) -> int:
    from bot.cli.audit import run_audit

    return run_audit(
        start=args.start, end=args.end, fmt=args.format, config_path=args.config,
        environ=os.environ,
    )  # fmt: skip


def _people_import(args: argparse.Namespace) -> int:
    from bot.cli.people import run_import

    return run_import(
        path=Path(args.file), output=Path(args.output) if args.output else None,
        bot_username=args.bot_username, config_path=args.config, environ=os.environ,
    )  # fmt: skip


def _people_data(args: argparse.Namespace) -> int:
    from bot.cli.privacy import run_people

    return run_people(
        args.people_command, args.person, output=Path(getattr(args, "output", "") or "."),
        yes=getattr(args, "yes", False), config_path=args.config, environ=os.environ,
    )  # fmt: skip


def _dhis2_push(args: argparse.Namespace) -> int:
    from bot.cli.dhis2 import run_dhis2_push

    return run_dhis2_push(
        period=args.period, area=args.area, dry_run=args.dry_run, config_path=args.config,
        environ=os.environ,
    )  # fmt: skip


def _backup(args: argparse.Namespace) -> int:
    from bot.cli.backup import run_backup

    return run_backup(output=Path(args.output), config_path=args.config)


def _restore(args: argparse.Namespace) -> int:
    from bot.cli.backup import run_restore

    return run_restore(archive=Path(args.archive), config_path=args.config, replace=args.replace)


def _store_copy(args: argparse.Namespace) -> int:
    from bot.cli.store_copy import run_store_copy

    return run_store_copy(to=args.to, config_path=args.config, environ=os.environ)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "export": _export,
    "digest": _digest,
    "check-config": _check_config,
    "areas migrate": _areas_migrate,
    "webhook": _webhook,
    "audit": _audit,
    "people import": _people_import,
    "people export": _people_data,
    "people erase": _people_data,
    "dhis2 push": _dhis2_push,
    "backup": _backup,
    "restore": _restore,
    "store copy": _store_copy,
}


def main(argv: list[str] | None = None) -> int:
    from bot.cli.parser import build_parser

    args = build_parser().parse_args(argv)
    command = args.command or "run"
    sub = (
        getattr(args, "people_command", None)
        or getattr(args, "areas_command", None)
        or getattr(args, "dhis2_command", None)
        or getattr(args, "store_command", None)
    )
    if sub:
        command = f"{command} {sub}"
    if command == "run":
        return _run(getattr(args, "config", None), sandbox_flag=getattr(args, "sandbox", None))
    return COMMANDS[command](args)


if __name__ == "__main__":
    sys.exit(main())
