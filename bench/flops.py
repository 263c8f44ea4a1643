"""Achieved FLOP/s of wind-tunnel training against this machine's measured fp32 matrix-multiply rate.

The matmul rate is the best of square fp32 ``torch.mm`` at a few sizes (the machine's practical peak on the threads
torch uses). Training FLOPs are counted, not estimated: a second, identical trainer (same seed, so the same batches
in the same order) runs its epoch under ``torch.utils.flop_counter.FlopCounterMode``; the timed trainer's wall time
divides that count. Padding tokens count as work done (they are computed), so the ratio measures the machine's use,
not the share of useful tokens, which is printed beside it.

    PYTHONPATH=src python -m bench.flops [--rows 256]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from bench.common import machine_line, row, timed, world_rows
from bench.train_step import KIND, our_trainer


def matmul_rate(seconds: float = 1.0) -> float:
    """Best fp32 matmul FLOP/s over square sizes 256..2048."""
    best = 0.0
    for n in (256, 512, 1024, 2048):
        a, b = torch.randn(n, n), torch.randn(n, n)
        a @ b
        reps = max(2, int(seconds * 3e10 / (2 * n ** 3)))
        best = max(best, 2 * n ** 3 * reps / timed(lambda: [a @ b for _ in range(reps)], repeats=2))
    return best


def model_shaped_rate(tokens: int = 700) -> float:
    """fp32 FLOP/s of the wind-tunnel model's own largest matmul (a batch's tokens x hidden 192 -> MLP 512): the
    ceiling its training could reach on this machine, well below the large-square rate."""
    x, w = torch.randn(tokens, 192), torch.randn(512, 192)
    reps = 200
    return 2 * tokens * 192 * 512 * reps / timed(lambda: [x @ w.T for _ in range(reps)], repeats=2)


def counted_flops(method: str, rows: list, work: Path) -> tuple[int, float]:
    """FLOPs of one training epoch, and the share of non-padding tokens in its batches."""
    trainer, _ = our_trainer(method, rows, work)
    real = padded = 0
    for batch in trainer.get_train_dataloader():
        real += int(batch["attention_mask"].sum())
        padded += batch["attention_mask"].numel()
    with FlopCounterMode(display=False) as counter:
        trainer.train()
    return counter.get_total_flops(), real / padded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=256)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="crossover-bench-"))
    print(machine_line())
    peak = matmul_rate()
    print("| measured | value |\n| --- | --- |")
    print(row("fp32 matmul rate (best square size)", f"{peak / 1e9:.1f} GFLOP/s"))
    shaped = model_shaped_rate()
    print(row("fp32 matmul rate at the model's shape (700x192 @ 192x512)",
              f"{shaped / 1e9:.1f} GFLOP/s ({100 * shaped / peak:.0f}% of the best)"), flush=True)
    for method in ("sft", "dpo"):
        rows = world_rows(KIND[method], args.rows)
        flops, useful = counted_flops(method, rows, work)
        trainer, _ = our_trainer(method, rows, work)
        seconds = timed(trainer.train)
        rate = flops / seconds
        print(row(f"{method.upper()} training at batch 16: {flops / 1e9:.1f} GFLOP in {seconds:.1f} s = "
                  f"{rate / 1e9:.1f} GFLOP/s ({100 * useful:.0f}% of tokens not padding)",
                  f"{100 * rate / peak:.0f}% of the matmul rate"), flush=True)


if __name__ == "__main__":
    main()
