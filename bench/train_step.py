"""Our training step against a plain PyTorch loop on the same model, batch and loss (SFT and DPO).

Ours: a crossover stage's TRL trainer (``trainer.train()``, with the stage's own callbacks) over ``--rows`` rows
for one epoch. Plain: the same model weights, the trainer's own tokenised rows and collator in a bare
``DataLoader``, fused AdamW and a linear schedule, forward, loss, backward, clip at 1 (as the trainer), step; the DPO
loss is the paper's ``-log sigmoid(beta * margin)`` on summed completion log-probs, reference log-probs read from
the batch as TRL precomputes them. Trainer construction (tokenisation, reference pass) is timed apart: it is once
per stage.

    PYTHONPATH=src python -m bench.train_step [--rows 256] [--repeats 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader
from transformers import PrinterCallback

from bench.common import build_trainer, machine_line, row, timed, world_rows
from crossover.train.callbacks import JsonlLog, NonFiniteLossGuard

KIND = {"sft": "demonstrations", "dpo": "pairs"}
COLUMNS = {"sft": ["input_ids", "labels"], "dpo": ["prompt_ids", "chosen_ids", "rejected_ids", "ref_chosen_logps",
                                                   "ref_rejected_logps"]}


def sft_loss(model, batch) -> torch.Tensor:
    return model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=batch["labels"]).loss


def dpo_loss(model, batch, beta: float = 0.1) -> torch.Tensor:
    """Rafailov et al. 2023, eq. 7: -log sigmoid(beta * ((c - ref_c) - (r - ref_r))), summed completion log-probs."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1]
    mask = batch["completion_mask"][:, 1:]
    per_token = torch.log_softmax(logits.float(), -1).gather(-1, batch["input_ids"][:, 1:, None]).squeeze(-1)
    chosen, rejected = (per_token * mask).sum(1).chunk(2)
    margin = (chosen - batch["ref_chosen_logps"]) - (rejected - batch["ref_rejected_logps"])
    return -F.logsigmoid(beta * margin).mean()


LOSSES = {"sft": sft_loss, "dpo": dpo_loss}


def plain_loader(trainer, method: str) -> DataLoader:
    """The trainer's tokenised rows and collator in a bare DataLoader (the loop's data cost is counted too)."""
    dataset = trainer.train_dataset.select_columns(COLUMNS[method])
    return DataLoader(dataset, batch_size=trainer.args.per_device_train_batch_size, shuffle=True,
                      collate_fn=trainer.data_collator)


def plain_loop(model, loader: DataLoader, method: str, lr: float) -> int:
    """One epoch of the textbook loop; returns the number of optimiser steps."""
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0, fused=True)  # the trainer's default
    steps = len(loader)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: 1 - s / steps)
    for batch in loader:
        loss = LOSSES[method](model, batch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # the trainer's max_grad_norm: same recipe
        optimiser.step()
        schedule.step()
        optimiser.zero_grad(set_to_none=True)
    return steps


def our_trainer(method: str, rows: list, work: Path):
    """A stage's trainer with the callbacks a stage runs with; also returns how long building it took."""
    started = time.perf_counter()
    log = work / f"{method}-{time.time_ns()}.jsonl"
    trainer = build_trainer(method, rows, work, callbacks=[JsonlLog(log, 1, method), NonFiniteLossGuard(method)])
    trainer.remove_callback(PrinterCallback)  # as a stage does
    return trainer, time.perf_counter() - started


def compare(method: str, rows_n: int, repeats: int, work: Path) -> dict[str, float]:
    rows = world_rows(KIND[method], rows_n)
    ours, plain, build = float("inf"), float("inf"), 0.0
    for _ in range(repeats):  # interleaved, so a burst of load from other jobs hits both sides alike
        trainer, build = our_trainer(method, rows, work)
        ours = min(ours, timed(trainer.train))
        fresh, _ = our_trainer(method, rows, work)
        loader = plain_loader(fresh, method)
        plain = min(plain, timed(lambda: plain_loop(fresh.model, loader, method, fresh.args.learning_rate)))
    steps = len(plain_loader(trainer, method))
    return {"ours": ours, "plain": plain, "steps": steps, "build": build}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="crossover-bench-"))
    print(machine_line())
    print("| training step (batch 16, one epoch) | ours / plain loop |\n| --- | --- |")
    for method in ("sft", "dpo"):
        r = compare(method, args.rows, args.repeats, work)
        print(row(f"{method.upper()}: {r['steps']} steps, ours {1e3 * r['ours'] / r['steps']:.1f} ms/step, plain "
                  f"{1e3 * r['plain'] / r['steps']:.1f} ms/step (trainer built in {r['build']:.1f} s)",
                  f"{r['ours'] / r['plain']:.2f}x"), flush=True)


if __name__ == "__main__":
    main()
