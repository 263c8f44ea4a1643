"""Every training-log number of a study as one tidy table, read back from each finished run's ``train_log.jsonl``.

``dynamics_frame`` is tidy (one row per run, stage, step and metric) for the numbers that describe how training
moved the model: the per-step pair statistics the trainers log, GRPO's sampled rewards and lengths, and the
callback's KL to the reference and reply length (see ``crossover.train.dynamics``). ``endpoints`` reduces it to the
first and last value of each metric in each stage.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from crossover.study.store import StudyStore

TRACKED = ("loss", "logps/chosen", "logps/rejected", "rewards/margins", "rewards/accuracies", "watch/kl",
           "watch/mean_words", "rewards/proxy/mean", "rewards/gold/mean", "completions/mean_length", "kl",
           "icr/consistency_kl")
COLUMNS = ["run_id", "arm", "annotator", "seed", "stage", "method", "step", "metric", "value"]


def dynamics_frame(root: Path) -> pd.DataFrame:
    rows = []
    for run in StudyStore(root).finished_runs():
        config = json.loads((run / "config.json").read_text())
        who = {"run_id": run.name, "arm": config["spec"]["arm"], "annotator": config.get("annotator_name", ""),
               "seed": config["spec"]["seed"]}
        for line in (run / "train_log.jsonl").read_text().splitlines():
            event = json.loads(line)
            for metric in TRACKED:
                if isinstance(event.get(metric), int | float):
                    rows.append({**who, "stage": event["stage"], "method": event["method"], "step": event["step"],
                                 "metric": metric, "value": float(event[metric])})
    return pd.DataFrame(rows, columns=COLUMNS)


def endpoints(frame: pd.DataFrame) -> pd.DataFrame:
    """First and last logged value of each metric in each stage of each run (columns ``start``, ``end``)."""
    ordered = frame.sort_values("step")
    keys = ["arm", "annotator", "seed", "stage", "method", "metric"]
    grouped = ordered.groupby(keys, sort=True)["value"]
    return pd.DataFrame({"start": grouped.first(), "end": grouped.last()}).reset_index()
