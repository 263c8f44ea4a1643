"""The eval score a benchmark would report: a proxy judge's win rate against a fixed baseline.

For each held-out prompt, the judge (an annotator) compares the model's reply with the demonstrator's reply;
the expected win (Bradley-Terry probability, label noise included; ties count one half) is stored per record as
``win:<judge>``. Raw win rate is their mean. The length-controlled win rate follows AlpacaEval 2 (Dubois et al.
2024) in its simplest form: a logistic model win ~ sigmoid(b0 + b1 * (len_model - len_baseline) / 10), fitted to
the expected wins, predicted at zero length difference, i.e. sigmoid(b0). AlpacaEval's GLM also has instruction
and model terms; with one model and paired prompts the length term is the one that matters.

Each record also stores ``gold_win:<judge>``: the expected win by the same judge with its biases removed
(``Annotator.unbiased``: same temperature and label noise, proxy = gold utility). Its mean, the gold win rate, is
the judge's win rate on the gold scale: the gap between the two is what the judge's biases add, the proxy-vs-gold
comparison of Gao, Schulman & Hilton (2023) made on one scale. Mean gold utility is not on that scale (a reply
already below the baseline can lose gold without moving any win), so it cannot stand in for the gold win rate.
"""

from __future__ import annotations

import math

import numpy as np

from crossover.probes.base import DerivedProbe, Metric, ProbeOutput
from crossover.world.annotator import Annotator
from crossover.world.families.base import Grade


def expected_win(judge: Annotator, model: Grade, baseline: Grade) -> float:
    diff = judge.proxy(model) - judge.proxy(baseline)
    if judge.temperature > 0:
        p = 1.0 / (1.0 + math.exp(-max(min(diff / judge.temperature, 50.0), -50.0)))
    else:
        p = 0.5 if abs(diff) < 1e-9 else float(diff > 0)
    return (1 - judge.label_noise) * p + judge.label_noise * (1 - p)


MIN_REPLIES = 3
"""The fewest replies a length-controlled win rate is fitted on (an intercept and a slope, plus one to spare)."""


def length_controlled_win_rate(wins: np.ndarray, length_diff: np.ndarray, ridge: float = 1e-3,
                               steps: int = 50) -> float:
    """sigmoid(b0) of a fractional-response logistic fit of ``wins`` on ``length_diff`` (Newton's method).

    Written here because it is a two-parameter fit; a ridge keeps it finite when wins are all 0 or all 1.
    Fewer than ``MIN_REPLIES`` replies identify no length slope, so the rate is undefined (NaN) there; this is also
    what the analysis meets when it scores replies one at a time, so it skips a meaningless fit per reply.
    Shapes: wins (n,), length_diff (n,), both float.
    """
    if len(wins) < MIN_REPLIES:
        return float("nan")
    x = np.column_stack([np.ones_like(length_diff), length_diff / 10.0])
    beta = np.zeros(2)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        grad = x.T @ (wins - p) - ridge * beta
        hess = -(x.T * (p * (1 - p))) @ x - ridge * np.eye(2)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(1.0 / (1.0 + math.exp(-beta[0])))


def _score(out: ProbeOutput) -> dict[str, float]:
    records = out.everything()
    scores = {}
    for judge in out.judges:
        wins = np.array([r[f"win:{judge}"] for r in records], dtype=float)
        diffs = np.array([r["n_words"] - r["baseline_words"] for r in records], dtype=float)
        scores[f"win_rate:{judge}"] = float(wins.mean()) if len(wins) else float("nan")
        scores[f"lc_win_rate:{judge}"] = length_controlled_win_rate(wins, diffs)
        # Absent from records probed before it existed; NaN, like the win rate, on no records (an item the eval
        # does not score, when the analysis scores items one at a time: every item must report the same metrics).
        if all(f"gold_win:{judge}" in r for r in records):
            gold = np.array([r[f"gold_win:{judge}"] for r in records], dtype=float)
            scores[f"gold_win_rate:{judge}"] = float(gold.mean()) if len(gold) else float("nan")
    return scores


EVAL = DerivedProbe(
    name="eval",
    version=1,
    metrics=(
        Metric("win_rate", True, "proxy judge's win rate against the demonstrator's replies (raw)"),
        Metric("lc_win_rate", True, "the same win rate, length-controlled (predicted at equal length)"),
        Metric("gold_win_rate", True, "the same judge's win rate with its biases removed (judged by gold utility)"),
    ),
    score=_score,
    dynamic_metrics=True,
)
