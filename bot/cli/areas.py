"""`python -m bot areas migrate MAPPING`: move stored records from old area codes to new ones,
after the area tree in config changed (communes merged or renamed, as in the 2025 reform)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.app.store_choice import open_configured
from bot.cli.common import FAILED, OK, USAGE, config_or_none, err
from bot.core.areas import AreaTree
from bot.core.clock import SystemClock
from bot.features.areas.mapping import AreaMapping, old_names, read_mapping
from bot.features.areas.migration import AlreadyApplied, MigrationResult, migrate
from bot.features.areas.usage import AreaUsage, noun, scan, stored_names
from bot.features.audit.log import AuditLog, cli_who
from bot.store import Store, StoreError, StoreLockedError, open_store

LOCKED = 3  # the bot is running on the data directory


def parse_choices(pairs: Sequence[str]) -> dict[str, str]:
    """`--choose OLD=NEW` values as a dict; ValueError naming the bad one."""
    out = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            msg = f"--choose {pair!r}: write OLD=NEW, e.g. --choose 18082=18073"
            raise ValueError(msg)
        out[old.strip()] = new.strip()
    return out


def run_migrate(
    *,
    mapping_files: Sequence[Path],
    old_tree: Path | None = None,
    choose: Sequence[str] = (),
    dry_run: bool = False,
    config_path: str | None = None,
    environ: Mapping[str, str] = os.environ,
) -> int:
    """Apply (or with `dry_run`, show) the mappings, together (e.g. the reform's JSON for the
    communes and a CSV for villages whose codes changed); an exit code: 0 done, 1 refused (problems
    listed, nothing written), 2 wrong arguments or config, 3 the bot is running."""
    config = config_or_none(config_path, environ)
    if config is None:
        return USAGE
    tree = AreaTree.from_config(config.areas)
    try:
        chosen = parse_choices(choose)
        old = old_names(old_tree) if old_tree is not None else {}
    except ValueError as exc:
        err(str(exc))
        return USAGE
    postgres = config.store.backend == "postgres"
    if not postgres and not config.data_dir.is_dir():
        err(f"No data folder at {config.data_dir}: there is nothing to migrate.")
        return FAILED
    try:
        # A store of an older schema is upgraded on open; its reports are named from the old
        # tree when given (the current one names old codes wrongly or not at all).
        names = {a.code: a.name for a in tree.all()} | old
        store = (
            open_configured(config)  # the shared database (stop the instances first)
            if postgres
            else open_store(config.data_dir, area_names=names)
        )
    except StoreLockedError:
        err(f"The data in {config.data_dir} is in use: stop the bot, then migrate.")
        return LOCKED
    except StoreError as exc:
        err(f"Cannot open the data in {config.data_dir}: {exc}")
        return FAILED
    try:
        return _migrate(store, tree, mapping_files, old=old, chosen=chosen, dry_run=dry_run)
    finally:
        store.close()


def _migrate(
    store: Store,
    tree: AreaTree,
    files: Sequence[Path],
    *,
    old: dict[str, str],
    chosen: dict[str, str],
    dry_run: bool,
) -> int:
    usage = scan(store)
    used = usage.areas()
    known = dict(old)
    for code, name in stored_names(store, used - set(old)).items():
        if code not in tree or tree.get(code).name != name:
            known[code] = name
    try:
        parts = [
            read_mapping(path, tree=tree, known=known, used=used, choose=chosen, strict=bool(old))
            for path in files
        ]
    except (OSError, ValueError) as exc:
        err(str(exc))
        return USAGE
    mapping = _merged(parts)
    _uncovered(mapping, usage, tree, known)
    names = " + ".join(path.name for path in files)
    if mapping.problems:
        err(f"The mapping {names} cannot be applied; nothing was written:")
        for problem in mapping.problems:
            err(f"- {problem}")
        return FAILED
    try:
        with store.atomic():
            now = SystemClock().now()
            result = migrate(
                store, mapping.moves, tree=tree, names=mapping.names, now=now, dry_run=dry_run
            )
            if not dry_run:
                AuditLog(store=store, clock=SystemClock()).record(
                    "areas.migrate", who=cli_who(), where="cli", target=names,
                    detail={"moves": len(mapping.moves), "renamed": result.renamed,
                            **result.counts},
                )  # fmt: skip
    except AlreadyApplied as exc:
        err(f"Refused: {exc}; nothing was written.")
        return FAILED
    for note in mapping.notes:
        print(f"note: {note}")
    print(_summary(result, tree, known, dry_run=dry_run))
    return OK


def _merged(parts: Sequence[AreaMapping]) -> AreaMapping:
    """One mapping from several files; an old code sent to two places is a problem."""
    merged = AreaMapping()
    for part in parts:
        merged.problems += part.problems
        merged.notes += part.notes
        merged.names.update(part.names)
        for old, new in part.moves.items():
            if merged.moves.get(old, new) != new:
                merged.problems.append(f"{old} goes to {merged.moves[old]} and to {new}")
            merged.moves[old] = new
    return merged


def _uncovered(
    mapping: AreaMapping, usage: AreaUsage, tree: AreaTree, names: dict[str, str]
) -> None:
    """Add a problem for each code records point at that is gone from the tree and unmapped."""
    for code in sorted(usage.areas()):
        if code not in tree and code not in mapping.moves:
            what = ", ".join(f"{n} {noun(k, n)}" for k, n in usage.only({code}).counts().items())
            name = f" {names[code]}" if code in names else ""
            mapping.problems.append(
                f"{code}{name} is not in the tree and the mapping does not say where it goes "
                f"({what} point at it)"
            )


def _summary(
    result: MigrationResult, tree: AreaTree, names: dict[str, str], *, dry_run: bool
) -> str:
    counts = ", ".join(f"{n} {noun(k, n)}" for k, n in result.counts.items()) or "nothing"
    lines = [f"{'Would move' if dry_run else 'Moved'}: {counts}."]
    for new, olds in sorted(result.by_target.items()):
        listed = ", ".join(f"{c} {names[c]}" if c in names else c for c in olds)
        lines.append(f"  {new} {tree.get(new).name} ← {listed}")
    if result.renamed:
        lines.append(
            f"  {result.renamed} report(s) got a new id: their old code is another area now"
        )
    if dry_run:
        lines.append("Dry run: nothing was written.")
    return "\n".join(lines)
