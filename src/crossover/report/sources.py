"""Everything the report reads, from the study directory alone, as tidy tables.

The analysis tables (``analysis/*.parquet``, CSV where Parquet is absent) and ``summary.json`` come from
``crossover analyze``; run records, training logs and configs from ``runs/``. The figure modules are pure
functions of these tables, so any figure can be rebuilt from a copy of the directory.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from crossover.analysis.load import StudyData, load_study_data
from crossover.analysis.train_logs import dynamics_frame
from crossover.analysis.summary import TABLE_NAMES
from crossover.analysis.tables import read_table
from crossover.errors import CrossoverError
from crossover.report.labels import arm_label

DYNAMICS_KEYS: tuple[str, ...] = ("logps/chosen", "logps/rejected", "rewards/margins", "rewards/accuracies", "kl")
"""Training-log quantities the dynamics plot draws (TRL's DPO-family names; ``kl`` where a run logs it)."""


@dataclass
class ReportInputs:
    root: Path
    study: dict[str, Any]
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    data: StudyData

    @property
    def bases(self) -> list[str]:
        return self.data.bases

    def config(self, run_id: str) -> dict[str, Any]:
        path = self.root / "runs" / run_id / "config.json"
        return json.loads(path.read_text()) if path.exists() else {}


def read_inputs(root: Path) -> ReportInputs:
    """Read a study directory that ``crossover analyze`` has been run on."""
    root = Path(root)
    if not (root / "study.json").exists():
        raise CrossoverError(f"{root}: not a study directory (no study.json)")
    if not (root / "summary.json").exists():
        raise CrossoverError(f"{root}: no summary.json; run `crossover analyze {root}` first")
    summary = json.loads((root / "summary.json").read_text())
    data = load_study_data(root)
    return ReportInputs(root, data.study, summary, {n: read_table(root, n) for n in TABLE_NAMES}, data)


def run_frame(data: StudyData) -> pd.DataFrame:
    """One row per finished run: run_id, arm, seed, annotator, base, family, label."""
    show_base = len(data.bases) > 1
    rows = [{"run_id": r.run_id, "arm": r.arm, "seed": r.seed, "annotator": r.annotator, "base": r.base,
             "family": ">".join(s.method for s in r.stages) or "base", "n_stages": len(r.stages),
             "label": arm_label(r.arm, r.annotator, r.base, show_base)} for r in data.runs.values()]
    return pd.DataFrame(rows, columns=["run_id", "arm", "seed", "annotator", "base", "family", "n_stages", "label"])


def length_frame(data: StudyData) -> pd.DataFrame:
    """One row per probe record with a reply length: the run's columns, probe, split, n_words, baseline_words.

    Self-report answers are left out: they are yes/no replies to a question about the model, not task replies.
    """
    runs = run_frame(data).set_index("run_id")
    rows = []
    for run_id in runs.index:
        for probe, records in data.records(run_id).items():
            if probe == "selfreport":
                continue
            rows += [{"run_id": run_id, "probe": probe, "split": r.get("split", ""), "n_words": float(r["n_words"]),
                      "baseline_words": _number(r.get("baseline_words"))} for r in records if "n_words" in r]
    frame = pd.DataFrame(rows, columns=["run_id", "probe", "split", "n_words", "baseline_words"])
    return frame.join(runs, on="run_id")


def training_curves(data: StudyData) -> pd.DataFrame:
    """The dynamics plot's long table: ``DYNAMICS_KEYS`` per run, stage and step (as ``key``), with the run's
    columns (``run_frame``)."""
    frame = dynamics_frame(data, DYNAMICS_KEYS).rename(columns={"metric": "key"})
    return frame[["run_id", "stage", "method", "step", "key", "value"]].join(run_frame(data).set_index("run_id"),
                                                                          on="run_id")


def _number(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan
