"""The audit trail of privileged actions, and its words for /nhatky."""
