"""The PostgreSQL half of `backup` and `restore`: pg_dump and pg_restore (`backup`), the
client programs and the address they get (`tools`), what restore checks first (`checks`)."""
