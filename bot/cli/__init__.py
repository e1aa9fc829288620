"""The offline commands of `python -m bot`, one module per command (bot.cli.parser reads them)."""
