"""What sharing reference log-probs saves: the reference pass of a DPO stage, computed once and then read back.

A quick-study-sized DPO stage (250 pairs, batch 16) from the shipped base is built twice against one cache
directory: the first build runs TRL's reference pass and fills the cache, the second reads it. Every further arm
that starts from the same model on the same pairs (``dpo``, ``rdpo``, ``dpop``, ``icr``, a ``beta`` sweep) saves the
difference; ``studies/preference-family.toml`` has four such stages per seed.

    PYTHONPATH=src python -m bench.reference_logps [--pairs 250]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import build_trainer, machine_line, row, world_rows


def build_seconds(rows: list, work: Path, cache: Path | None) -> float:
    started = time.perf_counter()
    build_trainer("dpo", rows, work, reference_cache=cache)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=250)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="crossover-bench-"))
    rows = world_rows("pairs", args.pairs)
    print(machine_line())
    computed = build_seconds(rows, work, work / "cache")
    reused = build_seconds(rows, work, work / "cache")
    print("| DPO stage set-up (tokenise + reference log-probs) | seconds |\n| --- | --- |")
    print(row(f"{args.pairs} pairs, reference pass computed (first arm on these pairs)", f"{computed:.1f}"))
    print(row(f"{args.pairs} pairs, reference log-probs read back (every further arm)", f"{reused:.1f}"))


if __name__ == "__main__":
    main()
