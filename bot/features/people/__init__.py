"""People, accounts and roles: registration, invites, account links, turnover, import,
Zalo seats."""
