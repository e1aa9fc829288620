"""Personal data: consent, retention purge, one person's export and erasure, housekeeping."""
