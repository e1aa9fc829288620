"""Tests of bot.app: dispatch, intake, the process's life."""
