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


def _run(config_path: str | None, *, sandbox_flag: bool | None = None) -> int:
    # Start-up makes ~250k objects that live as long as the process (modules, config, the
    # report index): no collection passes over them while they are made, and once the bot is
    # up they are frozen (later collections skip them; the few kB of start-up garbage stay).
    gc.disable()
    from bot.app.logs import setup_logging
    from bot.app.runtime import App
    from bot.app.wiring import build_platforms
    from bot.config.loading import ConfigError, load_config
    from bot.sandbox.graph import Sandbox
    from bot.sandbox.web import sandbox_routes
    from bot.store import StoreLockedError, StoreVersionError

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        print("Cấu hình có lỗi / the config has problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"- {problem.path}: {problem.message}", file=sys.stderr)
        return 2
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
    _banner(config, app, sandbox=sandbox is not None)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if sandbox is not None:
            await sandbox.start()
        try:
            await app.start()
            gc.freeze()
            gc.enable()
            try:
                await stop.wait()
            finally:
                if sandbox is not None:
                    await sandbox.stop()  # ends the pages' live streams before the server goes
                await app.stop()
        finally:
            if sandbox is not None:
                await sandbox.stop()

    try:
        asyncio.run(main())
    except StoreLockedError:
        # Two processes on one data directory would corrupt the store and steal Zalo updates.
        print(
            f"Another bot process is already using {config.data_dir}; stop it first "
            "(only one process may run on a data directory).",
            file=sys.stderr,
        )
        return 3
    except StoreVersionError as exc:
        print(f"The data in {config.data_dir} cannot be opened: {exc}", file=sys.stderr)
        return 3
    return 0


def _banner(config: object, app: object, *, sandbox: bool) -> None:
    """Say plainly, on the terminal, what is running and how to connect a platform."""
    from bot.app.runtime import App
    from bot.config.loading import Config

    assert isinstance(config, Config) and isinstance(app, App)
    url = f"http://{config.web.host}:{config.web.port}"
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

    code, report = check_config(args.path, environ=os.environ)
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


def _backup(args: argparse.Namespace) -> int:
    from bot.cli.backup import run_backup

    return run_backup(output=Path(args.output), config_path=args.config)


def _restore(args: argparse.Namespace) -> int:
    from bot.cli.backup import run_restore

    return run_restore(archive=Path(args.archive), config_path=args.config)


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
    "backup": _backup,
    "restore": _restore,
}


def main(argv: list[str] | None = None) -> int:
    from bot.cli.parser import build_parser

    args = build_parser(__doc__).parse_args(argv)
    command = args.command or "run"
    sub = getattr(args, "people_command", None) or getattr(args, "areas_command", None)
    if sub:
        command = f"{command} {sub}"
    if command == "run":
        return _run(getattr(args, "config", None), sandbox_flag=getattr(args, "sandbox", None))
    return COMMANDS[command](args)


if __name__ == "__main__":
    sys.exit(main())
