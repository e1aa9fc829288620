"""Everything that leaves the bot: one send path with the platforms' limits and Zalo's quota,
the durable outbox, progress of bulk sends, quiet hours, files and their signed links."""
