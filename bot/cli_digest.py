"""`python -m bot digest`: print an area's digest for a day, as supervisors read it."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from datetime import date

from bot.areas import AreaTree
from bot.cli_export import FAILED, OK, USAGE, _area_code, _err
from bot.clock import SystemClock
from bot.config import ConfigError, load_config
from bot.errors import UserError
from bot.i18n import Translator
from bot.services.digest import Digests
from bot.services.digest_text import DigestText
from bot.services.report_types import ReportTypes
from bot.services.reports import Reports
from bot.store import StoreError, StoreLockedError, open_store


def run_digest(
    *,
    area: str,
    day: str | None = None,
    lang: str | None = None,
    config_path: str | None = None,
    environ: Mapping[str, str] = os.environ,
) -> int:
    """Print the digest of `area` (a code or a name naming one area) for `day` (YYYY-MM-DD,
    default today) to stdout; an exit code. Problems go to stderr."""
    try:
        config = load_config(config_path, environ=environ)
    except ConfigError as exc:
        _err("Cấu hình có lỗi / the config has problems:")
        for problem in exc.problems:
            _err(f"- {problem.path}: {problem.message}")
        return USAGE
    if not config.report_types:
        _err("The config has no report_types: there is nothing to sum up.")
        return USAGE
    areas = AreaTree.from_config(config.areas)
    clock = SystemClock()
    try:
        code = _area_code(areas, area)
        # Any day: the digest describes what was received by its end (or by now, if today).
        on = date.fromisoformat(day) if day else clock.now().astimezone(config.tzinfo()).date()
    except ValueError as exc:
        _err(str(exc))
        return USAGE
    data_dir = config.data_dir
    if not data_dir.is_dir():
        _err(f"No data folder at {data_dir}: the bot has not run with this config yet.")
        return FAILED
    try:
        store = open_store(data_dir)
    except StoreLockedError:
        _err(
            f"The data in {data_dir} is in use: the bot is running and locks it. Ask the bot "
            "(/tonghop) instead, or run this on a copy of the folder: "
            "BOT_DATA_DIR=/path/to/copy python -m bot digest …"
        )
        return FAILED
    except StoreError as exc:
        _err(f"Cannot open the data in {data_dir}: {exc}")
        return FAILED
    translate = Translator(config.language)
    text = DigestText(translate, config.tzinfo())
    try:
        types = ReportTypes.from_config(config.report_types, default=config.default_report_type)
        reports = Reports(store=store, areas=areas, types=types, clock=clock, tz=config.tzinfo())
        digests = Digests(
            reports=reports, text=text, settings=config.digest, default_lang=config.language
        )
        data = digests.build(code, on)
    except UserError as exc:
        _err(translate(lang or config.language, exc.key, **exc.params))
        return USAGE
    finally:
        store.close()
    sys.stdout.write(text.render(data, lang or config.language) + "\n")
    return OK
