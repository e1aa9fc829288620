"""What directives and surveys (and other sends to an area) share: who an area reaches, the
target grammar and units, the rules of a send from preview to job (sending), the preview's
words, and actions that wait for /xacnhan."""
