"""Fixtures of the tests of several instances: a database of the test's own, the proxy in front
of the instances, and the cluster (stopped before the fakes and the database go)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.cluster.scene import PUBLIC, sql
from tests.fakes.telegram_api import FakeTelegram
from tests.support import pg
from tests.support.cluster import Cluster, WebhookProxy


@pytest.fixture
def database() -> Iterator[str]:
    """An empty PostgreSQL database for the instances (skipped without a server, failed under
    CI), dropped after the test whoever is still connected.

    Its commits do not wait for the disk (synchronous_commit off): a commit is still visible to
    every session at once and survives any client's death (these tests kill bots, never the
    server); only a crash of PostgreSQL itself could lose the last moment's commits. It makes
    the bursts here three times faster on a shared machine."""
    url = pg.create_database("bot_cluster")
    name = urlsplit(url).path.lstrip("/")
    sql(pg.server_url(), f'alter database "{name}" set synchronous_commit = off')
    try:
        yield url
    finally:
        pg.drop_database(url)


@pytest.fixture
async def proxy(fake_telegram: FakeTelegram) -> AsyncIterator[WebhookProxy]:
    """The load balancer: the fake Telegram's webhook calls to PUBLIC go through it."""
    server = WebhookProxy()
    await server.start()
    fake_telegram.public_hosts[PUBLIC] = server.base_url
    yield server
    await server.stop()


ClusterMaker = Callable[..., Cluster]


@pytest.fixture
async def make_cluster(
    database: str, tmp_path: Path, proxy: WebhookProxy
) -> AsyncIterator[ClusterMaker]:
    """Builds the cluster of a config and environment; every instance is stopped at the end."""
    made: list[Cluster] = []

    def make(config: Path, environ: Mapping[str, str], names: tuple[str, ...] = ("a", "b")):
        cluster = Cluster(tmp_path, config, environ, proxy, names)
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        await cluster.stop()
