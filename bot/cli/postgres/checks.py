"""What `restore` reads of a PostgreSQL database: before loading a backup, whether it may (no
instance alive, no table with rows unless --replace) and which tables to drop; after, a count.

It reads the catalog and the `instances` heartbeat table (id, host, pid, started_at, seen_at,
info), never the store's own schema, so it works on whatever version wrote the database.
"""

from __future__ import annotations

from typing import Any

from bot.cli.common import RUNNING, USAGE

_USER_TABLES = """
select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and not c.relispartition
  and n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'
  and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass
                  and d.objid = c.oid and d.deptype = 'e')
order by 1, 2
"""


class Refusal(Exception):
    """The database must not be restored into now; `code` is the command's exit code."""

    def __init__(self, text: str, code: int) -> None:
        super().__init__(text)
        self.code = code


def examine(
    url: str, *, schemas: set[str], dead_after: float, replace: bool, heartbeats: str
) -> list[tuple[str, str]]:
    """The tables to drop before loading (those in `schemas`, the ones the backup fills), or
    Refusal: an instance said it was alive within `dead_after` seconds (RUNNING), or a table
    holds rows and `replace` is off (USAGE). Rows of `heartbeats` are not data."""
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        alive = _alive(conn, heartbeats, dead_after)
        if alive:
            ident, host, pid, ago = (alive[0].get(k, "?") for k in ("id", "host", "pid", "ago"))
            more = f" (and {len(alive) - 1} more)" if len(alive) > 1 else ""
            msg = (
                f"instance {ident} on {host} (pid {pid}) said it was alive "
                f"{float(ago):.0f} s ago{more}. "
                "Stop every instance first (sudo systemctl stop 'tro-ly-dan-so@*'), wait "
                f"store.dead_after_seconds ({dead_after:g} s) and run this again"
            )
            raise Refusal(msg, RUNNING)
        present = [(s, t) for s, t in conn.execute(_USER_TABLES).fetchall()]
        full = [t for t in present if t[1] != heartbeats and _has_rows(conn, t)]
        if full and not replace:
            names = ", ".join(f"{s}.{t}" for s, t in full[:5]) + (", …" if len(full) > 5 else "")
            hold = "table holds" if len(full) == 1 else "tables hold"
            msg = (
                f"it is not empty ({len(full)} {hold} rows: {names}). Restore into a new "
                "database, or add --replace to replace what it holds with the backup"
            )
            raise Refusal(msg, USAGE)
    return [t for t in present if t[0] in schemas]


def summary(url: str) -> tuple[int, int]:
    """(tables, rows) of the database, after ANALYZE (a restore brings no planner statistics)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        conn.execute("analyze")
        present = conn.execute(_USER_TABLES).fetchall()
        rows = 0
        for schema, table in present:
            query = sql.SQL("select count(*) from {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
            found = conn.execute(query).fetchone()
            rows += int(found[0]) if found else 0
    return len(present), rows


def _alive(conn: Any, heartbeats: str, dead_after: float) -> list[dict[str, Any]]:
    """Each instance that beat within `dead_after` seconds (its row's columns, and `ago` in
    seconds), latest first; none when the table does not exist (no instance ever ran here).
    Only `seen_at` (a timestamp with time zone) is relied on; the server's clock judges it."""
    from psycopg import sql

    found = conn.execute("select to_regclass(%s)", [heartbeats]).fetchone()
    if found is None or found[0] is None:
        return []
    query = sql.SQL(
        "select to_jsonb(i) || jsonb_build_object('ago', extract(epoch from now() - seen_at)) "
        "from {} i where seen_at > now() - make_interval(secs => %s) order by seen_at desc"
    ).format(sql.Identifier(heartbeats))
    return [row[0] for row in conn.execute(query, [float(dead_after)]).fetchall()]


def _has_rows(conn: Any, table: tuple[str, str]) -> bool:
    from psycopg import sql

    query = sql.SQL("select exists (select 1 from {}.{})").format(
        sql.Identifier(table[0]), sql.Identifier(table[1])
    )
    found = conn.execute(query).fetchone()
    return bool(found and found[0])
