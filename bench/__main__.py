"""Run every benchmark in turn (about ten minutes on 2 quiet cores); the output pastes into
bench/BENCHMARKS.md.

    PYTHONPATH=src python -m bench            # the whole-study timings: python -m bench.studies --preset quick
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPTS = ("train_step", "flops", "generation", "reference_logps", "workers")


def main() -> None:
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here.parent / "src"), str(here.parent)]),
           "TQDM_DISABLE": "1", "TRANSFORMERS_VERBOSITY": "error"}
    for name in SCRIPTS:
        print(f"\n### {name}\n", flush=True)
        done = subprocess.run([sys.executable, "-m", f"bench.{name}"], env=env, cwd=here.parent, text=True,
                              stderr=subprocess.PIPE)
        if done.returncode:  # library warnings are dropped; a failure shows its traceback
            sys.exit(f"bench.{name} failed:\n{done.stderr[-3000:]}")


if __name__ == "__main__":
    main()
