"""Outbox items on disk: one TinyDB-format file per job, rewritten only when its items changed.

Why per job: a large outbox is mostly finished jobs whose items never change again, so a
checkpoint (every few MB of journal, i.e. every few thousand sends) must not re-encode them.
A changed file is patched, not rebuilt: its JSON is parsed (fast, in C) and only the changed
items are encoded again. Doc ids are item ids, so `TinyDB(path).table("outbox").get(doc_id=7)`
finds item 7. A job file whose items are all gone (compacted) is deleted.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.core.models import OutboxItem
from bot.store.embedded.atomic import write_json_atomic
from bot.store.embedded.shards import read_json
from bot.store.engine.codec import decode, encode
from bot.store.engine.outbox_table import OutboxTable

log = logging.getLogger(__name__)

TABLE = "outbox"  # the TinyDB table name inside each job file


def job_file(folder: Path, job_id: int) -> Path:
    return folder / f"{job_id}.json"


def load_outbox(folder: Path, table: OutboxTable) -> int:
    """Read every job file into `table`; returns the number of items read."""
    count = 0
    for path in sorted(folder.glob("*.json")):
        docs = read_json(path).get(TABLE, {})
        table.load([decode(OutboxItem, doc) for doc in docs.values()])
        count += len(docs)
    return count


def checkpoint_outbox(folder: Path, table: OutboxTable) -> int:
    """Write the job files whose items changed since the last checkpoint; the caller fsyncs
    the folder and only then empties the journal. Returns the number of files touched."""
    touched = 0
    changes = table.take_changes()
    try:
        for job_id in sorted(changes):
            path = job_file(folder, job_id)
            docs = read_json(path).get(TABLE, {}) if path.exists() else {}
            for item_id in sorted(changes[job_id]):
                item: OutboxItem | None = table.rows.get(item_id)
                if item is None or item.job_id != job_id:
                    docs.pop(str(item_id), None)
                else:
                    docs[str(item_id)] = encode(item)
            if docs:
                write_json_atomic(path, {TABLE: docs})
                touched += 1
            elif path.exists():
                path.unlink()
                touched += 1
            del changes[job_id]
    except BaseException:
        # Whatever was not written stays to do at the next checkpoint (the journal keeps it).
        for job_id, ids in changes.items():
            table.mark_changed(job_id, ids)
        raise
    return touched
