"""A finished study as Python objects: what ``crossover.open(DIR)`` and ``crossover.run(...)`` return.

Everything is read from the study directory alone (as the report is), lazily and once: the tidy metrics, the
analysis tables as pandas frames, the verdict as data, the training logs and the paths of the reports. Nothing here
trains or recomputes an estimate: every number is one ``crossover analyze`` wrote.

In a notebook the object shows the verdict table inline (``_repr_html_``), the same rows as the report's verdict,
without the figures; ``results.report_path`` is the whole page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from crossover.errors import CrossoverError

TABLES = ("arms", "breakeven", "allocations", "crossover_budget", "flags", "bias_flags", "overoptimisation_points",
          "overoptimisation_fits")
"""The analysis tables ``crossover analyze`` writes to ``DIR/analysis/`` (``crossover.analysis.tables``)."""

NOTEBOOK_CSS = """
.crossover-verdict table.verdict td:first-child { border-left: 5px solid #c8ccd0; }
.crossover-verdict table.verdict tr.tone-pairs td:first-child { border-left-color: #2c7bb6; }
.crossover-verdict table.verdict tr.tone-sft td:first-child { border-left-color: #1a9641; }
.crossover-verdict table.verdict tr.tone-harm td:first-child { border-left-color: #d7191c; }
.crossover-verdict table.verdict .what { display: block; color: #5f6368; font-size: 85%; max-width: 34ch; }
.crossover-verdict .effect-helps { color: #2c7bb6; font-weight: 600; }
.crossover-verdict .effect-hurts, .crossover-verdict .flag { color: #d7191c; font-weight: 600; }
"""
"""The report's verdict-table styles (``crossover.report.assets.CSS``), scoped to the notebook view."""

VERDICT_COLUMNS = ["base", "annotator", "probe", "metric", "higher_is_better", "at_parent",
                   "pairs", "pairs_lo", "pairs_hi", "pairs_effect", "more_sft", "more_sft_lo", "more_sft_hi",
                   "more_sft_effect", "pair_worth", "decision", "crossover_budget", "flags", "tone"]


@dataclass(frozen=True)
class RunOutcome:
    """What one ``crossover.run`` call did (``None`` on a study opened from disk)."""

    runs: int
    reused: int
    """Runs already finished in the directory, not run again."""
    seconds: float
    """Wall time of the runs (the analysis and reports after them not included)."""
    failures: dict[str, str] = field(default_factory=dict)
    """run id -> one line on why it failed (details in ``DIR/runs/.failed-<run_id>.txt``)."""


class StudyResults:
    """A study directory after ``crossover analyze`` (which ``crossover.run`` calls at the end).

    The tables are those of ``DIR/analysis/`` (``crossover.analysis.tables.COLUMN_DOCS`` says what each holds);
    empty frames where the study has no such rows (e.g. no crossover point, so no breakeven figures).
    """

    def __init__(self, root: str | Path, outcome: RunOutcome | None = None, analysis: Any = None):
        self.root = Path(root)
        self.outcome = outcome
        self.analysis = analysis
        """The in-memory analysis when this object comes from ``run``/``analyze``/``report`` (internal type
        ``crossover.analysis.summary.Analysis``, which the command line prints from); ``None`` from ``open``."""
        if not (self.root / "study.json").exists():
            raise CrossoverError(f"{self.root}: not a study directory (no study.json); run it with crossover.run "
                                 f"or `crossover run --out {self.root}`")
        if not (self.root / "summary.json").exists():
            raise CrossoverError(f"{self.root}: not analysed yet (no summary.json); call crossover.analyze("
                                 f"{str(self.root)!r}) or run `crossover analyze {self.root}`")

    def __repr__(self) -> str:
        return f"StudyResults({str(self.root)!r}: study {self.name!r}, {self.summary.get('finished_runs')} runs)"

    # --- what the study is --------------------------------------------------------------------------------------

    @cached_property
    def settings(self) -> dict[str, Any]:
        """The resolved study settings (``study.json``): arms, seeds, annotators, methods, probes, cost, ..."""
        return _read_json(self.root / "study.json")

    @cached_property
    def summary(self) -> dict[str, Any]:
        """``summary.json``: prices, bootstrap settings, the crossover figures, budgets, flags raised."""
        return _read_json(self.root / "summary.json")

    @property
    def name(self) -> str:
        return str(self.settings.get("name", self.root.name))

    @property
    def report_path(self) -> Path:
        """The HTML report (``crossover.report`` rebuilds it)."""
        return self.root / "report.html"

    @property
    def markdown_path(self) -> Path:
        return self.root / "report.md"

    # --- tables -------------------------------------------------------------------------------------------------

    @cached_property
    def metrics(self) -> pd.DataFrame:
        """Tidy: one row per run and number (run_id, arm, seed, probe, metric, value, annotator, base)."""
        path = self.root / "metrics.csv"
        if not path.exists():
            raise CrossoverError(f"{self.root}: no metrics.csv")
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
        frame["annotator"] = frame["annotator"].fillna("").astype(str)
        return frame

    def table(self, name: str) -> pd.DataFrame:
        """One analysis table by name (``TABLES``); an empty frame where the analysis wrote no rows."""
        if name not in TABLES:
            raise CrossoverError(f"unknown analysis table {name!r}; tables: {', '.join(TABLES)}")
        return self._tables[name]

    @property
    def gains(self) -> pd.DataFrame:
        """The gain curves: every arm's score and gain over the base per metric, against data cost."""
        return self.table("arms")

    @property
    def breakeven(self) -> pd.DataFrame:
        """d_pref, d_sft and r* (pairs' worth in SFT examples) per metric at SFT(n0), with intervals."""
        return self.table("breakeven")

    @property
    def allocations(self) -> pd.DataFrame:
        """Each arm with preference data against all-SFT at the same cost."""
        return self.table("allocations")

    @property
    def crossover_budget(self) -> pd.DataFrame:
        """The total budget at which the best allocation stops being all-SFT."""
        return self.table("crossover_budget")

    @property
    def flags(self) -> pd.DataFrame:
        """Every failure-flag check of a preference arm against its parent; ``status == "flagged"`` where raised."""
        return self.table("flags")

    @cached_property
    def train_logs(self) -> pd.DataFrame:
        """Every run's training log as one tidy table (run_id, arm, annotator, seed, stage, method, step, metric,
        value): losses, chosen/rejected log-probs, margins, KL to the reference."""
        from crossover.analysis.load import load_study_data
        from crossover.analysis.train_logs import dynamics_frame

        return dynamics_frame(load_study_data(self.root))

    @cached_property
    def _tables(self) -> dict[str, pd.DataFrame]:
        from crossover.analysis.tables import read_table

        return {name: read_table(self.root, name) for name in TABLES}

    # --- the verdict --------------------------------------------------------------------------------------------

    @cached_property
    def verdicts(self) -> list[Any]:
        """The verdict per (base, annotator), as typed records (``crossover.report.verdict.GroupVerdict``), each
        with one ``AxisVerdict`` per headline behaviour metric: the report's verdict, as data."""
        from crossover.report.verdict import group_verdicts

        point = (self.summary.get("crossover") or {}).get("point") or self.settings.get("crossover")
        currency = str((self.summary.get("cost") or {}).get("currency", ""))
        return group_verdicts(self.breakeven, self.crossover_budget, self.flags, point, currency)

    @property
    def verdict(self) -> pd.DataFrame:
        """The verdict as one tidy frame: per base, annotator and headline metric, what the pairs and the extra
        SFT examples changed at SFT(n0) (point, interval, effect), what a pair is worth, which pays at the study's
        prices, the crossover budget and the flags raised (``VERDICT_COLUMNS``)."""
        rows = [_verdict_row(group, axis) for group in self.verdicts for axis in group.axes]
        return pd.DataFrame(rows, columns=VERDICT_COLUMNS)

    def verdict_sentences(self) -> list[str]:
        """The verdict in plain sentences, as the report opens with them."""
        from crossover.report.verdict import summary_sentences

        currency = str((self.summary.get("cost") or {}).get("currency", ""))
        return [line for group in self.verdicts for line in summary_sentences(group, currency)]

    def _repr_html_(self) -> str:
        """A notebook shows the verdict table inline: sentences and one table per annotator, not the whole page."""
        from crossover.report.markup import tag, trusted
        from crossover.report.verdict_table import verdict_table

        from crossover.report.verdict import summary_sentences

        currency = str((self.summary.get("cost") or {}).get("currency", ""))
        parts = [tag("style", trusted(NOTEBOOK_CSS)), tag("h3", f"crossover study: {self.name}")]
        for group in self.verdicts:
            parts.append(tag("h4", f"Pairs labelled by the '{group.annotator}' annotator, base {group.base}"))
            parts.append(tag("ul", [tag("li", s) for s in summary_sentences(group, currency)]))
            if group.axes:
                parts.append(verdict_table(group))
        if not self.verdicts:
            parts.append(tag("p", "No arm was trained on preference data, so there is no verdict to show."))
        parts.append(tag("p", "The whole report: ", tag("code", str(self.report_path))))
        return str(tag("div", parts, class_="crossover-verdict"))


def _verdict_row(group: Any, axis: Any) -> dict[str, Any]:
    return {"base": group.base, "annotator": group.annotator, "probe": axis.probe, "metric": axis.metric,
            "higher_is_better": axis.better, "at_parent": axis.parent,
            "pairs": axis.pairs.point, "pairs_lo": axis.pairs.lo, "pairs_hi": axis.pairs.hi,
            "pairs_effect": axis.pairs.effect, "more_sft": axis.more_sft.point, "more_sft_lo": axis.more_sft.lo,
            "more_sft_hi": axis.more_sft.hi, "more_sft_effect": axis.more_sft.effect, "pair_worth": axis.ratio,
            "decision": axis.decision, "crossover_budget": axis.budget,
            "flags": "; ".join(f.short() for f in axis.flags), "tone": axis.tone}


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise CrossoverError(f"{path}: cannot read it ({exc})") from None
