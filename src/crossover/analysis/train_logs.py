"""Every training-log number of a study as one tidy table, read back from each finished run's ``train_log.jsonl``.

``dynamics_frame`` is tidy (one row per run, stage, step and metric) for the numbers that describe how training
moved the model: the per-step pair statistics the trainers log, GRPO's sampled rewards and lengths, and the
callback's KL to the reference and reply length (see ``crossover.train.dynamics``). ``endpoints`` reduces it to the
first and last value of each metric in each stage.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from crossover.analysis.load import StudyData

TRACKED = ("loss", "logps/chosen", "logps/rejected", "rewards/margins", "rewards/accuracies", "watch/kl",
           "watch/mean_words", "rewards/proxy/mean", "rewards/gold/mean", "completions/mean_length", "kl",
           "icr/consistency_kl")
COLUMNS = ["run_id", "arm", "annotator", "seed", "stage", "method", "step", "metric", "value"]


def dynamics_frame(data: StudyData, metrics: Sequence[str] = TRACKED) -> pd.DataFrame:
    """One row per finished run, stage, logged step and metric (of ``metrics``) with a finite number."""
    rows = []
    for run in data.runs.values():
        who = {"run_id": run.run_id, "arm": run.arm, "annotator": run.annotator, "seed": run.seed}
        for event in data.train_log(run.run_id):
            if "step" not in event:
                continue
            for metric in metrics:
                value = event.get(metric)
                if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
                    rows.append({**who, "stage": int(event.get("stage", 1)), "method": event.get("method", ""),
                                 "step": int(event["step"]), "metric": metric, "value": float(value)})
    return pd.DataFrame(rows, columns=COLUMNS)


def endpoints(frame: pd.DataFrame) -> pd.DataFrame:
    """First and last logged value of each metric in each stage of each run (columns ``start``, ``end``)."""
    ordered = frame.sort_values("step")
    keys = ["arm", "annotator", "seed", "stage", "method", "metric"]
    grouped = ordered.groupby(keys, sort=True)["value"]
    return pd.DataFrame({"start": grouped.first(), "end": grouped.last()}).reset_index()
