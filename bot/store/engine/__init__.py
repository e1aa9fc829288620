"""The records held in memory, shared by the memory and embedded backends: tables with their
indexes (tables, report_index, outbox_table), records to JSON and back (codec), and the
transaction core that applies writes, undoes them on failure and hands each commit to a backend
to persist (transaction)."""
