"""The composition root: builds the graph from config (wiring), routes events (dispatch), takes
them in (intake) and runs the process (runtime)."""
