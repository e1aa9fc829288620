"""Field reports: the grammar of /baocao, report types, submit, correct, retract, and
their chat text."""
