"""Several bot instances on one PostgreSQL database (issue #19, "Show"): two real bot processes
behind a round-robin proxy (tests/support/cluster.py), the fakes as the platforms. Each test has
a database of its own and skips without PostgreSQL (fails under CI). One at a time:
`.venv/bin/pytest -p no:xdist tests/cluster`.

- test_report_burst: 1,000 reports from 200 people, one instance killed mid-burst;
- test_broadcast_kill: a directive to 150 groups, the instance sending it killed mid-broadcast,
  Telegram's limits kept by the two together;
- test_leader_failover: the scheduler leader killed a second before a reminder is due;
- test_same_update: one update POSTed to both instances at once;
- test_polling: a second instance refuses to long-poll;
- test_file_links: a link signed by one instance opens on the other.
"""
