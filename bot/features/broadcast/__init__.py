"""What directives and surveys (and other sends to an area) share: who an area reaches,
the target grammar, and actions that wait for /xacnhan."""
