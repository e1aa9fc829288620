"""The recipe for several instances on PostgreSQL (docs/deploy.md, sections 11 and 12) holds
what it promises: the compose file gives both bots DATABASE_URL from an env file (never a
literal), one shared files volume and a data volume each, after PostgreSQL is healthy; the image
runs as a user of its own; the systemd template keeps every hardening line of the one-machine
unit; the Caddy and nginx files check /healthz (or fail over) across both instances and publish
exactly the paths the one-machine files publish. Docker cannot run here, so the compose file and
the Dockerfile are read, not run; `systemd-analyze`, `caddy` and `nginx` check their files where
they are installed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BOTS = ("bot1", "bot2")
HARDENING = (
    "User", "Group", "UMask", "NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp",
    "PrivateDevices", "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
    "ProtectControlGroups", "ProtectClock", "ProtectHostname", "RestrictSUIDSGID",
    "RestrictRealtime", "RestrictNamespaces", "LockPersonality", "RestrictAddressFamilies",
    "CapabilityBoundingSet", "KillSignal", "KillMode", "TimeoutStopSec", "ExecStart",
    "StateDirectoryMode",
)  # fmt: skip


def unit(name: str) -> dict[str, list[str]]:
    """A systemd unit's settings, each key with every value it is given, in order."""
    found: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text("utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))


# --- docker compose and the image ----------------------------------------------------------


def test_both_bots_get_the_database_url_from_an_env_file_only() -> None:
    services = compose()["services"]
    assert "postgresql://" not in (DEPLOY / "compose.yaml").read_text("utf-8").replace(
        "DATABASE_URL=postgresql://danso:<password>", ""
    )  # only the comment shows the form, with a placeholder
    for name in BOTS:
        bot = services[name]
        assert bot["env_file"] and all(
            f.startswith("/etc/tro-ly-dan-so/") for f in bot["env_file"]
        )
        assert "DATABASE_URL" not in (bot.get("environment") or {})
        assert "ports" not in bot  # only the proxy is published
    postgres = services["postgres"]
    assert "POSTGRES_PASSWORD" not in (postgres.get("environment") or {})
    assert postgres["env_file"] != services["bot1"]["env_file"]  # the tokens stay with the bots


def test_the_bots_share_the_files_volume_and_keep_their_data_apart() -> None:
    spec = compose()
    mounts = {name: dict(_mount(v) for v in spec["services"][name]["volumes"]) for name in BOTS}
    files = {m["/srv/tro-ly-dan-so/files"] for m in mounts.values()}
    data = {m["/var/lib/tro-ly-dan-so"] for m in mounts.values()}
    assert len(files) == 1 and files <= set(spec["volumes"])
    assert len(data) == len(BOTS) and data <= set(spec["volumes"])
    for name in BOTS:
        config = mounts[name]["/etc/tro-ly-dan-so/config.yaml"]
        assert config.endswith(":ro")


def test_the_bots_start_once_postgres_is_healthy() -> None:
    services = compose()["services"]
    for name in BOTS:
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:15")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])


def test_caddy_in_front_names_both_bots_and_the_cluster_caddyfile() -> None:
    caddy = compose()["services"]["caddy"]
    assert "./Caddyfile.cluster:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    port = _dockerfile_env()["BOT_WEB_PORT"]
    assert caddy["environment"]["BOT_UPSTREAMS"].split() == [f"{b}:{port}" for b in BOTS]


def test_the_image_runs_as_a_user_of_its_own_with_the_locked_dependencies() -> None:
    lines = _dockerfile_lines()
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert lines[0].startswith("FROM python:3.11-slim")
    installs = [line for line in lines if "pip install" in line]
    assert installs and all("-c requirements/lock.txt" in line for line in installs)
    assert any("postgresql-client-15" in line for line in lines)  # backup and restore
    assert lines[-1] == 'CMD ["python", "-m", "bot", "run", "--no-sandbox"]'
    # Every package that pyproject.toml installs is copied into the image.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    packages = [
        p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]
    ]
    copied = {line.split()[1] for line in lines if line.startswith("COPY ")}
    assert set(packages) <= copied


# --- systemd -------------------------------------------------------------------------------


def test_the_template_unit_keeps_the_hardening_of_the_single_unit() -> None:
    single, template = unit("tro-ly-dan-so.service"), unit("tro-ly-dan-so@.service")
    missing = {k: single[k] for k in HARDENING if template.get(k) != single[k]}
    assert missing == {}, f"the template differs from the one-machine unit: {missing}"
    env = template["Environment"]
    assert "BOT_DATA_DIR=/var/lib/tro-ly-dan-so-%i" in env
    assert "BOT_WEB_PORT=808%i" in env
    assert template["EnvironmentFile"][0] == "/etc/tro-ly-dan-so/env"  # DATABASE_URL
    assert template["EnvironmentFile"][-1] == "-/etc/tro-ly-dan-so/instance-%i.env"  # overrides
    assert template["StateDirectory"] == ["tro-ly-dan-so-%i"]
    assert "/srv/tro-ly-dan-so/files" in template["ReadWritePaths"][0].split()
    assert "DATABASE_URL=" not in (DEPLOY / "tro-ly-dan-so@.service").read_text("utf-8")


def test_the_database_backup_unit_dumps_and_packs_the_files() -> None:
    backup = unit("tro-ly-dan-so-pgbackup.service")
    starts = " ".join(backup["ExecStart"])
    assert "-m bot backup -o" in starts and ".pgdump" in starts
    assert "tar -C /srv/tro-ly-dan-so" in starts
    assert backup["UMask"] == ["0077"] and backup["EnvironmentFile"] == ["/etc/tro-ly-dan-so/env"]
    assert unit("tro-ly-dan-so-pgbackup.timer")["Persistent"] == ["true"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
@pytest.mark.parametrize(
    "name", ["tro-ly-dan-so@.service", "tro-ly-dan-so-pgbackup.service",
             "tro-ly-dan-so-pgbackup.timer"],
)  # fmt: skip
def test_the_new_units_parse(name: str) -> None:
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", f"./{name}"], cwd=DEPLOY,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    complaints = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "/opt/tro-ly-dan-so/" not in line
    ]
    assert not complaints, complaints


# --- the proxies ---------------------------------------------------------------------------


def test_the_cluster_caddyfile_checks_healthz_across_both_instances() -> None:
    text = (DEPLOY / "Caddyfile.cluster").read_text("utf-8")
    assert re.search(r"^\s*health_uri /healthz$", text, re.MULTILINE)
    upstreams = re.search(r"reverse_proxy \{\$BOT_UPSTREAMS:([^}]*)\}", text)
    assert upstreams and upstreams[1].split() == ["127.0.0.1:8081", "127.0.0.1:8082"]
    assert _caddy_public(text) == _caddy_public((DEPLOY / "Caddyfile").read_text("utf-8"))
    assert "respond 404" in text
    # A call to an instance that cannot be reached goes to another, its body kept for that.
    assert "lb_try_duration 5s" in text and "request_buffers 1MB" in text
    assert not re.search(r"^\s*log\b", text, re.MULTILINE)  # no access log: links are tokens


def test_the_cluster_nginx_file_balances_both_instances_with_failover() -> None:
    text = (DEPLOY / "nginx-cluster.conf").read_text("utf-8")
    block = re.search(r"upstream (\w+) \{(.*?)\n\}", text, re.DOTALL)
    assert block is not None
    servers = re.findall(r"^\s*server (\S+) (.*);", block[2], re.MULTILINE)
    assert [s[0] for s in servers] == ["127.0.0.1:8081", "127.0.0.1:8082"]
    assert all("max_fails=" in s[1] and "fail_timeout=" in s[1] for s in servers)
    passes = re.findall(r"proxy_pass (\S+);", text)
    assert passes and set(passes) == {f"http://{block[1]}"}
    assert "proxy_next_upstream error timeout http_502 http_503" in text
    single = (DEPLOY / "nginx-tro-ly-dan-so.conf").read_text("utf-8")
    assert _nginx_locations(text) == _nginx_locations(single)
    assert "access_log off;" in text


@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed")
def test_caddy_reads_the_cluster_file_with_the_compose_upstreams(tmp_path: Path) -> None:
    """With the compose file's BOT_UPSTREAMS: both bots, /healthz checked, bodies kept for a
    retry (spelled `buffer_requests` before Caddy 2.6.4, as the file's comment says)."""
    text = (DEPLOY / "Caddyfile.cluster").read_text("utf-8")
    version = subprocess.run(["caddy", "version"], capture_output=True, text=True, check=True)
    found = re.search(r"(\d+)\.(\d+)\.(\d+)", version.stdout)
    if found and tuple(int(n) for n in found.groups()) < (2, 6, 4):
        text = text.replace("request_buffers 1MB", "buffer_requests")
    (tmp_path / "Caddyfile").write_text(text, encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "BOT_UPSTREAMS": "bot1:8080 bot2:8080"}
    done = subprocess.run(
        ["caddy", "adapt", "--adapter", "caddyfile", "--config", "Caddyfile"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    adapted = json.dumps(json.loads(done.stdout))
    assert re.findall(r'"dial": "([^"]+)"', adapted) == ["bot1:8080", "bot2:8080"]
    assert '"uri": "/healthz"' in adapted
    assert '"request_buffers": 1000000' in adapted or '"buffer_requests": true' in adapted


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_cluster_file(tmp_path: Path) -> None:
    """`nginx -t` on the file with a throwaway certificate (and without `http2 on;`, which
    nginx before 1.25 does not know)."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=x", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    live = "/etc/letsencrypt/live/bot.example.gov.vn/"
    site = (DEPLOY / "nginx-cluster.conf").read_text("utf-8")
    site = site.replace(live + "fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace(live + "privkey.pem", str(tmp_path / "key.pem"))
    if not Path("/etc/nginx/proxy_params").exists():
        site = site.replace(" include /etc/nginx/proxy_params;", "")
    (tmp_path / "site.conf").write_text(site.replace("    http2 on;\n", ""), encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; include {tmp_path}/site.conf; }}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_the_env_example_names_database_url_without_a_real_one() -> None:
    lines = (DEPLOY / "env.example").read_text("utf-8").splitlines()
    urls = [line for line in lines if "DATABASE_URL=" in line]
    assert urls and all(line.startswith("#") and "<password>" in line for line in urls)


# --- helpers -------------------------------------------------------------------------------


def _mount(volume: str) -> tuple[str, str]:
    """(target, source[:mode]) of a compose short-form volume."""
    source, target, *mode = volume.split(":")
    return target, ":".join([source, *mode])


def _dockerfile_lines() -> list[str]:
    """Instructions with their continuation lines joined, comments and blanks left out."""
    text = (DEPLOY / "Dockerfile").read_text("utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [line.strip() for line in joined.splitlines() if line.strip()]


def _dockerfile_env() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in _dockerfile_lines():
        if line.startswith("ENV "):
            found |= dict(re.findall(r"(\w+)=(\S+)", line))
    return found


def _caddy_public(text: str) -> list[str]:
    match = re.search(r"@public path (.*)", text)
    assert match is not None
    return match[1].split()


def _nginx_locations(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^\s*location\s+(=|\^~)?\s*(\S+)\s+\{", text, re.MULTILINE)
