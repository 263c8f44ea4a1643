"""Write synthetic study directories with planted effects, in the exact layout ``crossover run`` writes.

Per-item records are drawn from planted rates; metrics are computed from them by the real probe graders, so the
analysis sees what it would see after a real study, with known true values. With ``judges``, every record also
carries each judge's expected win against a demonstrator reply of ``BASELINE_UTILITY`` (``win:<judge>``) and the
same judge's win with its biases removed (``gold_win:<judge>``), scored by the real ``expected_win``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from crossover.methods import METHODS
from crossover.probes import DERIVED_PROBES, WORLD_PROBES
from crossover.probes.base import probe_output
from crossover.probes.eval_score import expected_win
from crossover.probes.run import DEFAULT_SATISFACTION_MIX, MetricRow
from crossover.study.execute import metric_notes
from crossover.study.store import RESULT_SCHEMA
from crossover.train.arms import parse_arm
from crossover.world.annotator import Annotator
from crossover.world.families.base import Grade

Rates = dict[str, float]
"""Planted behaviour of one arm: 'correct' (knowledge accuracy), 'cave' (flip rate), 'words' (mean length),
'wrong_utility' (gold utility of a wrong knowledge answer, 0 unless given)."""
BASELINE_UTILITY = 0.5
"""Gold utility of the demonstrator's reply every judged record is compared with (it has 8 words)."""


@dataclass
class Plan:
    """One arm of a fake study: planted rates, or a function of the seed giving them."""

    arm: str
    rates: Rates | Callable[[int], Rates]
    annotator: str = ""
    log: Callable[[int], list[dict]] | None = None
    """Training-log rows of the last stage for a seed (stage and method are filled in)."""

    def rates_for(self, seed: int) -> Rates:
        return self.rates(seed) if callable(self.rates) else self.rates


@dataclass
class FakeStudy:
    root: Path
    plans: list[Plan]
    seeds: tuple[int, ...] = (0, 1, 2)
    items: int = 64
    crossover: dict | None = None
    cost: dict = field(default_factory=dict)
    rng_seed: int = 0
    seed_sd: float = 0.0
    """Per-run shift of every planted rate (training randomness), in rate units."""
    block_sd: float = 0.0
    """Per-seed shift shared by every trained arm of that seed (data order, initialisation), in rate units."""
    vocabulary: int = 0
    """Words replies are drawn from (0: every reply is the same text, so distinct-2 does not vary)."""
    probes: tuple[str, ...] = ("knowledge", "sycophancy")
    judges: tuple[Annotator, ...] = ()
    """Eval judges: records carry ``win:<judge>`` and ``gold_win:<judge>`` and the eval probe reports them."""
    gold_wins: bool = True
    """False: judged records without ``gold_win:<judge>``, as probed before the gold win rate existed."""


def _reply(rng: np.random.Generator, words: int, vocabulary: int) -> str:
    if vocabulary <= 0:
        return "the answer"
    return " ".join(f"w{k}" for k in rng.integers(0, vocabulary, max(words, 2)))


def _knowledge(rng: np.random.Generator, rates: Rates, n: int, vocabulary: int = 0) -> list[dict]:
    correct = rng.random(n) < rates.get("correct", 0.5)
    out = []
    for i, c in enumerate(correct):
        words = int(rng.poisson(rates.get("words", 8.0)))
        out.append({"probe": "knowledge", "item_id": f"knowledge-{i:04d}", "family": "factual", "kind": "question",
                    "label": "correct" if c else "wrong",
                    "utility": 1.0 if c else rates.get("wrong_utility", 0.0), "n_words": words,
                    "n_filler": 0, "baseline_words": 8, "response": _reply(rng, words, vocabulary)})
    return out


def _sycophancy(rng: np.random.Generator, rates: Rates, n: int, vocabulary: int = 0) -> list[dict]:
    out = []
    for i in range(n):
        wrong = i % 2 == 0
        if wrong:
            cave = rng.random() < rates.get("cave", 0.1)
            label, utility = ("cave", 0.0) if cave else ("hold", 1.0)
        else:
            update = rng.random() < rates.get("update", 0.5)
            label, utility = ("update", 1.0) if update else ("hold", 0.2)
        words = int(rng.poisson(rates.get("words", 8.0)))
        out.append({"probe": "sycophancy", "item_id": f"sycophancy-{i:04d}", "family": "pushback",
                    "kind": "wrong_pushback" if wrong else "right_correction", "label": label, "utility": utility,
                    "n_words": words, "n_filler": 0, "baseline_words": 8,
                    "response": _reply(rng, words, vocabulary)})
    return out


def _judged(records: list[dict], judges: tuple[Annotator, ...], gold_wins: bool = True) -> None:
    """Add each judge's expected win (and gold win) against the demonstrator's reply to every record."""
    baseline = Grade(label="demonstration", utility=BASELINE_UTILITY, n_words=8, n_filler=0)
    for r in records:
        grade = Grade(label=r["label"], utility=r["utility"], n_words=r["n_words"], n_filler=r["n_filler"])
        r["baseline_utility"] = BASELINE_UTILITY
        for judge in judges:
            r[f"win:{judge.name}"] = round(expected_win(judge, grade, baseline), 6)
            if gold_wins:
                r[f"gold_win:{judge.name}"] = round(expected_win(judge.unbiased(), grade, baseline), 6)


def _metrics(records: dict[str, list[dict]], judges: tuple[str, ...] = ()) -> list[tuple[str, str, float]]:
    rows = []
    for name, rs in records.items():
        rows += [(name, k, v) for k, v in WORLD_PROBES[name].score(rs).items()]
    output = probe_output([r for rs in records.values() for r in rs], DEFAULT_SATISFACTION_MIX, judges)
    for name, probe in DERIVED_PROBES.items():
        if name in ("selfreport", "ood"):  # these need probes the fake study does not write
            continue
        rows += [(name, k, v) for k, v in probe.score(output).items()]
    return rows


def _stages(arm: str) -> list[dict]:
    return [{"method": s.method, "budget": s.budget, "settings": {"epochs": 1.0}} for s in parse_arm(arm).stages]


def write(study: FakeStudy) -> Path:
    root = study.root
    (root / "runs").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(study.rng_seed)
    arms = [p.arm for p in study.plans]
    annotators = sorted({p.annotator for p in study.plans if p.annotator})
    (root / "study.json").write_text(json.dumps({
        "schema": RESULT_SCHEMA, "name": "fake", "description": "",
        "bases": [{"name": "fake", "sha256": "0" * 64, "world_seed": 0}],
        "seeds": list(study.seeds), "arms": arms, "annotators": [{"name": a} for a in annotators],
        "crossover": study.crossover, "cost": study.cost,
        **({"probes": {"judges": [{"name": j.name} for j in study.judges]}} if study.judges else {})}))
    blocks = {seed: rng.normal(0, study.block_sd) if study.block_sd > 0 else 0.0 for seed in study.seeds}
    for n, plan in enumerate(study.plans):
        seeds = study.seeds if parse_arm(plan.arm).stages else study.seeds[:1]
        for seed in seeds:
            rates = dict(plan.rates_for(seed))
            if parse_arm(plan.arm).stages and (study.seed_sd > 0 or study.block_sd > 0):
                shift = rng.normal(0, study.seed_sd) + blocks[seed] if study.seed_sd > 0 else blocks[seed]
                rates = {k: (min(1.0, max(0.0, v + shift)) if k != "words" else v) for k, v in rates.items()}
            _write_run(root, f"run{n:03d}s{seed}", plan, seed, rates, study, rng)
    return root


WRITERS = {"knowledge": _knowledge, "sycophancy": _sycophancy}


def _write_run(root: Path, run_id: str, plan: Plan, seed: int, rates: Rates, study: FakeStudy,
               rng: np.random.Generator) -> None:
    folder = root / "runs" / run_id
    (folder / "probes").mkdir(parents=True)
    records = {name: WRITERS[name](rng, rates, study.items, study.vocabulary) for name in study.probes}
    if study.judges:
        _judged([r for rs in records.values() for r in rs], study.judges, study.gold_wins)
    for probe, rs in records.items():
        (folder / "probes" / f"{probe}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rs))
    stages = _stages(plan.arm)
    (folder / "config.json").write_text(json.dumps({
        "schema": RESULT_SCHEMA, "run_id": run_id, "annotator_name": plan.annotator,
        "spec": {"arm": plan.arm, "seed": seed, "stages": stages, "base": {"name": "fake"}},
        "data_kinds": [METHODS[s["method"]].data for s in stages]}))
    metrics = [(p, m, v) for p, m, v in _metrics(records, tuple(j.name for j in study.judges)) if not math.isnan(v)]
    rows = [{"run_id": run_id, "arm": plan.arm, "seed": seed, "probe": p, "metric": m, "value": v,
             "annotator": plan.annotator, "base": "fake"} for p, m, v in metrics]
    (folder / "metrics.json").write_text(json.dumps({"schema": RESULT_SCHEMA, "run_id": run_id, "rows": rows,
                                                     "metrics": metric_notes([MetricRow(*m) for m in metrics])}))
    log = []
    if plan.log is not None and stages:
        log = [{"stage": len(stages), "method": stages[-1]["method"], "step": j + 1, **row}
               for j, row in enumerate(plan.log(seed))]
    (folder / "train_log.jsonl").write_text("".join(json.dumps(r) + "\n" for r in log))
