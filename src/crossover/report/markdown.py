"""A Markdown report of a study, written from the study directory and its analysis alone."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from crossover.analysis.crossover import arm_table
from crossover.analysis.summary import Analysis
from crossover.study.store import StudyStore


def _fmt(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.{digits}f}"


def _cell(x: object) -> str:
    return (_fmt(x) if isinstance(x, float) else str(x)).replace("|", "\\|")


def _table(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in frame.iterrows():
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines)


def _model_line(model: dict) -> str:
    """A wind-tunnel base names its world; a real model names where it came from."""
    origin = f"world seed {model['world_seed']}" if "world_seed" in model else model.get("source", "")
    return f"- base: `{model['name']}` ({origin}, sha256 {model['sha256'][:12]})"


def _interval(point: float, lo: float, hi: float) -> str:
    return f"{_fmt(point)} [{_fmt(lo)}, {_fmt(hi)}]"


def _crossover_section(analysis: Analysis) -> list[str]:
    point, frame = analysis.point, analysis.tables.get("breakeven")
    if not point or frame is None or frame.empty:
        return []
    level = round(100 * analysis.summary["bootstrap"]["confidence"])
    rows = [{"base": r.base, "annotator": r.annotator,
             "metric": ("● " if r.primary is True or r.primary == "True" else "") + f"{r.probe}.{r.metric}",
             f"SFT({point['n0']})": r.parent,
             f"+{point['n']} SFT": _interval(r.d_sft, r.d_sft_lo, r.d_sft_hi),
             f"+{point['m']} pairs": _interval(r.d_pref, r.d_pref_lo, r.d_pref_hi),
             "pairs vs more SFT": _interval(r.head_to_head, r.head_to_head_lo, r.head_to_head_hi)
             + (f" ({r.equivalence})" if r.equivalence else ""),
             "detectable (80% power)": f"+-{_fmt(r.mdc_head_to_head)}" if math.isfinite(r.mdc_head_to_head) else "n/a",
             "prices (SFT examples per pair)": r.price_words,
             "at the study's prices": r.decision + ("" if r.decision not in ("pairs pay", "more SFT pays")
                                                   else " (survives)" if r.decision_survives is True
                                                   or r.decision_survives == "True" else " (not after FDR)")}
            for r in frame.itertuples(index=False)]
    words = analysis.summary.get("multiplicity", {}).get("words", [])
    return [f"## The crossover at SFT({point['n0']}): {point['m']} pairs vs {point['n']} more demonstrations", "",
            f"Changes over SFT({point['n0']}) with {level}% t intervals over seeds and probe items (paired; seed "
            "variance pooled across the study's arms). \"no detectable difference\" means the interval covers "
            "zero. One test per price says where pairs pay, where more SFT pays and where the data cannot decide "
            "(the undecided prices are r*'s confidence set). Primary endpoints are marked ●; the other rows are "
            "controlled for the false-discovery rate.", "",
            *(f"- {w}" for w in words), "", _table(pd.DataFrame(rows)), ""]


def _budget_section(analysis: Analysis) -> list[str]:
    frame = analysis.tables.get("crossover_budget")
    if frame is None or frame.empty:
        return []
    rows = [{"base": r.base, "annotator": r.annotator, "method": r.method, "metric": f"{r.probe}.{r.metric}",
             "crossover budget": r.words}
            for r in frame.itertuples(index=False) if r.status != "not enough arms"]
    if not rows:
        return []
    return ["## Crossover budget", "", "The total budget (under the study's prices) at which the best allocation "
            "stops being all-SFT, comparing each arm with preference data to all-SFT at the same cost.", "",
            _table(pd.DataFrame(rows)), ""]


def _raised_flags(frame: pd.DataFrame | None, title: str, intro: str, column: str,
                  against: Callable[[Any], str]) -> list[str]:
    """A flags table's section: the raised rows, with what each was measured against (``against(row)``) under
    ``column``."""
    if frame is None or frame.empty:
        return []
    raised = frame[frame["status"] == "flagged"]
    out = [f"## {title}", "", intro, ""]
    if raised.empty:
        return out + [f"No flag raised ({len(frame)} checks).", ""]
    rows = [{"base": r.base, "annotator": r.annotator, "arm": r.arm, column: against(r), "flag": r.flag,
             "change (bad direction)": _interval(r.bad_change, r.bad_change_lo, r.bad_change_hi),
             "threshold": r.threshold, "what": r.description} for r in raised.itertuples(index=False)]
    return out + [_table(pd.DataFrame(rows)), ""]


def _flags_section(analysis: Analysis) -> list[str]:
    return _raised_flags(analysis.tables.get("flags"), "Failure flags",
                         "Each preference arm against its parent, paired by seed and item; a flag is raised when the "
                         "change in its bad direction is detectable, reaches its threshold (summary.json lists them) "
                         "and survives Holm's correction over the arm pair's flags.", "parent", lambda r: r.parent)


def _bias_flags_section(analysis: Analysis) -> list[str]:
    return _raised_flags(analysis.tables.get("bias_flags"), "What each annotator's labels did",
                         "Each arm trained on pairs labelled by a biased annotator against the same arm trained on "
                         "the same pairs labelled by the clean annotator, paired by seed and item: the preference "
                         "method's own effects cancel, so a flag here is the annotator's bias (same flags, thresholds "
                         "and Holm correction per pair as above).", "against",
                         lambda r: f"{r.reference} child")


def _overopt_section(analysis: Analysis) -> list[str]:
    over = analysis.summary.get("overoptimisation", {})
    out = ["## Over-optimisation", "", f"Gold and proxy gain against sqrt(KL to the reference): {over.get('note')}.", ""]
    fits = [f for f in over.get("fits", []) if f.get("status") == "fitted"]
    if fits:
        rows = [{"annotator": f["annotator"], "method": f["method"], "measure": f["measure"], "form": f["form"],
                 "alpha": f["alpha"], "beta": f["beta"], "R2": f["r2"], "peak sqrt(KL)": f["peak_sqrt_kl"]}
                for f in fits]
        out += [_table(pd.DataFrame(rows).astype(object).where(lambda d: d.notna(), math.nan)), ""]
    return out


def _graders_section(study: dict, metrics: pd.DataFrame) -> list[str]:
    """Which grader produced each text probe's numbers, its measured agreement with hand labels, and the share of
    replies it could not read (kept out of the other rates)."""
    probes = study.get("probes", {})
    if probes.get("suite") != "text":
        return []
    from crossover.probes.text import TEXT_PROBES
    from crossover.probes.text.validation import measured_agreement

    chosen, measured = dict(probes.get("graders", ())), measured_agreement()
    rows = []
    for name in probes.get("probes", []):
        if TEXT_PROBES[name].verdicts is None:
            continue
        grader = chosen.get(name, "rules")
        found = measured.get(grader, {}).get(name)
        unclear = metrics[(metrics["probe"] == name) & (metrics["metric"] == "unclear_rate")]["value"]
        rows.append({"probe": name, "grader": grader,
                     "kappa vs hand labels": f"{found['kappa']:.2f} (n={found['n']})" if found else "not measured",
                     "accuracy": f"{found['accuracy']:.2f}" if found else "n/a",
                     "unclear share (mean)": float(unclear.mean()) if len(unclear) else math.nan})
    if not rows:
        return []
    return ["## Text-probe graders", "", "Each text probe's rates come from the grader named here; its agreement with "
            "hand labels of real replies is docs/real-models.md's table. Replies a grader cannot read (empty, "
            "looping, off topic) are `unclear` and counted in no other rate; read every rate beside its unclear "
            "share.", "", _table(pd.DataFrame(rows)), ""]


def write_markdown_report(root: Path, analysis: Analysis) -> Path:
    store = StudyStore(root)
    study = json.loads((root / "study.json").read_text())
    metrics = store.metrics_frame()
    out = [f"# crossover study: {study['name']}", ""]
    if study.get("description"):
        out += [study["description"], ""]
    cost = analysis.summary.get("cost", {})
    out += [*(_model_line(b) for b in study["bases"]),
            f"- seeds: {study['seeds']}; arms: {', '.join(study['arms'])}",
            f"- annotators: {', '.join(a['name'] for a in study['annotators'])}",
            f"- prices: {cost.get('price_sft')} per SFT example, {cost.get('price_pair')} per pair "
            f"({cost.get('currency')})",
            f"- finished runs: {len(store.finished_runs())}", ""]
    out += _crossover_section(analysis) + _budget_section(analysis) + _flags_section(analysis)
    out += _bias_flags_section(analysis)
    out += _overopt_section(analysis) + _graders_section(study, metrics)
    table = arm_table(metrics).reset_index()
    out += ["## Every arm (means over seeds)", "", "Annotator is blank for arms trained without preference data; "
            "`analysis/arms.csv` has every score with its interval.", "", _table(table), ""]
    out += ["## Files", "", "- `metrics.csv`: one row per number (run_id, arm, seed, probe, metric, value, annotator)",
            "- `runs/<run_id>/probes/*.jsonl`: every prompt, response and grade",
            "- `analysis/*.csv`, `analysis/*.parquet`: the tables behind this report (`analysis/manifest.json`)",
            "- `summary.json`: the settings, prices and the figures above", ""]
    path = root / "report.md"
    path.write_text("\n".join(out))
    return path
