"""``analyze``: the single entry point from a study directory to ``summary.json`` and the analysis tables.

Reads only the study directory. Writes ``DIR/summary.json`` and ``DIR/analysis/*.{csv,parquet}`` (see
``tables.py``) and returns everything it wrote as an ``Analysis``.

``summary.json`` (schema 2): ``schema``, ``study``, ``settings`` (study.json), ``finished_runs``, ``provenance``,
``cost`` (the prices used), ``bootstrap`` (draws, confidence, seed, method), ``crossover`` (``point`` and
``figures``: one breakeven row per annotator and metric, as in ``breakeven.csv``, plus ``words``),
``crossover_budget`` (rows of ``crossover_budget.csv``), ``flags`` (``thresholds`` and the ``raised`` rows of
``flags.csv``), ``overoptimisation`` (``note`` and ``fits``) and ``tables`` (paths). Non-finite numbers are
written as null; the status fields next to them say what they meant (e.g. an unbounded r*).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossover.analysis import flags as flag_rules
from crossover.analysis.allocation import allocation_rows
from crossover.analysis.bootstrap import BootstrapSettings
from crossover.analysis.breakeven import BreakevenFigure, breakeven_figures
from crossover.analysis.context import Context
from crossover.analysis.cost import CostModel
from crossover.analysis.flags import flag_rows
from crossover.analysis.gains import arm_rows
from crossover.analysis.load import load_study_data
from crossover.analysis.overoptimisation import overoptimisation
from crossover.analysis.tables import frame, write_tables
from crossover.config import CrossoverPoint
from crossover.errors import CrossoverError
from crossover.provenance import provenance
from crossover.study.store import write_json

SUMMARY_SCHEMA = 2
"""1: point estimates only; 2: intervals, cost model, crossover budget, flags, over-optimisation, tables."""

METHOD_NOTE = (
    "Intervals: multiplier bootstrap over seeds and probe items, paired by seed and item, with seed, item and "
    "residual variance components separated by the method of moments and widened to Student t with Satterthwaite "
    "degrees of freedom; percentile intervals. r*: test inversion (Fieller-type), unbounded when more SFT has no "
    "detectable effect. See crossover/analysis/bootstrap.py."
)


@dataclass
class Analysis:
    summary: dict[str, Any]
    breakeven: list[BreakevenFigure]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def point(self) -> dict | None:
        return self.summary["crossover"]["point"]


def resolve_cost(study: dict, overrides: dict[str, float | None] | None = None) -> CostModel:
    """The study's cost model (``study.json``'s ``cost``, defaults where absent) with command-line overrides."""
    recorded = study.get("cost") or {}
    known = CostModel.field_types()
    unknown = set(recorded) - set(known)
    if unknown:
        raise CrossoverError(f"study.json: unknown cost settings {sorted(unknown)}; known: {sorted(known)}")
    return CostModel(**recorded).with_overrides(**(overrides or {}))  # CostModel checks its own values


def analyze(root: Path, cost: dict[str, float | None] | None = None,
            settings: BootstrapSettings = BootstrapSettings()) -> Analysis:
    root = Path(root)
    everything = load_study_data(root)
    model = resolve_cost(everything.study, cost)
    point = everything.study.get("crossover")
    parts = [_analyze_base(Context(everything.for_base(base), model, settings), point)
             for base in everything.bases or ["default"]]
    figures = [f for part in parts for f in part.figures]
    tables = {name: frame([row for part in parts for row in part.rows[name]]) for name in TABLE_NAMES}
    prov = provenance()
    write_tables(root / "analysis", tables, prov)
    flags = [row for part in parts for row in part.rows["flags"]]
    budgets = [row for part in parts for row in part.rows["crossover_budget"]]
    notes = sorted({part.over_note for part in parts})
    summary = {
        "schema": SUMMARY_SCHEMA,
        "study": everything.study.get("name"),
        "settings": everything.study,
        "finished_runs": len(everything.runs),
        "provenance": prov,
        "cost": model.as_dict(),
        "bootstrap": {**asdict(settings), "method": METHOD_NOTE},
        "crossover": {"point": point, "figures": [f.as_dict() | {"words": f.words()} for f in figures]},
        "crossover_budget": budgets,
        "flags": {"thresholds": _thresholds(), "raised": [r for r in flags if r["status"] == "flagged"]},
        "overoptimisation": {"note": "; ".join(notes), "fits": [r for p in parts for r in p.rows["overoptimisation_fits"]]},
        "tables": {name: f"analysis/{name}.csv" for name in tables},
    }
    summary = _plain(summary)
    write_json(root / "summary.json", summary)
    return Analysis(summary, figures, tables)


TABLE_NAMES = ("arms", "breakeven", "allocations", "crossover_budget", "flags", "overoptimisation_points",
               "overoptimisation_fits")


@dataclass
class _BasePart:
    figures: list[BreakevenFigure]
    rows: dict[str, list[dict]]
    over_note: str


def _analyze_base(ctx: Context, point: dict | None) -> _BasePart:
    """Every table for the runs of one base model; rows carry the base's name."""
    data = ctx.data
    base = next(iter(data.runs.values())).base if data.runs else "default"
    has = len(data.metrics) > 0
    figures = [replace(f, base=base) for f in breakeven_figures(ctx, CrossoverPoint(**point))] if point and has else []
    allocations, budgets = allocation_rows(ctx) if has else ([], [])
    points, fits, note = overoptimisation(ctx) if has else ([], [], "no runs")
    rows = {
        "arms": arm_rows(ctx) if has else [],
        "breakeven": [f.as_dict() for f in figures],
        "allocations": allocations,
        "crossover_budget": budgets,
        "flags": flag_rows(ctx) if has else [],
        "overoptimisation_points": points,
        "overoptimisation_fits": fits,
    }
    for name, table in rows.items():
        if name != "breakeven":
            rows[name] = [{"base": base} | row for row in table]
    return _BasePart(figures, rows, note)


def _thresholds() -> dict[str, float | dict]:
    out: dict[str, Any] = {f.name: {"probe": f.probe, "metric": f.metric, "bad": f.bad, "threshold": f.threshold}
                           for f in flag_rules.METRIC_FLAGS}
    out["length_exploitation"] = {"relative_rise": flag_rules.LENGTH_RISE, "buckets": flag_rules.LENGTH_BUCKETS}
    out["proxy_gold_divergence"] = {"threshold": flag_rules.DIVERGENCE_THRESHOLD}
    out["chosen_logprob_displacement"] = {"nats": flag_rules.DISPLACEMENT_NATS}
    return out


def _plain(value: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN and infinities to None (status fields say what they meant)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
