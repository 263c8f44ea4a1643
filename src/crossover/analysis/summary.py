"""``analyze``: the single entry point from a study directory to ``summary.json`` and the analysis tables.

Reads only the study directory. Writes ``DIR/summary.json`` and ``DIR/analysis/*.{csv,parquet}`` (see
``tables.py``) and returns everything it wrote as an ``Analysis``.

``summary.json`` (schema 2): ``schema``, ``study``, ``settings`` (study.json), ``finished_runs``, ``provenance``,
``cost`` (the prices used), ``bootstrap`` (draws, confidence, seed, method), ``crossover`` (``point`` and
``figures``: one breakeven row per annotator and metric, as in ``breakeven.csv``, plus ``words``),
``crossover_budget`` (rows of ``crossover_budget.csv``), ``flags`` (``thresholds`` and the ``raised`` rows of
``flags.csv``), ``multiplicity`` (the primary endpoints, the families, the chance findings to expect and what
survives; ``words`` says it in sentences), ``overoptimisation`` (``note`` and ``fits``) and ``tables`` (paths).
Non-finite numbers are written as null; the status fields next to them say what they meant (e.g. an unbounded
r*).
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
from crossover.analysis.flags import bias_flag_rows, flag_rows
from crossover.analysis.gains import arm_rows
from crossover.analysis.load import load_study_data
from crossover.analysis.multiplicity import DEFAULT_PRIMARY, benjamini_hochberg, multiplicity_summary
from crossover.analysis.overoptimisation import overoptimisation
from crossover.analysis.tables import frame, write_tables
from crossover.pricing import CrossoverPoint
from crossover.errors import CrossoverError
from crossover.provenance import provenance
from crossover.study.store import write_json

SUMMARY_SCHEMA = 3
"""1: point estimates only; 2: intervals, cost model, crossover budget, flags, over-optimisation, tables;
3: pooled t intervals, p-values, multiplicity, price ranges, head-to-head contrasts."""

METHOD_NOTE = (
    "Intervals: t intervals over seeds and probe items, paired by seed and item. Variance of a mean = per-seed "
    "stratum (variance of the per-seed means, pooled across every trained cell of the study for that metric by a "
    "randomized-block model: two-way residual mean square for contrasts, within-cell mean square for one cell) / "
    "S + item stratum (method-of-moments item variance of the paired table) / I; Satterthwaite degrees of freedom "
    "over these two strata; clipped only to the metric's natural range. Tables that are not combinations of cells "
    "use their own per-seed means on S-1 degrees of freedom. Training-log changes are one value per run. "
    "r* and the decision: one t-test inversion over prices >= 0 of sign*(d_pref/m - price*d_sft/n), reported as "
    "price ranges. Multiplicity: primary endpoints at the nominal level; flags Holm-corrected per arm pair; "
    "secondary tables Benjamini-Hochberg. See crossover/analysis/bootstrap.py, pooled.py, breakeven.py, "
    "multiplicity.py."
)


def primary_endpoints(study: dict) -> list[tuple[str, str]]:
    """The study's declared primary endpoints (``[analysis] primary``, recorded in study.json), else the default."""
    declared = (study.get("analysis") or {}).get("primary")
    if not declared:
        return list(DEFAULT_PRIMARY)
    return [tuple(name.split(".", 1)) for name in declared]  # type: ignore[misc]


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
    primary = primary_endpoints(everything.study)
    parts = [_analyze_base(Context(everything.for_base(base), model, settings), point, primary)
             for base in everything.bases or ["default"]]
    alpha = 1.0 - settings.confidence
    figures = corrected_breakeven([f for part in parts for f in part.figures], alpha)
    for part in parts:
        part.rows["breakeven"] = []
    rows = {name: [row for part in parts for row in part.rows[name]] for name in TABLE_NAMES}
    rows["breakeven"] = [f.as_dict() for f in figures]
    rows["allocations"] = fdr_rows(rows["allocations"], "advantage", alpha)
    rows["arms"] = fdr_rows(rows["arms"], "gain", alpha)
    tables = {name: frame(rows[name]) for name in TABLE_NAMES}
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
        "bias_flags": {"reference": "clean",
                       "raised": [r for r in rows["bias_flags"] if r["status"] == "flagged"]},
        "multiplicity": multiplicity_summary(primary, [f.as_dict() for f in figures], flags, rows["allocations"],
                                             rows["arms"], alpha),
        "overoptimisation": {"note": "; ".join(notes), "fits": [r for p in parts for r in p.rows["overoptimisation_fits"]]},
        "tables": {name: f"analysis/{name}.csv" for name in tables},
    }
    summary = _plain(summary)
    write_json(root / "summary.json", summary)
    return Analysis(summary, figures, tables)


TABLE_NAMES = ("arms", "breakeven", "allocations", "crossover_budget", "flags", "bias_flags",
               "overoptimisation_points", "overoptimisation_fits")


@dataclass
class _BasePart:
    figures: list[BreakevenFigure]
    rows: dict[str, list[dict]]
    over_note: str


def corrected_breakeven(figures: list[BreakevenFigure], alpha: float) -> list[BreakevenFigure]:
    """Which findings survive: a primary endpoint at the nominal level, the secondary rows' three tests (pairs'
    change, more SFT's change, the decision at the study's price) by Benjamini-Hochberg over all of them."""
    secondary = [f for f in figures if not f.primary]
    q = benjamini_hochberg([p for f in secondary for p in (f.d_pref_p, f.d_sft_p, f.decision_p)]).reshape(-1, 3) \
        if secondary else np.zeros((0, 3))
    qs = {id(f): row for f, row in zip(secondary, q)}
    out = []
    for f in figures:
        if f.primary:
            out.append(replace(f, d_pref_survives=_survives(f.d_pref_p, alpha),
                               d_sft_survives=_survives(f.d_sft_p, alpha),
                               decision_survives=_survives(f.decision_p, alpha) and f.decision in DECISIONS))
        else:
            qp, qs_, qd = (float(x) for x in qs[id(f)])
            out.append(replace(f, d_pref_q=qp, d_sft_q=qs_, decision_q=qd, d_pref_survives=_survives(qp, alpha),
                               d_sft_survives=_survives(qs_, alpha),
                               decision_survives=_survives(qd, alpha) and f.decision in DECISIONS))
    return out


DECISIONS = ("pairs pay", "more SFT pays")


def _survives(p: float, alpha: float) -> bool:
    return bool(math.isfinite(p) and p <= alpha)


def fdr_rows(rows: list[dict], prefix: str, alpha: float) -> list[dict]:
    """Rows with ``prefix_q`` (Benjamini-Hochberg over the table) and ``prefix_survives``."""
    q = benjamini_hochberg([r.get(f"{prefix}_p", math.nan) for r in rows])
    return [r | {f"{prefix}_q": float(x), f"{prefix}_survives": _survives(float(x), alpha)} for r, x in zip(rows, q)]


def _analyze_base(ctx: Context, point: dict | None, primary: list[tuple[str, str]]) -> _BasePart:
    """Every table for the runs of one base model; rows carry the base's name."""
    data = ctx.data
    base = next(iter(data.runs.values())).base if data.runs else "default"
    has = len(data.metrics) > 0
    figures = ([replace(f, base=base) for f in breakeven_figures(ctx, CrossoverPoint(**point), frozenset(primary))]
               if point and has else [])
    allocations, budgets = allocation_rows(ctx) if has else ([], [])
    points, fits, note = overoptimisation(ctx) if has else ([], [], "no runs")
    rows = {
        "arms": arm_rows(ctx) if has else [],
        "breakeven": [f.as_dict() for f in figures],
        "allocations": allocations,
        "crossover_budget": budgets,
        "flags": flag_rows(ctx) if has else [],
        "bias_flags": bias_flag_rows(ctx) if has else [],
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
