"""Judged metrics (``win_rate:<judge>``) take the direction of their stem and stand for the proxy score."""

from pathlib import Path

import pandas as pd

from crossover.analysis.context import Context
from crossover.analysis.load import StudyData, registry_notes
from crossover.study.store import METRIC_COLUMNS


def _context(metrics: list[tuple[str, str]], judges: list[str]) -> Context:
    rows = [("r", "base", 0, p, m, 0.5, "", "default") for p, m in metrics]
    frame = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    study = {"probes": {"judges": [{"name": j} for j in judges]}}
    return Context(StudyData(Path("."), study, {}, frame, registry_notes(frame)))


def test_judged_metrics_take_the_direction_of_their_stem():
    ctx = _context([("eval", "win_rate:typical")], ["typical"])
    assert ctx.higher_is_better("eval", "win_rate:typical") is True
    assert ctx.higher_is_better("length", "mean_words") is None


def test_the_proxy_is_the_first_listed_judges_raw_win_rate():
    metrics = [("eval", "win_rate:clean"), ("eval", "win_rate:typical"), ("eval", "lc_win_rate:typical")]
    assert _context(metrics, ["typical", "clean"]).proxy_metric() == "win_rate:typical"
    assert _context(metrics, []).proxy_metric() == "win_rate:clean"
    assert _context([("knowledge", "accuracy")], []).proxy_metric() == "win_rate"


def test_a_runs_proxy_is_its_own_annotators_judge_where_the_study_has_it():
    """Over-optimisation is judged by the view the run was optimised for: pairs labelled 'adversarial' are scored
    by the adversarial judge's win rate even when 'clean' is listed first."""
    metrics = [("eval", "win_rate:clean"), ("eval", "win_rate:adversarial")]
    ctx = _context(metrics, ["clean", "adversarial"])
    assert ctx.proxy_metric("adversarial") == "win_rate:adversarial"
    assert ctx.proxy_metric("clean") == "win_rate:clean"
    assert ctx.proxy_metric("typical") == "win_rate:clean"  # no such judge: the first listed
