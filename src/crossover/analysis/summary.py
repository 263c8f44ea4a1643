"""``summary.json``: the study's settings and the crossover figures, computed from the study directory alone."""

from __future__ import annotations

import json
from pathlib import Path

from crossover.analysis.crossover import CrossoverFigure, crossover_figures
from crossover.config import CrossoverPoint
from crossover.study.store import RESULT_SCHEMA, StudyStore, write_json


def analyze(root: Path) -> tuple[dict, list[CrossoverFigure]]:
    store = StudyStore(root)
    study = json.loads((root / "study.json").read_text())
    metrics = store.metrics_frame()
    point = study.get("crossover")
    figures = crossover_figures(metrics, CrossoverPoint(**point)) if point and len(metrics) else []
    summary = {
        "schema": RESULT_SCHEMA,
        "study": study["name"],
        "settings": study,
        "finished_runs": len(store.finished_runs()),
        "crossover": {"point": point, "figures": [f.as_dict() for f in figures]},
    }
    write_json(root / "summary.json", summary)
    return summary, figures
