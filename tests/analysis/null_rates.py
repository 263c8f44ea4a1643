"""Planted-null studies through the whole pipeline (study directory -> analyze -> flags and decisions).

Every arm of a null study behaves alike: same rates, a seed effect shared by every arm of a seed (``block_sd``)
plus each run's own (``seed_sd``), replies drawn from a small vocabulary (so the seeds-only metric distinct-2
varies by run), and training logs whose chosen log-prob wanders without a trend. Whatever the analysis flags or
decides there is a false finding. ``null_rates`` counts:

- the family-wise flag rate: the share of arm pairs (child vs parent) raising any flag, stated at most 5%, and the
  same for bias flags (the typical annotator's child against the clean annotator's child of the same arm);
- the false-decision rate: the share of crossover rows reading "pairs pay" or "more SFT pays" (after the
  multiplicity correction where the code has one), per metric: item-level rates, gold, and a seeds-only metric.

Reproduce the figures (any checkout whose analysis to measure on ``PYTHONPATH``)::

    PYTHONPATH=src python -m tests.analysis.null_rates --studies 200
"""

from __future__ import annotations

import argparse
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tests.analysis.fake_study import FakeStudy, Plan, write

NULL = {"correct": 0.6, "cave": 0.3, "update": 0.5, "words": 8.0}
DECISION_METRICS = (("satisfaction", "gold"), ("knowledge", "accuracy"), ("sycophancy", "flip_rate"),
                    ("diversity", "distinct_2"))
"""Gold, two item-level rates (both primary endpoints by default) and a seeds-only metric (secondary)."""


def wandering_log(seed: int, salt: int) -> list[dict]:
    """Forty logged steps of a chosen/rejected log-prob with autocorrelated noise and no trend."""
    rng = np.random.default_rng([seed, salt])
    walk = np.cumsum(rng.normal(0.0, 0.1, 40))
    return [{"logps/chosen": -10.0 + w, "logps/rejected": -10.5 + w} for w in walk]


def null_study(root: Path, k: int, seeds: tuple[int, ...] = (0, 1, 2), items: int = 48,
               rates: Callable[[str], dict] | None = None) -> Path:
    """A planted study (null unless ``rates`` gives an arm other rates): base, sft(100), sft(200), and
    sft(100)>dpo(100) under two annotators."""
    def plan(arm: str, annotator: str = "", salt: int = 0) -> Plan:
        log = (lambda s, salt=salt: wandering_log(1000 * k + s, salt)) if annotator else None
        return Plan(arm, (rates or (lambda _: NULL))(f"{annotator}|{arm}"), annotator, log)

    plans = [plan("base"), plan("sft(100)"), plan("sft(200)"), plan("sft(100)>dpo(100)", "clean", 1),
             plan("sft(100)>dpo(100)", "typical", 2)]
    return write(FakeStudy(root, plans, seeds=seeds, items=items, rng_seed=10_000 + k, seed_sd=0.03, block_sd=0.03,
                           vocabulary=40, crossover={"n0": 100, "n": 100, "m": 100, "method": "dpo"}))


@dataclass
class Counts:
    pairs: int = 0
    pairs_flagged: int = 0
    bias_pairs: int = 0
    """Biased annotator's child against the clean child of the same arm (``bias_flags``)."""
    bias_pairs_flagged: int = 0
    decisions: dict[str, list[int]] = field(default_factory=dict)
    """metric -> [rows, false decisions]."""

    def add(self, analysis) -> None:
        flags = analysis.tables["flags"]
        for _, group in flags.groupby(["annotator", "arm"]):
            self.pairs += 1
            self.pairs_flagged += bool((group["status"] == "flagged").any())
        bias = analysis.tables["bias_flags"]
        for _, group in bias.groupby(["annotator", "arm"]):
            self.bias_pairs += 1
            self.bias_pairs_flagged += bool((group["status"] == "flagged").any())
        rows = analysis.tables["breakeven"]
        for probe, metric in DECISION_METRICS:
            mine = rows[(rows["probe"] == probe) & (rows["metric"] == metric)]
            tally = self.decisions.setdefault(f"{probe}.{metric}", [0, 0])
            for _, row in mine.iterrows():
                decided = row["decision"] in ("pairs pay", "more SFT pays")
                survives = row.get("decision_survives", True)
                tally[0] += 1
                tally[1] += bool(decided and (survives is True or survives == "True" or survives == 1))


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson (1927) score interval of a binomial proportion."""
    if n == 0:
        return math.nan, math.nan
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def null_rates(studies: int, root: Path, items: int = 48, draws: int = 200) -> Counts:
    from crossover.analysis.bootstrap import BootstrapSettings
    from crossover.analysis.summary import analyze

    counts = Counts()
    for k in range(studies):
        folder = null_study(root / f"null{k}", k, items=items)
        counts.add(analyze(folder, settings=BootstrapSettings(draws=draws, seed=k)))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=200)
    parser.add_argument("--items", type=int, default=48)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        counts = null_rates(args.studies, Path(tmp), args.items)
    lo, hi = wilson(counts.pairs_flagged, counts.pairs)
    print(f"family-wise flag rate: {counts.pairs_flagged}/{counts.pairs} arm pairs = "
          f"{counts.pairs_flagged / counts.pairs:.3f} [{lo:.3f}, {hi:.3f}] (Wilson 95%)")
    lo, hi = wilson(counts.bias_pairs_flagged, counts.bias_pairs)
    print(f"family-wise bias-flag rate (typical child vs clean child): {counts.bias_pairs_flagged}/"
          f"{counts.bias_pairs} = {counts.bias_pairs_flagged / max(counts.bias_pairs, 1):.3f} [{lo:.3f}, {hi:.3f}]")
    for metric, (n, wrong) in counts.decisions.items():
        lo, hi = wilson(wrong, n)
        print(f"false 'pairs pay'/'more SFT pays' on {metric}: {wrong}/{n} = {wrong / max(n, 1):.3f} "
              f"[{lo:.3f}, {hi:.3f}]")
    total = sum(w for _, w in counts.decisions.values()), sum(n for n, _ in counts.decisions.values())
    lo, hi = wilson(*total)
    print(f"false decisions, all four metrics: {total[0]}/{total[1]} = {total[0] / max(total[1], 1):.3f} "
          f"[{lo:.3f}, {hi:.3f}]")


if __name__ == "__main__":
    main()
