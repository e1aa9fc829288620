"""The officers' review of field reports: a report returned to its collaborator with a reason
(`/tralai`), accepted as it was (`/chapnhan`), and a village's period marked as checked
(`/daduyet`), with every later change flagged to the officer who checked it."""
