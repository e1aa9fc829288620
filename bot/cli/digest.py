"""`python -m bot digest`: print an area's digest for a day, as supervisors read it."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from datetime import date

from bot.cli.common import FAILED, OK, USAGE, area_code, config_or_none, err, store_or_none
from bot.core.areas import AreaTree
from bot.core.clock import SystemClock
from bot.core.errors import UserError
from bot.core.i18n import Translator
from bot.features.digest.service import Digests
from bot.features.digest.text import DigestText
from bot.features.reports.service import Reports
from bot.features.reports.types import ReportTypes


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
    config = config_or_none(config_path, environ)
    if config is None:
        return USAGE
    if not config.report_types:
        err("The config has no report_types: there is nothing to sum up.")
        return USAGE
    areas = AreaTree.from_config(config.areas)
    clock = SystemClock()
    try:
        code = area_code(areas, area)
        # Any day: the digest describes what was received by its end (or by now, if today).
        on = date.fromisoformat(day) if day else clock.now().astimezone(config.tzinfo()).date()
    except ValueError as exc:
        err(str(exc))
        return USAGE
    store = store_or_none(
        config,
        while_running="Ask the bot (/tonghop) instead, or run this on a copy of the folder: "
        "BOT_DATA_DIR=/path/to/copy python -m bot digest …",
    )
    if store is None:
        return FAILED
    translate = Translator(config.language, headings=config.directives.heading.by_language())
    text = DigestText(translate, config.tzinfo())
    try:
        types = ReportTypes.from_config(
            config.report_types, default=config.default_report_type,
            workdays=config.holidays.calendar(),
        )  # fmt: skip
        reports = Reports(store=store, areas=areas, types=types, clock=clock, tz=config.tzinfo())
        digests = Digests(
            reports=reports, text=text, settings=config.digest, default_lang=config.language
        )
        data = digests.build(code, on)
    except UserError as exc:
        err(translate(lang or config.language, exc.key, **exc.params))
        return USAGE
    finally:
        store.close()
    sys.stdout.write(text.render(data, lang or config.language) + "\n")
    return OK
