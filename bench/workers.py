"""Independent runs in parallel on one machine: the same small study with 1 worker and with one per core.

The study (written here) has one wave of four independent runs (``sft(64)`` and ``dpo(64)`` at two seeds) and small
probes, so it measures the runner's scheduling rather than any one run. One worker runs them in turn on all
threads; ``auto`` runs one single-threaded worker per core.

    PYTHONPATH=src python -m bench.workers
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import machine_line, row
from crossover.config import load_study
from crossover.study.runner import Execution, resolve_workers, run_study

STUDY = """[study]
name = "workers-bench"
seeds = [0, 1]
arms = ["sft(64)", "dpo(64)"]
annotators = ["clean"]

[method.sft]
epochs = 1

[method.dpo]
epochs = 1

[probes]
items = 12
ood_items = 4
"""


def wall_time(workers, work: Path) -> float:
    study = work / "study.toml"
    study.write_text(STUDY)
    started = time.perf_counter()
    outcome = run_study(load_study(study), work / f"out-{workers}", progress=False, log=lambda _: None,
                        execution=Execution(workers=workers))
    if outcome.failures:
        raise SystemExit(f"runs failed: {outcome.failures}")
    return time.perf_counter() - started


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    work = Path(tempfile.mkdtemp(prefix="crossover-bench-"))
    print(machine_line())
    one = wall_time(1, work)
    auto = wall_time("auto", work)
    n = resolve_workers("auto", 4)
    print("| 4 independent runs | wall time |\n| --- | --- |")
    print(row("1 worker (all threads)", f"{one:.0f} s"))
    print(row(f"--workers auto ({n} workers, 1 thread each)", f"{auto:.0f} s ({one / auto:.2f}x faster)"))


if __name__ == "__main__":
    main()
