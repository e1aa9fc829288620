"""Reminders (/nhac): their grammar, their timing, and what each firing sends."""
