"""Tests of bot.features, one package per capability, each with its end-to-end scenarios."""
