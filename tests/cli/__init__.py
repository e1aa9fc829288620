"""Tests of bot.cli (the offline commands, run as processes)."""
