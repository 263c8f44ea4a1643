"""Pure functions from tables to verdict words and figures, on small hand-made tables."""

import math

import pandas as pd
import pytest

from crossover.report.figures.dynamics import dynamics_panel
from crossover.report.figures.gains import curves
from crossover.report.figures.heatmap import heatmap_grid
from crossover.report.labels import headline_metrics, interval
from crossover.report.panel import Panel
from crossover.report.transcripts import DIVERGENCE_FLAG, LENGTH_FLAG, Reply, tags
from crossover.report.verdict import AxisVerdict, Change, FlagNote, budget_words, effect


def _arm(arm, family, n_dem, n_pref, cost, score, annotator="", gain=0.0, verdict="no detectable difference",
         probe="knowledge", metric="accuracy"):
    return {"base": "b", "annotator": annotator, "arm": arm, "family": family, "n_demonstrations": n_dem,
            "n_preference": n_pref, "preference_method": "dpo" if n_pref else "", "cost": float(cost),
            "probe": probe, "metric": metric, "higher_is_better": True, "score": score, "score_lo": score - 0.1,
            "score_hi": score + 0.1, "gain": gain, "gain_lo": gain - 0.05, "gain_hi": gain + 0.05,
            "gain_verdict": verdict, "n_seeds": 3, "n_items": 50, "resampled": "seeds+items"}


ARMS = pd.DataFrame([
    _arm("base", "base", 0, 0, 0, 0.3),
    _arm("sft(100)", "sft", 100, 0, 100, 0.5, gain=0.2, verdict="increase"),
    _arm("sft(200)", "sft", 200, 0, 200, 0.6, gain=0.3, verdict="increase"),
    _arm("sft(100)>dpo(50)", "sft>dpo", 100, 50, 150, 0.55, "clean", 0.25, "increase"),
    _arm("sft(100)>dpo(100)", "sft>dpo", 100, 100, 200, 0.45, "clean", 0.15, "increase"),
    _arm("dpo(100)", "dpo", 0, 100, 100, 0.35, "clean"),
])


def test_curves_start_preference_arms_from_their_sft_start():
    found = {c.name: list(c.points["arm"]) for c in curves(ARMS[ARMS["arm"] != "base"], show_base=False)}
    assert found == {"sft only": ["sft(100)", "sft(200)"],
                     "dpo · clean": ["dpo(100)"],
                     "sft(100) > dpo · clean": ["sft(100)", "sft(100)>dpo(50)", "sft(100)>dpo(100)"]}


def test_heatmap_colours_only_detectable_changes_and_marks_flags():
    flags = pd.DataFrame([{"base": "b", "annotator": "clean", "arm": "sft(100)>dpo(100)", "parent": "sft(100)",
                           "flag": "knowledge_retention_down", "probe": "knowledge", "metric": "accuracy",
                           "bad_change": 0.1, "bad_change_lo": 0.06, "bad_change_hi": 0.14, "status": "flagged"},
                          {"base": "b", "annotator": "clean", "arm": "dpo(100)", "parent": "base",
                           "flag": "knowledge_retention_down", "probe": "knowledge", "metric": "accuracy",
                           "bad_change": 0.0, "bad_change_lo": -0.1, "bad_change_hi": 0.1,
                           "status": "no detectable change"}])
    rows, columns, z, cells, hovers = heatmap_grid(ARMS, flags)
    assert columns == ["knowledge.accuracy ↑", "flags raised"]
    row = {label: i for i, label in enumerate(rows)}
    assert z[row["sft(200)"], 0] == pytest.approx(1.0)  # the largest detectable gain in the column
    assert z[row["dpo(100) · clean"], 0] == 0.0  # not detectable: white
    flagged = row["sft(100)&gt;dpo(100) · clean"]
    assert cells[flagged][0] == "+0.150 ⚑" and cells[flagged][1] == "1 ⚑"
    assert "knowledge_retention_down" in hovers[flagged][0]
    assert cells[row["dpo(100) · clean"]][1] == "none" and cells[row["sft(100)"]][1] == "—"
    assert math.isnan(z[flagged, 1])


def test_effect_words_follow_the_better_direction():
    assert effect("increase", True) == "helps" and effect("increase", False) == "hurts"
    assert effect("decrease", False) == "helps"
    assert effect("no detectable difference", True) == "no detectable difference"
    assert effect("cannot tell", True) == "cannot tell" and effect("increase", None) == "up"


def test_budget_words():
    base = {"min_cost": 250.0, "max_cost": 4000.0, "crossover_budget_lo": 600.0, "crossover_budget_hi": math.inf}
    crossing = pd.Series(base | {"status": "crossover", "crossover_budget": 1250.0})
    assert budget_words(crossing, "USD") == "C* = 1250 USD [600, beyond 4000]: pairs belong in budgets above it"
    flat = pd.Series(base | {"status": "no detectable difference", "crossover_budget": math.inf})
    assert budget_words(flat) == "splits with pairs: no detectable difference from all-SFT (250–4000 tested)"
    assert Change(0.3, 0.3, 0.3, "cannot tell").words() == "cannot tell (+0.300, no interval)"


def test_headline_order_keeps_one_entry_per_judge():
    found = headline_metrics([("eval", "win_rate:b"), ("eval", "win_rate:a"), ("knowledge", "accuracy"),
                              ("knowledge", "utility"), ("selfreport", "accuracy")])
    assert found == [("knowledge", "accuracy"), ("eval", "win_rate:a"), ("eval", "win_rate:b"),
                     ("selfreport", "accuracy")]
    assert interval(0.05, 0.01, 0.09) == "+0.050 [+0.010, +0.090]" and interval(-1.0, math.nan, math.nan) == "−1.000"


def _reply(words, utility, win):
    return Reply("r", "a", "text", "label", utility, words, {"j": win})


def test_transcript_tags():
    flags = {"sycophancy_up": ("sycophancy", "flagged"), "length_exploitation": ("length", "no detectable change")}
    parent, longer_preferred = _reply(8, 1.0, 0.3), _reply(14, 0.5, 0.7)
    assert tags("sycophancy", parent, longer_preferred, flags) == ("sycophancy_up", LENGTH_FLAG, DIVERGENCE_FLAG)
    assert tags("knowledge", parent, _reply(6, 1.0, 0.2), flags) == ()
    # with the judge's gold win recorded, that is the comparison: a win that its gold win rose with is no divergence
    judged = Reply("r", "a", "text", "label", 0.2, 8, {"j": 0.3}, {"j": 0.3})
    better_below_baseline = Reply("r", "a", "text", "label", 0.4, 8, {"j": 0.9}, {"j": 0.3})
    assert tags("knowledge", judged, better_below_baseline, {}) == (DIVERGENCE_FLAG,)
    assert tags("knowledge", judged, Reply("r", "a", "text", "label", 0.1, 8, {"j": 0.9}, {"j": 0.9}), {}) == ()


def test_dynamics_without_kl_says_so():
    frame = pd.DataFrame([{"run_id": "r", "stage": 1, "method": "dpo", "step": s, "key": k, "value": v,
                           "label": "dpo(10) · clean", "seed": 0}
                          for s in (1, 2) for k, v in (("logps/chosen", -10.0 - s), ("logps/rejected", -12.0 - 2 * s))])
    panel = dynamics_panel(frame)
    assert panel.figure is not None and any("'kl'" in n for n in panel.notes)
    assert len(panel.figure.data) == 2  # chosen and rejected of one run
    empty = dynamics_panel(frame.iloc[0:0])
    assert empty.figure is None and empty.notes


def test_a_panel_without_a_figure_must_say_why():
    with pytest.raises(ValueError):
        Panel("x", "title", "x", "caption")


def test_verdict_rows_read_as_what_they_say():
    helps, flat, hurts = (Change(0.1, 0.05, 0.15, "helps"), Change(0.0, -0.1, 0.1, "no detectable difference"),
                          Change(-0.1, -0.15, -0.05, "hurts"))

    def row(pairs, more, decision, flags=(), survives=True):
        return AxisVerdict("knowledge", "accuracy", "", True, 0.5, pairs, more, "", decision, "", flags,
                           survives=survives, decision_survives=survives)

    flag = FlagNote("knowledge_retention_down", "sft(1)>dpo(1)", "sft(1)", "", "+0.1 [+0.05, +0.15]", 0.05)
    assert row(helps, flat, "pairs pay").tone == "pairs"
    assert row(flat, helps, "more SFT pays").tone == "sft"
    assert row(hurts, flat, "more SFT pays").tone == "harm"
    assert row(helps, flat, "pairs pay", (flag,)).tone == "harm"  # a flag outweighs a gain
    assert row(flat, flat, "no detectable difference").tone == "none"
    # a decision that does not survive the false-discovery correction is not coloured as one
    assert row(helps, flat, "pairs pay", survives=False).tone == "none"
    assert row(helps, flat, "pairs pay", survives=False).decision_words() == "pairs pay (not after FDR control)"
