"""Reading a typed report: the grammar of ../shared/COMMANDS.md (`parse`), its tokens and
values, the words around a report (polite words, units, villages), and the refusals that show
the message corrected to copy."""
