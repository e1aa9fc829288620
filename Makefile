# Development tasks. The benchmarks report and never fail: see bench/run.py.

.PHONY: bench

VENV := .venv

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -c requirements/lock.txt -e '.[test]'

bench: $(VENV)/bin/python
	$(VENV)/bin/python bench/run.py
