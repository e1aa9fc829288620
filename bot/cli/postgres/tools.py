"""PostgreSQL's own client programs (pg_dump, pg_restore) pointed at DATABASE_URL, safely.

The URL may hold a password. It reaches the programs only through libpq's environment variables
(PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE…), never their command line, which
`ps` shows to every user of the machine; and no message this module makes or passes on holds
it (`Target.scrub`). The few parameters that have no environment variable (TCP keepalives) go
on the command line as a connection string: they are not secret.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

CLIENT_PACKAGE = "postgresql-client-15"  # the Debian package with pg_dump, pg_restore and psql

# libpq's connection parameters and the environment variable each one has (libpq, "Environment
# Variables"); a parameter missing here and from _ARGV_ONLY is refused by name.
_ENV = {
    "host": "PGHOST", "hostaddr": "PGHOSTADDR", "port": "PGPORT", "dbname": "PGDATABASE",
    "user": "PGUSER", "password": "PGPASSWORD", "passfile": "PGPASSFILE",
    "channel_binding": "PGCHANNELBINDING", "service": "PGSERVICE", "options": "PGOPTIONS",
    "application_name": "PGAPPNAME", "sslmode": "PGSSLMODE", "requiressl": "PGREQUIRESSL",
    "sslcompression": "PGSSLCOMPRESSION", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
    "sslrootcert": "PGSSLROOTCERT", "sslcrl": "PGSSLCRL", "sslcrldir": "PGSSLCRLDIR",
    "sslsni": "PGSSLSNI", "requirepeer": "PGREQUIREPEER",
    "ssl_min_protocol_version": "PGSSLMINPROTOCOLVERSION",
    "ssl_max_protocol_version": "PGSSLMAXPROTOCOLVERSION", "gssencmode": "PGGSSENCMODE",
    "krbsrvname": "PGKRBSRVNAME", "gsslib": "PGGSSLIB", "gssdelegation": "PGGSSDELEGATION",
    "connect_timeout": "PGCONNECT_TIMEOUT", "client_encoding": "PGCLIENTENCODING",
    "target_session_attrs": "PGTARGETSESSIONATTRS", "load_balance_hosts": "PGLOADBALANCEHOSTS",
}  # fmt: skip
_ARGV_ONLY = frozenset({
    "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
    "tcp_user_timeout", "fallback_application_name",
})  # fmt: skip


class TargetError(ValueError):
    """DATABASE_URL cannot be handed to the PostgreSQL programs; the message holds no secret."""


@dataclass(frozen=True, slots=True)
class Target:
    """One database as the client programs reach it."""

    env: dict[str, str]  # the programs' whole environment
    conninfo: str  # for --dbname: the parameters without an environment variable, or ""
    name: str  # "<database> on <host>:<port>", for messages
    secrets: tuple[str, ...]  # texts never to show: the password and the URL

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return text


def target(url: str, environ: Mapping[str, str]) -> Target:
    """The database at `url` (a postgresql:// URL or a key=value string), for the programs."""
    from psycopg.conninfo import conninfo_to_dict

    secrets = (url, *_password_forms(url))
    try:
        params = {k: str(v) for k, v in conninfo_to_dict(url).items() if v is not None}
    except Exception as exc:  # psycopg's ProgrammingError; its text names a key, never a value
        detail = Target({}, "", "", secrets).scrub(str(exc).strip().splitlines()[0])
        msg = f"DATABASE_URL is not a PostgreSQL connection string ({detail})"
        raise TargetError(msg) from None
    if "sslpassword" in params:
        msg = (
            "DATABASE_URL holds sslpassword, which PostgreSQL's programs can only take on their "
            "command line: use a client key without a passphrase, readable only by the bot's user"
        )
        raise TargetError(msg)
    unknown = sorted(set(params) - set(_ENV) - _ARGV_ONLY)
    if unknown:
        msg = f"DATABASE_URL has parameters this command cannot pass on: {', '.join(unknown)}"
        raise TargetError(msg)
    env = {k: v for k, v in environ.items() if k != "DATABASE_URL"}
    env |= {_ENV[k]: v for k, v in params.items() if k in _ENV}
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    password = params.get("password", "")
    secrets = (*secrets, password, quote(password, safe=""))
    conninfo = " ".join(f"{k}={_quoted(v)}" for k, v in params.items() if k in _ARGV_ONLY)
    host = params.get("host") or params.get("hostaddr") or "localhost"
    where = f"{host}:{params['port']}" if "port" in params else host
    name = f"{params.get('dbname') or params.get('user') or '(default)'} on {where}"
    return Target(env=env, conninfo=conninfo, name=name, secrets=secrets)


def _password_forms(url: str) -> list[str]:
    """The password as it is written in a URL (percent-encoded) or in key=value form."""
    found = re.findall(r"://[^:/@]*:([^@/]*)@", url)
    found += re.findall(r"password\s*=\s*'?([^'\s]*)", url)
    return [p for p in found if p]


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def find(program: str, environ: Mapping[str, str]) -> str | None:
    """The path of `program` on the PATH the command was given, or None."""
    return shutil.which(program, path=environ.get("PATH"))


def missing(program: str) -> str:
    return (
        f"{program} is not installed. It comes with PostgreSQL's client programs: "
        f"`sudo apt-get install {CLIENT_PACKAGE}` on Debian and Ubuntu (its major version at "
        "least the server's)."
    )


def run(
    args: Sequence[str], target: Target, *, stdout: int | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a client program against `target`; its stderr (scrubbed) and stdout come back as
    text, unless `stdout` is a file descriptor to write to."""
    done = subprocess.run(  # noqa: S603 (no shell; the arguments are ours)
        list(args), env=target.env, stdin=subprocess.DEVNULL,
        stdout=stdout if stdout is not None else subprocess.PIPE, stderr=subprocess.PIPE,
        check=False,
    )  # fmt: skip
    out = done.stdout.decode("utf-8", "replace") if isinstance(done.stdout, bytes) else ""
    err = target.scrub(done.stderr.decode("utf-8", "replace"))
    return subprocess.CompletedProcess(done.args, done.returncode, out, err)


def explain(program: str, stderr: str) -> str:
    """What went wrong, from the program's own words, with a hint where one helps."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    text = "; ".join(lines[-6:]) or f"{program} failed without a message"
    if "version mismatch" in text or "unsupported version" in text:
        text += (
            f". {program} must be of PostgreSQL's version or newer: install the matching "
            "postgresql-client-<version> package (e.g. postgresql-client-16 for a server 16)"
        )
    return text
