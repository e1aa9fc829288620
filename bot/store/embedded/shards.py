"""Reports kept on disk in one TinyDB-format file per (period, type), loaded lazily, with an index.

Start-up reads only the shards' index files (a few fields per report). A shard's records are
read when something asks for one of them, and a few recent shards stay cached. Shards are split
by type as well as period because a digest reads one type of one period: a cold digest then
loads ~830 village reports, not every type of the month. Writes since the last checkpoint stay
in memory (they are in the journal) and are merged into their shard file at the next
checkpoint, so a write never touches a shard file.
"""

from __future__ import annotations

import gc
import json
import logging
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

from bot.core.file_writes import private_dir
from bot.core.models import Report
from bot.store.base import StoreCorruptError
from bot.store.embedded.atomic import write_json_atomic
from bot.store.engine.codec import decode, encode
from bot.store.engine.report_index import ReportIndex, Row, row_of, row_of_doc
from bot.store.engine.tables import Key, ReportTable

log = logging.getLogger(__name__)

TABLE = "reports"  # the TinyDB table name inside each shard file
INDEX_SUFFIX = ".idx.json"
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")

ShardKey = tuple[str, str]  # (period, type)


def _part(text: str) -> str:
    return text if _PLAIN.fullmatch(text) else "~" + text.encode().hex()


def shard_stem(shard: ShardKey) -> str:
    """A file name for the shard: `2026-11.sinh` when both parts are plain, else with `~` + hex
    for the odd part (no dots inside a part, so names never collide)."""
    period, type_ = shard
    return f"{_part(period)}.{_part(type_)}"


def shard_of(row: Row | Report) -> ShardKey:
    return (row.period, row.type)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except ValueError as exc:
        # Checkpoint files are replaced atomically, so this is outside damage: do not guess.
        msg = f"cannot read store file {path}: {exc}"
        raise StoreCorruptError(msg) from exc


def _index_doc(shard: ShardKey, docs: dict[Key, Any]) -> dict[str, Any]:
    """A shard's index file: its rows as columns (period and type are the shard's), which
    loads several times faster than a list per row."""
    rows = [row_of_doc(doc) for doc in docs.values()]
    period, type_ = shard
    return {
        "period": period,
        "type": type_,
        "ids": [doc["id"] for doc in docs.values()],
        "versions": [r.version for r in rows],
        "areas": [r.area for r in rows],
        "reporters": [r.reporter for r in rows],
        "received": [r.received for r in rows],
        "numbers": [r.number for r in rows],
    }


class ShardedReportTable(ReportTable):
    """Report versions by (id, version): index in memory, records in shards on disk."""

    def __init__(self, folder: Path, *, cache_size: int = 16) -> None:
        self.index = ReportIndex()
        self.folder = folder
        private_dir(folder)
        self._pending: dict[ShardKey, dict[Key, Report | None]] = {}
        self._cache: OrderedDict[ShardKey, dict[Key, Any]] = OrderedDict()
        self._cache_size = max(1, cache_size)

    def load_index(self) -> None:
        """Read every shard's index file (or the shard itself, when its index file is missing).

        Garbage collection waits meanwhile: the ~100k rows are all kept, and a collection pass
        over them every few thousand would cost more than the reading itself."""
        indexed = set()
        collecting = gc.isenabled()
        gc.disable()
        try:
            for path in sorted(self.folder.glob("*" + INDEX_SUFFIX)):
                self._load_index_file(read_json(path))
                indexed.add(path.name[: -len(INDEX_SUFFIX)])
        finally:
            if collecting:
                gc.enable()
        for path in sorted(self.folder.glob("*.json")):
            stem = path.name[: -len(".json")]
            if not path.name.endswith(INDEX_SUFFIX) and stem not in indexed:
                log.warning("report shard %s has no index file; indexing it", path)
                docs = self._read_docs(path).values()
                self.index.load((doc["id"], row_of_doc(doc)) for doc in docs)

    def _load_index_file(self, data: dict[str, Any]) -> None:
        if "rows" in data:  # the older layout: one [id, *Row] list per report version
            rows = data["rows"]
            if any(r[2] != data["period"] or r[3] != data["type"] for r in rows):
                self.index.load((r[0], Row(*r[1:])) for r in rows)
                return
            data = {"ids": [r[0] for r in rows], "versions": [r[1] for r in rows],
                    "areas": [r[4] for r in rows], "reporters": [r[5] for r in rows],
                    "received": [r[6] for r in rows], **data}  # fmt: skip
        columns = (data["versions"], data["areas"], data["reporters"], data["received"])
        numbers = data.get("numbers")  # absent in index files written before report numbers
        self.index.load_columns(data["period"], data["type"], data["ids"], columns, numbers)

    @property
    def dirty(self) -> bool:
        return bool(self._pending)

    def get(self, key: Key) -> Report | None:
        report_id, version = key  # type: ignore[misc]  # reports are keyed by (id, version)
        row = self.index.row(report_id, version)
        if row is None:
            return None
        pending = self._pending.get(shard_of(row))
        if pending is not None and key in pending:
            return pending[key]
        shard = self._shard(shard_of(row))
        found = shard.get(key)
        if isinstance(found, dict):
            found = shard[key] = decode(Report, found)  # decode once, on first use
        return found

    def set(self, key: Key, value: Report | None) -> None:
        report_id, version = key  # type: ignore[misc]
        old = self.index.row(report_id, version)
        if old is not None:
            self.index.remove(report_id, version)
            if value is None or shard_of(old) != shard_of(value):
                self._pending.setdefault(shard_of(old), {})[key] = None
        if value is not None:
            self.index.add(report_id, row_of(value))
            self._pending.setdefault(shard_of(value), {})[key] = value

    def checkpoint(self) -> int:
        """Merge the writes since the last checkpoint into their shard files; the caller fsyncs
        the folder and only then empties the journal. Returns the number of files written."""
        written = 0
        for shard_key, changes in list(self._pending.items()):
            stem = shard_stem(shard_key)
            path = self.folder / f"{stem}.json"
            docs = self._read_docs(path) if path.exists() else {}
            for key, report in changes.items():
                if report is None:
                    docs.pop(key, None)
                else:
                    docs[key] = encode(report)
            if docs or path.exists():
                # TinyDB's own layout: {table: {doc_id: document}}; doc ids are positions.
                shard = {str(n): doc for n, doc in enumerate(docs.values(), 1)}
                write_json_atomic(path, {TABLE: shard})
                write_json_atomic(self.folder / (stem + INDEX_SUFFIX), _index_doc(shard_key, docs))
                written += 2
            cached = self._cache.get(shard_key)
            if cached is not None:
                for key, report in changes.items():
                    if report is None:
                        cached.pop(key, None)
                    else:
                        cached[key] = report
            del self._pending[shard_key]
        return written

    def _shard(self, key: ShardKey) -> dict[Key, Any]:
        shard = self._cache.get(key)
        if shard is not None:
            self._cache.move_to_end(key)
            return shard
        path = self.folder / f"{shard_stem(key)}.json"
        shard = self._read_docs(path) if path.exists() else {}
        self._cache[key] = shard
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return shard

    @staticmethod
    def _read_docs(path: Path) -> dict[Key, Any]:
        data = read_json(path)
        return {(doc["id"], doc.get("version", 1)): doc for doc in data.get(TABLE, {}).values()}
