"""The first schema: one table per kind of record, the intake, and the cluster's tables.

Every record table keeps its key columns and the record as the embedded store encodes it
(`doc`, json: kept as written, so a report's fields stay in the order they were given, which
jsonb would sort; meta and quota are jsonb, changed in place by their counters); columns a
query needs are taken out of the record and indexed, and a person's data is found through GIN
indexes on `doc::jsonb`. Uniqueness that
the embedded store checks in code is a constraint here: a report version (primary key), an
account owned once (accounts.key), an update taken in once (intake.key), a person's
acknowledgement once (acks), a report number on one report (unique among the latest versions),
a reminder firing once (reminder_firings). Text keys sort by code point (COLLATE "C"), as the
other backends sort them.

Revision ID: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Tables that are a key and the record, nothing else.
_ID_DOCS = (
    "registrations", "outbox_jobs", "directives", "reminders", "questions", "handbook",
    "clarifications", "sightings", "surveys", "audit", "access_log", "webhook_deliveries",
    "absences",
)  # fmt: skip
# Tables a person's data is looked for in by the fields of the record (jsonb containment).
_SEARCHED = (
    "registrations", "questions", "sightings", "survey_answers", "audit", "access_log",
    "link_codes", "absences", "report_returns", "outbox_jobs", "invites", "prompts",
)  # fmt: skip

_SCHEMA = """
CREATE TABLE meta (key text COLLATE "C" PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE people (id bigint PRIMARY KEY, doc json NOT NULL);
CREATE TABLE accounts (
    key text COLLATE "C" PRIMARY KEY,
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE
);
CREATE INDEX accounts_person ON accounts (person_id);
CREATE TABLE groups (chat_key text COLLATE "C" PRIMARY KEY, doc json NOT NULL);
CREATE TABLE link_codes (code text COLLATE "C" PRIMARY KEY, doc json NOT NULL);
CREATE TABLE invites (code text COLLATE "C" PRIMARY KEY, doc json NOT NULL);
CREATE TABLE prompts (
    chat_key text COLLATE "C", user_key text COLLATE "C", doc json NOT NULL,
    PRIMARY KEY (chat_key, user_key)
);
CREATE TABLE quota (
    bot text COLLATE "C", month text COLLATE "C", doc jsonb NOT NULL, PRIMARY KEY (bot, month)
);
CREATE TABLE acks (
    directive_id bigint, person_id bigint, doc json NOT NULL,
    PRIMARY KEY (directive_id, person_id)
);
CREATE INDEX acks_person ON acks (person_id);
CREATE TABLE survey_answers (
    survey_id bigint, voter text COLLATE "C", doc json NOT NULL, PRIMARY KEY (survey_id, voter)
);
CREATE TABLE report_returns (number bigint PRIMARY KEY, doc json NOT NULL);
CREATE TABLE period_checks (
    area text COLLATE "C", period text COLLATE "C", doc json NOT NULL, PRIMARY KEY (area, period)
);

CREATE TABLE reports (
    id text COLLATE "C",
    version integer,
    number bigint NOT NULL,
    type text COLLATE "C" NOT NULL,
    period text COLLATE "C" NOT NULL,
    area text COLLATE "C" NOT NULL,
    reporter bigint NOT NULL,
    received_at timestamptz NOT NULL,
    head boolean NOT NULL DEFAULT false,
    doc json NOT NULL,
    PRIMARY KEY (id, version)
);
CREATE INDEX reports_in_period ON reports (type, period, area, id) WHERE head;
CREATE INDEX reports_latest_by_reporter ON reports (reporter, received_at DESC, id) WHERE head;
CREATE UNIQUE INDEX reports_number ON reports (number) WHERE head;
CREATE INDEX reports_reporter ON reports (reporter);
CREATE INDEX reports_area ON reports (area);
CREATE INDEX reports_received ON reports (received_at);

CREATE TABLE outbox (
    id bigint PRIMARY KEY,
    job_id bigint NOT NULL,
    chat_key text COLLATE "C" NOT NULL,
    status text NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    claimed_by text NOT NULL DEFAULT '',
    recipient bigint,
    doc json NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_backlog ON outbox (created_at, id) WHERE status IN ('pending', 'inflight');
CREATE INDEX outbox_inflight ON outbox (chat_key, id) WHERE status = 'inflight';
CREATE INDEX outbox_job ON outbox (job_id, id);
CREATE INDEX outbox_job_backlog ON outbox (job_id) WHERE status IN ('pending', 'inflight');
CREATE INDEX outbox_chat ON outbox (chat_key);
CREATE INDEX outbox_recipient ON outbox (recipient) WHERE recipient IS NOT NULL;
CREATE INDEX outbox_created ON outbox (created_at);

-- Intake: one row per platform update, from the moment it is taken in (incoming kept until
-- handled) until purged long after it was handled; the key decides "taken in once".
CREATE TABLE intake (
    key text COLLATE "C" PRIMARY KEY,
    chat_key text COLLATE "C" NOT NULL DEFAULT '',
    sender text COLLATE "C" NOT NULL DEFAULT '',
    seq bigint GENERATED ALWAYS AS IDENTITY,
    received_at timestamptz NOT NULL,
    incoming json,
    handled_at timestamptz
);
CREATE INDEX intake_waiting ON intake (seq) WHERE handled_at IS NULL;
CREATE INDEX intake_chat_waiting ON intake (chat_key, seq) WHERE handled_at IS NULL;
CREATE INDEX intake_handled ON intake (handled_at) WHERE handled_at IS NOT NULL;

-- For the cluster (bot/store/postgres/cluster.py): instances alive, who handles a chat now,
-- and each reminder firing once.
CREATE TABLE instances (
    id text PRIMARY KEY,
    host text NOT NULL,
    pid integer NOT NULL,
    started_at timestamptz NOT NULL,
    seen_at timestamptz NOT NULL,
    info jsonb NOT NULL DEFAULT '{}'
);
CREATE TABLE chat_turns (
    chat_key text PRIMARY KEY,
    instance text NOT NULL,
    until timestamptz NOT NULL
);
-- When each chat may take its next message, whichever instance sends it (the platforms count
-- per chat, not per process); `token` says whose reservation is the latest.
CREATE TABLE chat_sends (
    chat_key text PRIMARY KEY,
    slot timestamptz NOT NULL,
    next_at timestamptz NOT NULL,
    token bigint NOT NULL
);
CREATE TABLE reminder_firings (
    reminder_id bigint NOT NULL,
    due_at timestamptz NOT NULL,
    fired_at timestamptz NOT NULL,
    instance text NOT NULL DEFAULT '',
    PRIMARY KEY (reminder_id, due_at)
);
"""


def upgrade() -> None:
    for table in _ID_DOCS:
        op.execute(f"CREATE TABLE {table} (id bigint PRIMARY KEY, doc json NOT NULL)")
    op.execute(_SCHEMA)
    for table in _SEARCHED:
        op.execute(f"CREATE INDEX {table}_doc ON {table} USING gin ((doc::jsonb) jsonb_path_ops)")


def downgrade() -> None:
    op.execute(
        "DROP TABLE IF EXISTS reminder_firings, chat_turns, instances, intake, outbox, reports, "
        "period_checks, report_returns, survey_answers, acks, quota, prompts, invites, "
        "link_codes, groups, accounts, people, meta, " + ", ".join(_ID_DOCS)
    )
