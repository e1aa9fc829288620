"""`python -m bot [run | check-config [PATH] | export … | digest …]`: parse arguments, call it."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys


def _run(config_path: str | None, *, sandbox_flag: bool | None = None) -> int:
    from bot.app import App
    from bot.config import ConfigError, load_config
    from bot.logs import setup_logging
    from bot.sandbox.graph import Sandbox
    from bot.sandbox.web import sandbox_routes
    from bot.store import StoreLockedError, StoreVersionError
    from bot.wiring import build_platforms

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        print("Cấu hình có lỗi / the config has problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"- {problem.path}: {problem.message}", file=sys.stderr)
        return 2
    setup_logging(
        level=config.logging.level, fmt=config.logging.format, secrets=config.secret_values()
    )
    platforms = build_platforms(config)
    # With no platform token the sandbox is what a newcomer can use at once; beside real
    # platforms only when asked (--sandbox). It never sends to a real chat either way.
    sandbox = (
        Sandbox(config) if (sandbox_flag if sandbox_flag is not None else not platforms) else None
    )
    routes, index = sandbox_routes(sandbox) if sandbox is not None else ([], None)
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
    from bot.app import App
    from bot.config import Config

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the bot (the default)")
    run.add_argument(
        "--config", default=None, help="config file (default: $BOT_CONFIG or config.yaml)"
    )
    run.add_argument(
        "--sandbox", action=argparse.BooleanOptionalAction, default=None,
        help="the local web chat with the demo district (default: on when no token is set)",
    )  # fmt: skip
    check = sub.add_parser("check-config", help="validate a config file and print every problem")
    check.add_argument("path", nargs="?", default=None)
    export = sub.add_parser("export", help="write one period's field reports to CSV or Excel")
    export.add_argument("--period", required=True, help="2026-11, 2026-W45, 2026-Q4 or 2026-11-24")
    export.add_argument("--area", metavar="CODE", help="only villages under this area (or name)")
    export.add_argument("--type", dest="type_code", metavar="CODE", help="only this report type")
    export.add_argument(
        "--format", choices=("csv", "xlsx"), default=None, help="default: from the file name"
    )
    export.add_argument("-o", "--output", metavar="FILE", required=True, help="the file to write")
    export.add_argument("--config", default=None, help="config file (default: as for run)")
    digest = sub.add_parser("digest", help="print an area's digest for a day")
    digest.add_argument("--area", metavar="CODE", required=True, help="an area code (or name)")
    digest.add_argument("--date", metavar="YYYY-MM-DD", default=None, help="default: today")
    digest.add_argument("--lang", choices=("vi", "en"), default=None, help="default: config's")
    digest.add_argument("--config", default=None, help="config file (default: as for run)")
    args = parser.parse_args(argv)
    if args.command == "digest":
        from bot.cli_digest import run_digest

        return run_digest(
            area=args.area, day=args.date, lang=args.lang, config_path=args.config,
            environ=os.environ,
        )  # fmt: skip
    if args.command == "export":
        from pathlib import Path

        from bot.cli_export import run_export

        return run_export(
            period=args.period,
            output=Path(args.output),
            fmt=args.format,
            area=args.area,
            type_code=args.type_code,
            config_path=args.config,
            environ=os.environ,
        )
    if args.command == "check-config":
        from bot.config_check import check_config

        code, report = check_config(args.path, environ=os.environ)
        print(report)
        return code
    return _run(getattr(args, "config", None), sandbox_flag=getattr(args, "sandbox", None))


if __name__ == "__main__":
    sys.exit(main())
