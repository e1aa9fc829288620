"""Operations on a whole store: schema migrations when an older store opens (migrations), and
the invariants checked after a restore or a migration (check)."""
