"""The command line of `python -m bot`: every subcommand and its arguments, described for the
people who deploy and run the bot (Vietnamese first, English second); bot.__main__ runs the one
chosen. Every subcommand takes --config, and so does `python -m bot` itself (it means `run`)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

DESCRIPTION = """\
Trợ lý dân số: bot nhóm cho công tác dân số – y tế xã, trên Telegram và Zalo.
Trợ lý dân số: a group bot for commune population and health work, on Telegram and Zalo.

Không có lệnh: chạy bot. Chưa có token nào: mở bản thử nghiệm (trang web tập huấn).
With no command it runs the bot; with no platform token set it opens the sandbox
(a training web chat with the demo district)."""

EXAMPLES = """\
ví dụ / examples:
  python -m bot                                   chạy bot / run the bot
  BOT_WEB_PORT=8081 python -m bot run --config my.yaml
  python -m bot check-config my.yaml              kiểm tra cấu hình / check a config
  python -m bot export --period 2026-11 -o t11.xlsx
  python -m bot digest --area 42 --lang en
  python -m bot people import people.csv -o invites.csv
  python -m bot backup -o /var/backups/danso.tar.gz

Mọi lệnh nhận --config FILE (mặc định: $BOT_CONFIG, hoặc config.yaml).
Every command takes --config FILE (default: $BOT_CONFIG, else config.yaml).
`python -m bot <command> --help` nói rõ từng lệnh / tells more about one command.

Mã thoát của run / exit codes of run: 0 stopped, 2 the config has problems,
3 the data folder is in use by another process (or written by a newer version),
4 the web port is in use (choose another with BOT_WEB_PORT).
Danh sách lệnh trong chat / the chat commands: docs/commands.md."""

HELP_HELP = "in hướng dẫn này\nshow this help"
CONFIG_HELP = "tệp cấu hình / the config file\n(default: $BOT_CONFIG, else config.yaml)"

# (name, one line in Vietnamese / English) in the order a deployer meets them.
COMMANDS = {
    "run": "chạy bot (mặc định)\nrun the bot (the default)",
    "check-config": "kiểm tra tệp cấu hình, liệt kê mọi lỗi\ncheck a config file, list every "
    "problem",
    "export": "xuất báo cáo của một kỳ ra CSV hoặc Excel\nwrite one period's reports to CSV "
    "or Excel",
    "digest": "in bản tổng hợp của một địa bàn\nprint an area's daily digest",
    "people": "nhập danh sách người dùng; xuất hoặc xóa dữ liệu một người\nimport people; "
    "export or erase one person's data",
    "areas": "chuyển dữ liệu khi xã sáp nhập, đổi tên\nmove stored records after communes "
    "merge or are renamed",
    "webhook": "đặt, xóa, xem webhook của Telegram và Zalo\nset, delete or show the "
    "platforms' webhooks",
    "audit": "in nhật ký thao tác của một khoảng thời gian\nprint the audit trail of a period",
    "dhis2": "gửi số liệu của một kỳ lên DHIS2 của tỉnh\nsend a period's numbers to the "
    "province's DHIS2",
    "backup": "sao lưu dữ liệu, kể cả khi bot đang chạy\nwrite a backup, even while the bot runs",
    "restore": "khôi phục bản sao lưu vào thư mục (hoặc CSDL) trống\nrestore a backup into an "
    "empty data folder (or PostgreSQL database)",
    "store": "chép dữ liệu sang PostgreSQL (nhiều máy chủ)\ncopy the data into PostgreSQL "
    "(several instances)",
}


class _Formatter(argparse.RawTextHelpFormatter):
    """Line breaks kept as written (Vietnamese on one line, English under it), and a help
    column wide enough for the longest command name."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=20, width=92)
        self._action_max_length = 18  # the help column: after "check-config"


class _Version(argparse.Action):
    """--version: the program's version and the store schema it writes (looked up only when
    asked, so that every other command starts as fast as before)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="in phiên bản\nshow the version")

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(version_text())  # on stdout, as argparse's own "version" action does
        parser.exit()


def version_text() -> str:
    from importlib.metadata import PackageNotFoundError, version

    from bot.store.base import SCHEMA_VERSION

    try:
        number = version("danso-bot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        number = "unknown"
    return f"Trợ lý dân số (danso-bot) {number}, store schema {SCHEMA_VERSION}"


def _command(sub: Any, name: str, *, epilog: str | None = None) -> argparse.ArgumentParser:
    """A subcommand with its one line as help and description, and --config."""
    return _sub(sub, name, COMMANDS[name], epilog=epilog)


def _sub(sub: Any, name: str, what: str, *, epilog: str | None = None) -> argparse.ArgumentParser:
    one = sub.add_parser(
        name, help=what, description=what, epilog=epilog, formatter_class=_Formatter,
        add_help=False,
    )  # fmt: skip
    one.add_argument("-h", "--help", action="help", help=HELP_HELP)
    # SUPPRESS: not given here, the value given before the command (or None) stands.
    one.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help=CONFIG_HELP)
    return one


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description=DESCRIPTION, epilog=EXAMPLES,
        formatter_class=_Formatter, add_help=False,
    )  # fmt: skip
    parser.add_argument("-h", "--help", action="help", help=HELP_HELP)
    parser.add_argument("--version", action=_Version)
    parser.add_argument("--config", metavar="FILE", default=None, help=CONFIG_HELP)
    sub = parser.add_subparsers(dest="command", title="lệnh / commands", metavar="<command>")
    run = _command(sub, "run", epilog="ví dụ / example:\n  python -m bot run --config my.yaml")
    run.add_argument(
        "--sandbox", action=argparse.BooleanOptionalAction, default=None,
        help="bản thử nghiệm / the training web chat with the demo district (default: on when "
        "no platform token is set)",
    )  # fmt: skip
    check = _command(
        sub, "check-config", epilog="ví dụ / example:\n  python -m bot check-config my.yaml"
    )
    check.add_argument("path", nargs="?", default=None, help="the config file to check")
    export = _command(
        sub, "export",
        epilog="ví dụ / examples:\n  python -m bot export --period 2026-11 -o t11.xlsx\n"
        "  python -m bot export --period 2026-Q4 --area 18115 --type danso -o q4.csv",
    )  # fmt: skip
    export.add_argument("--period", required=True, help="2026-11, 2026-W45, 2026-Q4 or 2026-11-24")
    export.add_argument("--area", metavar="CODE", help="only villages under this area (or name)")
    export.add_argument("--type", dest="type_code", metavar="CODE", help="only this report type")
    export.add_argument(
        "--format", choices=("csv", "xlsx"), default=None, help="default: from the file name"
    )
    export.add_argument("-o", "--output", metavar="FILE", required=True, help="the file to write")
    digest = _command(
        sub,
        "digest",
        epilog="ví dụ / example:\n  python -m bot digest --area 42 --date 2026-11-20",
    )
    digest.add_argument("--area", metavar="CODE", required=True, help="an area code (or name)")
    digest.add_argument("--date", metavar="YYYY-MM-DD", default=None, help="default: today")
    digest.add_argument("--lang", choices=("vi", "en"), default=None, help="default: config's")
    _people(sub)
    _areas(sub)
    _dhis2(sub)
    webhook = _command(
        sub, "webhook", epilog="ví dụ / examples:\n  python -m bot webhook info\n"
        "  python -m bot webhook set --platform zalo --bot zalo1",
    )  # fmt: skip
    webhook.add_argument("action", choices=("set", "delete", "info"))
    webhook.add_argument("--platform", choices=("telegram", "zalo", "all"), default="all")
    webhook.add_argument("--bot", metavar="NAME", default=None, help="only this Zalo bot")
    audit = _command(
        sub, "audit",
        epilog="ví dụ / example:\n  python -m bot audit --from 2026-11-01 --to 2026-11-30 "
        "--format csv > nov.csv",
    )  # fmt: skip
    audit.add_argument("--from", dest="start", metavar="YYYY-MM-DD", default=None,
                       help="default: 7 days ago")  # fmt: skip
    audit.add_argument("--to", dest="end", metavar="YYYY-MM-DD", default=None, help="included")
    audit.add_argument("--format", choices=("text", "csv", "json"), default="text")
    backup = _command(
        sub,
        "backup",
        epilog="ví dụ / examples:\n  python -m bot backup -o danso-$(date +%F).tar.gz\n"
        "  python -m bot backup -o danso-$(date +%F).pgdump    (store.backend: postgres)",
    )
    backup.add_argument("-o", "--output", metavar="FILE", required=True,
                        help="a .tar.gz to write (PostgreSQL: a pg_dump archive)")  # fmt: skip
    restore = _command(
        sub, "restore",
        epilog="ví dụ / examples:\n  python -m bot restore danso-2026-11-30.tar.gz\n"
        "  python -m bot restore danso-2026-11-30.pgdump --replace    (store.backend: postgres)",
    )  # fmt: skip
    restore.add_argument("archive", metavar="FILE", help="a file written by `backup`")
    restore.add_argument(
        "--replace", action="store_true",
        help="PostgreSQL: thay dữ liệu đang có / replace what a database that is not empty holds",
    )  # fmt: skip
    _store(sub)
    return parser


PEOPLE = {
    "import": "tạo người dùng từ tệp CSV, kèm mã mời dùng một lần\ncreate people from a CSV, "
    "with one-time invite codes",
    "export": "xuất mọi dữ liệu về một người ra tệp JSON\nwrite everything about one person "
    "to a JSON file",
    "erase": "xóa danh tính một người ở mọi nơi (giữ số liệu)\nerase one person's identity "
    "everywhere (totals stay)",
}
PEOPLE_EXAMPLES = """\
ví dụ / examples:
  python -m bot people import people.csv -o invites.csv
  python -m bot people export 12 -o person-12.json
  python -m bot people erase telegram:42 --yes
Bot phải dừng / the bot must be stopped (exit 3 while it runs)."""


def _people(sub: Any) -> None:
    people = _command(sub, "people", epilog=PEOPLE_EXAMPLES)
    people_sub = people.add_subparsers(
        dest="people_command", required=True, title="lệnh / commands", metavar="<command>"
    )
    pimport = _sub(people_sub, "import", PEOPLE["import"])
    pimport.add_argument("file", help="CSV: name, phone_or_note, role, area, platform")
    pimport.add_argument("-o", "--output", metavar="FILE", default=None,
                         help="the invites CSV (default: <file>-invites.csv)")  # fmt: skip
    pimport.add_argument("--bot-username", default=None, help="Telegram bot, for deep links")
    for action in ("export", "erase"):
        what = PEOPLE[action]
        one = _sub(people_sub, action, what)
        one.add_argument("person", help="an id, an account key (telegram:42) or the exact name")
    people_sub.choices["export"].add_argument("-o", "--output", metavar="FILE", required=True)
    people_sub.choices["erase"].add_argument("--yes", action="store_true", help="really erase")


def _areas(sub: Any) -> None:
    areas = _command(
        sub, "areas",
        epilog="ví dụ / example:\n  python -m bot areas migrate ha-tinh-2025-07.json "
        "--old-tree ha-tinh-2025-03.json --dry-run",
    )  # fmt: skip
    areas_sub = areas.add_subparsers(
        dest="areas_command", required=True, title="lệnh / commands", metavar="<command>"
    )
    what = "chuyển dữ liệu sang mã địa bàn mới\nmove records from old area codes to new ones"
    migrate = _sub(areas_sub, "migrate", what)
    migrate.add_argument(
        "mapping", nargs="+", help="CSV old_code,new_code, or a JSON tree with formed_from"
    )
    migrate.add_argument("--old-tree", metavar="FILE", help="the old tree (JSON), to read names")
    migrate.add_argument("--choose", metavar="OLD=NEW", action="append", default=[],
                         help="where a split old area's records go (repeatable)")  # fmt: skip
    migrate.add_argument("--dry-run", action="store_true", help="show what would move only")


DHIS2_EXAMPLES = """\
ví dụ / examples:
  python -m bot dhis2 push --period 2026-11 --dry-run
  python -m bot dhis2 push --period 2026-11 --area 18115
Bot phải dừng / the bot must be stopped (exit 3 while it runs; it pushes by itself at
dhis2.daily_at). Mã thoát / exit codes: 0 sent, 1 not sent (login, connection, DHIS2's error),
2 wrong arguments or config, 3 the bot is running, 4 sent but DHIS2 refused some values."""


def _dhis2(sub: Any) -> None:
    dhis2 = _command(sub, "dhis2", epilog=DHIS2_EXAMPLES)
    dhis2_sub = dhis2.add_subparsers(
        dest="dhis2_command", required=True, title="lệnh / commands", metavar="<command>"
    )
    what = "gửi tổng số của một kỳ lên DHIS2\nsend one period's totals to DHIS2"
    push = _sub(dhis2_sub, "push", what, epilog=DHIS2_EXAMPLES)
    push.add_argument(
        "--period", required=True, help="2026-11 (202611), 2026-W45, 2026-Q4 or 2026-11-24"
    )
    push.add_argument("--area", metavar="CODE", help="only the DHIS2 units in (or around) it")
    push.add_argument("--dry-run", action="store_true", help="print what would be sent only")


STORE_EXAMPLES = """\
ví dụ / example:
  DATABASE_URL=postgresql://bot:…@db/danso python -m bot store copy --to postgres
Bot phải dừng; cơ sở dữ liệu phải trống / the bot must be stopped and the database empty.
Mã thoát / exit codes: 0 copied and counted, 1 failed or a count differs, 2 no DATABASE_URL
or the database is not empty, 3 the bot is running."""


def _store(sub: Any) -> None:
    store = _command(sub, "store", epilog=STORE_EXAMPLES)
    store_sub = store.add_subparsers(
        dest="store_command", required=True, title="lệnh / commands", metavar="<command>"
    )
    what = (
        "chép thư mục dữ liệu vào cơ sở dữ liệu PostgreSQL trống (DATABASE_URL)\ncopy the "
        "data folder into the empty PostgreSQL database of DATABASE_URL"
    )
    copy = _sub(store_sub, "copy", what, epilog=STORE_EXAMPLES)
    copy.add_argument("--to", choices=("postgres",), required=True, help="where to copy")
