# The two commands of the README. Both set up .venv on first use (scripts/setup.sh).
.PHONY: study test test-slow setup

setup:
	@bash scripts/setup.sh

study: setup
	.venv/bin/crossover run

test: setup
	.venv/bin/python -m pytest -q

test-slow: setup
	.venv/bin/python -m pytest -q -m slow
