"""Wall time of a whole study from the command line (``crossover run --preset quick`` or ``full``) on this machine.

    PYTHONPATH=src python -m bench.studies --preset quick [--workers auto]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from bench.common import machine_line, row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="quick")
    parser.add_argument("--workers", default="auto")
    args = parser.parse_args()
    out = tempfile.mkdtemp(prefix=f"crossover-bench-{args.preset}-")
    print(machine_line())
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "crossover", "run", "--preset", args.preset, "--out", out, "--quiet",
                    "--workers", args.workers], check=True, stdout=subprocess.DEVNULL, env=os.environ)
    minutes = (time.perf_counter() - started) / 60
    command = f"`crossover run --preset {args.preset} --workers {args.workers}`, fresh directory"
    print(row(command, f"{minutes:.1f} min"))
    print("machine after: " + machine_line().split("load average ")[1])


if __name__ == "__main__":
    main()
