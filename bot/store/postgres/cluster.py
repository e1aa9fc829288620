"""Several bot instances on one PostgreSQL database: who is alive, who leads, whose turn a chat is.

Each instance keeps one connection of its own for this (apart from the store's), so that what
lives with the session lives and dies with the process:

- liveness: a row in `instances`, its `seen_at` moved at every beat, and this session itself
  (named after the instance): an instance whose session has ended (its process died: the
  kernel closes the connection, the server ends the session) is dead at once, one silent for
  `dead_after` seconds is dead too (frozen, or cut off); a dead instance's chats' turns and
  outbox claims are taken over;
- the scheduler leader: a session-level advisory lock. PostgreSQL releases it the moment the
  holder's connection ends (a crash, a SIGKILL, a lost network), so another instance takes over
  at its next beat;
- the poller: another advisory lock, so that two processes never long-poll one bot;
- chat turns: one row per chat being handled, `until` renewed at every beat of its holder, so a
  turn held by an instance that died frees itself within `dead_after` seconds;
- a chat's pace: the platforms count the messages into one chat whichever process sends them,
  so each send reserves its moment in `chat_sends` (`reserve_send`, `sent`).

Times are the database's (`clock_timestamp()`), one clock for every instance. Every call here is
short and synchronous, like the store's.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
from dataclasses import dataclass
from typing import Any

import psycopg

from bot.store.base import StoreError

log = logging.getLogger(__name__)

# Advisory lock keys (one 64-bit space per database): "DANSO" + a role.
LEADER_KEY = 0x44414E534F01
POLLER_KEY = 0x44414E534F02
# An instance row silent this long is deleted at the next join (a week of restarts leaves none).
FORGET_AFTER = "1 day"
# The instance's session is still there (application_name is the instance's id).
_SESSION = "exists (select 1 from pg_stat_activity a where a.application_name = {id})"


@dataclass(frozen=True, slots=True)
class Peer:
    """One instance as the database sees it."""

    id: str
    host: str
    pid: int
    leader: bool
    alive: bool
    seen_seconds_ago: float


class ClusterError(StoreError):
    """The cluster's connection failed (the database is down or unreachable)."""


class Cluster:
    """This instance's membership of the group of instances sharing one database."""

    def __init__(
        self,
        url: str,
        *,
        heartbeat: float,
        dead_after: float,
        info: dict[str, Any] | None = None,
    ) -> None:
        self._url = url
        self.heartbeat = heartbeat
        self.dead_after = dead_after
        self.host = socket.gethostname()
        self.pid = os.getpid()
        # The session's application_name too, which PostgreSQL cuts at 63 bytes.
        self.id = f"{self.host[:40]}:{self.pid}:{secrets.token_hex(3)}"
        self.info = dict(info or {})
        self.leader = False
        self.polling = False
        self._conn: psycopg.Connection[Any] | None = None

    # --- the connection ------------------------------------------------------------------------

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        if self._conn is not None:
            # The session is gone, and with it every advisory lock it held.
            self.leader = False
            self.polling = False
        # The server's keepalives, so that the session (and the lead with it) of an instance
        # whose machine died or was cut off ends within about `dead_after`, not TCP's 2 hours.
        probe = max(1, int(self.dead_after / 3))
        server_keepalive = (
            f"-c tcp_keepalives_idle={probe} -c tcp_keepalives_interval={probe} "
            f"-c tcp_keepalives_count=3 -c tcp_user_timeout={int(self.dead_after * 1000)}"
        )
        try:
            self._conn = psycopg.connect(
                self._url, autocommit=True, application_name=self.id, options=server_keepalive,
                keepalives=1, keepalives_idle=probe, keepalives_interval=probe,
                keepalives_count=3, connect_timeout=max(2, int(self.dead_after)),
            )  # fmt: skip
        except psycopg.Error as exc:
            raise ClusterError(f"the database cannot be reached ({type(exc).__name__})") from None
        return self._conn

    def _run(
        self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        conn = self._connection()
        try:
            cur = conn.execute(sql, params)  # type: ignore[arg-type]  # literal SQL only
            return cur.fetchall() if cur.description else []
        except psycopg.OperationalError as exc:
            conn.close()
            self.leader = False
            self.polling = False
            raise ClusterError(f"the database connection failed ({type(exc).__name__})") from None

    # --- membership ----------------------------------------------------------------------------

    def join(self) -> None:
        """Say this instance is here (and forget instances silent for a day)."""
        self._run(
            "delete from instances where seen_at < clock_timestamp() - %s::interval",
            (FORGET_AFTER,),
        )
        self._run(
            "delete from chat_sends where next_at < clock_timestamp() - %s::interval",
            (FORGET_AFTER,),
        )
        self._run(
            "insert into instances (id, host, pid, started_at, seen_at, info) values "
            "(%s, %s, %s, clock_timestamp(), clock_timestamp(), %s) on conflict (id) do update "
            "set seen_at = excluded.seen_at",
            (self.id, self.host, self.pid, json.dumps({**self.info, "leader": self.leader})),
        )

    def beat(self) -> None:
        """Still alive: move seen_at, say whether this one leads, renew the chats' turns held."""
        info = json.dumps({**self.info, "leader": self.leader})
        rows = self._run(
            "update instances set seen_at = clock_timestamp(), info = %s where id = %s "
            "returning id",
            (info, self.id),
        )
        if not rows:  # deleted by someone's cleanup after a long stall: here again
            self.join()
        self._run(
            "update chat_turns set until = clock_timestamp() + make_interval(secs => %s) "
            "where instance = %s",
            (self.dead_after, self.id),
        )

    def leave(self) -> None:
        """Stop cleanly: give back every turn, the locks and the row (others need not wait)."""
        if self._conn is None or self._conn.closed:
            return
        try:
            self._run("delete from chat_turns where instance = %s", (self.id,))
            self._run("delete from instances where id = %s", (self.id,))
        except ClusterError:
            log.warning("cluster: leaving without a word (the database is unreachable)")
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()  # the session ends: its advisory locks go with it
        self.leader = False
        self.polling = False

    def peers(self) -> list[Peer]:
        """Every instance the database knows, this one included, oldest first."""
        rows = self._run(
            "select id, host, pid, coalesce((info->>'leader')::boolean, false), "
            "extract(epoch from clock_timestamp() - seen_at), " + _SESSION.format(id="i.id")
            + " from instances i order by started_at, id"
        )  # fmt: skip
        return [
            Peer(
                id=row[0],
                host=row[1],
                pid=row[2],
                leader=row[3],
                alive=float(row[4]) <= self.dead_after and bool(row[5]),
                seen_seconds_ago=round(float(row[4]), 1),
            )
            for row in rows
        ]

    def alive_ids(self) -> set[str]:
        """Ids of the instances alive: seen within `dead_after` seconds, their session still
        there (this one included)."""
        rows = self._run(
            "select id from instances i where seen_at >= clock_timestamp() - "
            "make_interval(secs => %s) and " + _SESSION.format(id="i.id"),
            (self.dead_after,),
        )
        return {row[0] for row in rows} | {self.id}

    # --- locks ---------------------------------------------------------------------------------

    def try_lead(self) -> bool:
        """Whether this instance is the scheduler leader now (taking the lead if it is free)."""
        if self.leader:
            self._run("select 1")  # still connected, so still holding the lock
            return self.leader
        rows = self._run("select pg_try_advisory_lock(%s)", (LEADER_KEY,))
        self.leader = bool(rows[0][0])
        if not self.leader:
            self._end_dead_sessions()
        return self.leader

    def _end_dead_sessions(self) -> None:
        """End the database sessions of instances silent for `dead_after` (a frozen process, a
        machine cut off while the server still keeps its connection): the locks they hold go
        with them, so another instance can lead at its next try."""
        self._run(
            "select pg_terminate_backend(a.pid) from pg_stat_activity a join instances i "
            "on a.application_name = i.id where i.id <> %s and i.seen_at < clock_timestamp() - "
            "make_interval(secs => %s)",
            (self.id, self.dead_after),
        )

    def try_poll(self) -> bool:
        """Take the right to long-poll; False when another instance polls already."""
        if not self.polling:
            rows = self._run("select pg_try_advisory_lock(%s)", (POLLER_KEY,))
            self.polling = bool(rows[0][0])
        return self.polling

    def take_turn(self, chat_key: str) -> bool:
        """This instance's turn to handle `chat_key` (renewed by beat() until given back); False
        while another live instance has it."""
        rows = self._run(
            "insert into chat_turns (chat_key, instance, until) values "
            "(%s, %s, clock_timestamp() + make_interval(secs => %s)) "
            "on conflict (chat_key) do update set instance = excluded.instance, "
            "until = excluded.until "
            "where chat_turns.until < clock_timestamp() "
            "or chat_turns.instance = excluded.instance "
            "or not " + _SESSION.format(id="chat_turns.instance") + " "
            "returning instance",
            (chat_key, self.id, self.dead_after),
        )
        return bool(rows)

    def reserve_send(self, chat_key: str, spacing: float, settle: float) -> tuple[float, int]:
        """Reserve the next moment a message may go into `chat_key`, whichever instance sends
        it: seconds to wait (0 or more) and a token for sent(). Until the platform answers,
        the message is taken to arrive up to `settle` seconds after it left, so the next one
        waits `spacing` after that; sent() shortens it to `spacing` after the answer."""
        rows = self._run(
            "insert into chat_sends as c (chat_key, slot, next_at, token) values (%(chat)s, "
            "clock_timestamp(), clock_timestamp() + make_interval(secs => %(hold)s), 1) "
            "on conflict (chat_key) do update set "
            "slot = greatest(c.next_at, clock_timestamp()), "
            "next_at = greatest(c.next_at, clock_timestamp()) + make_interval(secs => %(hold)s), "
            "token = c.token + 1 "
            "returning greatest(extract(epoch from slot - clock_timestamp()), 0), token",
            {"chat": chat_key, "hold": spacing + settle},
        )
        return float(rows[0][0]), int(rows[0][1])

    def sent(self, chat_key: str, token: int, spacing: float) -> None:
        """The platform answered the message of reservation `token`: unless a later one was
        reserved behind it, the chat's next message may go `spacing` after now."""
        self._run(
            "update chat_sends set next_at = least(next_at, clock_timestamp() + "
            "make_interval(secs => %s)) where chat_key = %s and token = %s",
            (spacing, chat_key, token),
        )

    def give_turn(self, chat_key: str) -> None:
        self._run(
            "delete from chat_turns where chat_key = %s and instance = %s", (chat_key, self.id)
        )
