"""What the tests share: the World harness and the scenario helpers."""
