"""The command line of `python -m bot`: every subcommand and its arguments (bot.__main__ runs
the one chosen)."""

from __future__ import annotations

import argparse

CONFIG_HELP = "config file (default: as for run)"


def build_parser(description: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=description)
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
    export.add_argument("--config", default=None, help=CONFIG_HELP)
    digest = sub.add_parser("digest", help="print an area's digest for a day")
    digest.add_argument("--area", metavar="CODE", required=True, help="an area code (or name)")
    digest.add_argument("--date", metavar="YYYY-MM-DD", default=None, help="default: today")
    digest.add_argument("--lang", choices=("vi", "en"), default=None, help="default: config's")
    digest.add_argument("--config", default=None, help=CONFIG_HELP)
    areas = sub.add_parser("areas", help="area tree changes: move stored records to new areas")
    areas_sub = areas.add_subparsers(dest="areas_command", required=True)
    migrate = areas_sub.add_parser("migrate", help="move records from old area codes to new ones")
    migrate.add_argument(
        "mapping", nargs="+", help="CSV old_code,new_code, or a JSON tree with formed_from"
    )
    migrate.add_argument("--old-tree", metavar="FILE", help="the old tree (JSON), to read names")
    migrate.add_argument("--choose", metavar="OLD=NEW", action="append", default=[],
                         help="where a split old area's records go (repeatable)")  # fmt: skip
    migrate.add_argument("--dry-run", action="store_true", help="show what would move only")
    migrate.add_argument("--config", default=None, help=CONFIG_HELP)
    webhook = sub.add_parser("webhook", help="set, delete or show the platforms' webhooks")
    webhook.add_argument("action", choices=("set", "delete", "info"))
    webhook.add_argument("--platform", choices=("telegram", "zalo", "all"), default="all")
    webhook.add_argument("--bot", metavar="NAME", default=None, help="only this Zalo bot")
    webhook.add_argument("--config", default=None, help=CONFIG_HELP)
    audit = sub.add_parser("audit", help="print the audit trail of a period (default: 7 days)")
    audit.add_argument("--from", dest="start", metavar="YYYY-MM-DD", default=None)
    audit.add_argument("--to", dest="end", metavar="YYYY-MM-DD", default=None, help="included")
    audit.add_argument("--format", choices=("text", "csv", "json"), default="text")
    audit.add_argument("--config", default=None, help=CONFIG_HELP)
    people = sub.add_parser("people", help="people: import a CSV with invite codes")
    people_sub = people.add_subparsers(dest="people_command", required=True)
    pimport = people_sub.add_parser("import", help="create people with one-time invite codes")
    pimport.add_argument("file", help="CSV: name, phone_or_note, role, area, platform")
    pimport.add_argument("-o", "--output", metavar="FILE", default=None,
                         help="the invites CSV (default: <file>-invites.csv)")  # fmt: skip
    pimport.add_argument("--bot-username", default=None, help="Telegram bot, for deep links")
    pimport.add_argument("--config", default=None, help=CONFIG_HELP)
    for action, what in (
        ("export", "write everything about one person to a JSON file"),
        ("erase", "remove one person's identity everywhere (keeps totals)"),
    ):
        one = people_sub.add_parser(action, help=what)
        one.add_argument("person", help="an id, an account key (telegram:42) or the exact name")
        one.add_argument("--config", default=None, help=CONFIG_HELP)
    people_sub.choices["export"].add_argument("-o", "--output", metavar="FILE", required=True)
    people_sub.choices["erase"].add_argument("--yes", action="store_true", help="really erase")
    backup = sub.add_parser("backup", help="write a backup archive, even while the bot runs")
    backup.add_argument("-o", "--output", metavar="FILE", required=True, help="a .tar.gz to write")
    backup.add_argument("--config", default=None, help=CONFIG_HELP)
    restore = sub.add_parser("restore", help="restore a backup into an empty data directory")
    restore.add_argument("archive", metavar="FILE", help="a file written by `backup`")
    restore.add_argument("--config", default=None, help=CONFIG_HELP)
    return parser
