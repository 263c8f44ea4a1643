# The two commands of the README. Both set up .venv on first use (scripts/setup.sh); the tests also install the
# embedding grader and headless Chromium for their tests (scripts/setup-test.sh).
.PHONY: study test test-slow setup setup-test

setup:
	@bash scripts/setup.sh

setup-test:
	@bash scripts/setup-test.sh

study: setup
	.venv/bin/crossover run

test: setup setup-test
	.venv/bin/python -m pytest -q

test-slow: setup setup-test
	.venv/bin/python -m pytest -q -m slow
