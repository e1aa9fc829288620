"""Tests of the web server: webhooks, health, file links."""
