"""The repositories of bot.store.interface, written once over the transaction core of
bot.store.engine, one module per kind of record (named as in the interface), and the store that
assembles them (core_store). The memory and embedded backends are this plus how they persist."""
