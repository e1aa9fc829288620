"""This process as one of several instances on one PostgreSQL database (docs/architecture.md,
"Several instances"): `join` (membership, and who may long-poll), `role` (the heartbeat, the
lead, the shares of the limits), `turns` (a chat's turn across instances). The database side
is bot/store/postgres/cluster.py."""
