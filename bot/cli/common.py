"""What the offline commands (export, digest, audit, people, …) share: exit codes, the config,
an area named on the command line, and opening the store only when no bot holds it."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from bot.config.loading import Config, ConfigError, load_config
from bot.core.areas import AreaTree
from bot.core.file_writes import private_dir
from bot.store import Store, StoreError, StoreLockedError, open_store

OK, FAILED, USAGE = 0, 1, 2


def err(text: str) -> None:
    print(text, file=sys.stderr)


def config_or_none(config_path: str | None, environ: Mapping[str, str]) -> Config | None:
    """The config, or None after printing every problem."""
    try:
        return load_config(config_path, environ=environ)
    except ConfigError as exc:
        err("Cấu hình có lỗi / the config has problems:")
        for problem in exc.problems:
            err(f"- {problem.path}: {problem.message}")
        return None


def area_code(areas: AreaTree, text: str) -> str:
    """The code `text` is, or the one area its name matches; ValueError otherwise."""
    if text in areas:
        return text
    found = areas.find(text, limit=5)
    if len(found) == 1:
        return found[0].code
    hint = "; did you mean: " + ", ".join(f"{a.code} ({a.name})" for a in found) if found else ""
    msg = f"no area {text!r}{hint}"
    raise ValueError(msg)


RUNNING = 3  # the exit code of `run` when another process holds the data directory


def open_for_cli(
    config: Config, *, while_running: str, create: bool = False, embedded: bool = False
) -> Store | int:
    """The store when no bot holds it, else the exit code after saying why: RUNNING when the bot
    runs (`while_running`: what to do instead), FAILED when there is no data or it cannot open.
    The config's area names go along, so an older store migrates with its villages' names.
    With `store.backend: postgres` the shared database (no lock: the bot may run), unless
    `embedded` asks for the data directory's own store (what `store copy` reads)."""
    from bot.app.store_choice import open_configured
    from bot.store.maintenance.migrations import area_names_from

    data_dir = config.data_dir
    if config.store.backend == "postgres" and not embedded:  # no lock: the bot may run
        try:
            return open_configured(config)
        except StoreError as exc:
            err(f"Cannot open the PostgreSQL store: {exc}")
            return FAILED
    if create:
        private_dir(data_dir)
    elif not data_dir.is_dir():
        err(f"No data folder at {data_dir}: the bot has not run with this config yet.")
        return FAILED
    try:
        return open_store(data_dir, area_names=area_names_from(config.areas))
    except StoreLockedError:
        err(f"The data in {data_dir} is in use: the bot is running and locks it. {while_running}")
        return RUNNING
    except (StoreError, OSError) as exc:
        err(f"Cannot open the data in {data_dir}: {exc}")
        return FAILED


def store_or_none(config: Config, *, while_running: str) -> Store | None:
    """The store, or None after saying why (for commands that exit FAILED either way)."""
    opened = open_for_cli(config, while_running=while_running)
    return None if isinstance(opened, int) else opened
