"""config.yaml: reading it (with line numbers), its models section by section, and its checks."""
