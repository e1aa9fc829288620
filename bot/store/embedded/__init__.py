"""The embedded backend, the default: the repositories of bot.store.repos over a transaction core
that persists to one data directory, as TinyDB-format JSON checkpoints plus an append-only commit
journal (tinydb_store, journal), reports in shards read on demand (shards), one file per outbox
job (outbox_files), crash-safe file writes and the directory's locks (atomic), and backup
archives of the directory (backup)."""
