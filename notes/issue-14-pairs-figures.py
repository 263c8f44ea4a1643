"""Figures for issue 14 item 3 (pair sources) from a finished `studies/pair-sources.toml` study directory.

    OMP_NUM_THREADS=1 PYTHONPATH=src python notes/issue-14-pairs-figures.py runs/pair-sources

Prints, per annotator: each arm's score per seed and its mean on the axes the issue names (sycophancy flips,
harmful compliance, hallucination, over-refusal, length) plus gold satisfaction, the two style axes that moved
most (specific notes, feelings reflected first) and the annotator's own win rate;
the contrast on-policy minus candidate pairs, and each child minus the SFT parent, with 95% intervals from the
analysis's seed x item bootstrap; the on-policy sampling log (prompts read, dropped); and, for seed 0, what the
training pairs of each source hold (gold utility of chosen and rejected, how often the label agrees with gold,
length gap), re-drawn exactly from the stored SFT parent (on-policy sampling is seeded per prompt and sample).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from statistics import fmean

import pandas as pd

from crossover.analysis.context import Context
from crossover.analysis.load import load_study_data
from crossover.config import load_study
from crossover.data.sources import WorldSource
from crossover.study.spec import expand
from crossover.models.checkpoints import load_model, load_tokenizer
from crossover.train.stages import _sampler
from crossover.world.bases import resolve_base
from crossover.world.families import Item, family
from crossover.world.knowledge import build_knowledge_base

STUDY = Path(__file__).resolve().parent.parent / "studies" / "pair-sources.toml"
PARENT, CANDIDATES, ONPOLICY = "sft(250)", "sft(250)>dpo(250)", "sft(250)>dpo(250, pairs=onpolicy)"
ROUNDS = "sft(250)>dpo(250, pairs=onpolicy, rounds=2)"
AXES = (("sycophancy", "flip_rate"), ("refusal", "harmful_compliance"), ("hallucination", "hallucination_rate"),
        ("refusal", "over_refusal"), ("length", "mean_words"), ("satisfaction", "gold"), ("style", "specific_rate"),
        ("emotion", "reflect_first_rate"))


def show(title: str, table: pd.DataFrame) -> None:
    with pd.option_context("display.width", 250, "display.max_columns", 40, "display.float_format", "{:.3f}".format):
        print(f"\n## {title}\n{table.to_string()}")


def interval(est) -> str:
    return "n/a" if est is None else f"{est.point:+.3f} [{est.lo:+.3f}, {est.hi:+.3f}] ({est.verdict})"


def scores(ctx: Context, annotator: str) -> pd.DataFrame:
    rows = []
    for arm in (PARENT, CANDIDATES, ONPOLICY, ROUNDS):
        cell = ctx.data.cell(annotator, arm)
        if cell is None:
            continue
        for probe, metric in (*AXES, ("eval", f"win_rate:{annotator}")):
            values = {r.seed: ctx.data.metric_values(r.run_id).get((probe, metric)) for r in cell.runs}
            rows.append({"arm": arm, "metric": f"{probe}.{metric}", **{f"seed {s}": v for s, v in values.items()},
                         "mean": fmean(v for v in values.values() if v is not None)})
    return pd.DataFrame(rows).set_index(["metric", "arm"]).sort_index()


def contrasts(ctx: Context, annotator: str) -> pd.DataFrame:
    cells = {arm: ctx.data.cell(annotator, arm) for arm in (PARENT, CANDIDATES, ONPOLICY, ROUNDS)}
    rows = []
    for probe, metric in (*AXES, ("eval", f"win_rate:{annotator}")):
        table = {arm: ctx.table(cell, probe, metric) for arm, cell in cells.items()}
        rows.append({"metric": f"{probe}.{metric}",
                     "onpolicy - candidates": interval(ctx.contrast(table[ONPOLICY], table[CANDIDATES])),
                     "candidates - sft parent": interval(ctx.contrast(table[CANDIDATES], table[PARENT])),
                     "onpolicy - sft parent": interval(ctx.contrast(table[ONPOLICY], table[PARENT])),
                     "2 rounds - 1 round (onpolicy)": interval(ctx.contrast(table[ROUNDS], table[ONPOLICY]))})
    return pd.DataFrame(rows).set_index("metric")


def sampling_log(ctx: Context) -> pd.DataFrame:
    rows = []
    for (annotator, arm), cell in ctx.data.cells.items():
        for run in cell.runs:
            for event in ctx.data.train_log(run.run_id):
                if event.get("event") == "pair_source":
                    rows.append({"annotator": annotator, "arm": arm, "seed": run.seed,
                                 **{k: event[k] for k in ("round", "pairs", "prompts", "onpolicy_prompts", "dropped")}})
    return pd.DataFrame(rows)


def pair_contents(rows: list[dict], items: list[Item]) -> dict[str, float]:
    """Gold utility of the chosen and rejected replies, label-gold agreement and the length gap."""
    chosen, rejected, agree, gap = [], [], [], []
    for row, item in zip(rows, items, strict=True):
        grader = family(item.family)
        c, r = grader.grade(item, row["chosen"][0]["content"]), grader.grade(item, row["rejected"][0]["content"])
        chosen.append(c.utility)
        rejected.append(r.utility)
        agree.append(1.0 if c.utility > r.utility else 0.5 if c.utility == r.utility else 0.0)
        gap.append(c.n_words - r.n_words)
    return {"gold(chosen)": fmean(chosen), "gold(rejected)": fmean(rejected), "label agrees with gold": fmean(agree),
            "rejected gold < 0.5": fmean(u < 0.5 for u in rejected), "words chosen - rejected": fmean(gap)}


def training_pairs(root: Path, seed: int = 0) -> pd.DataFrame:
    source_file = Path(json.loads((root / "study.json").read_text()).get("source") or STUDY)
    config = load_study(source_file if source_file.exists() else STUDY)  # the study file that made DIR
    base = resolve_base(config.bases[0])
    specs = {(s.arm.label, s.seed, s.annotator_name): s for s in expand(config, [base])}
    source = WorldSource(build_knowledge_base(base.world_seed))
    parent = specs[(PARENT, seed, "")]
    model = load_model(root / "checkpoints" / parent.training_key(1))
    tokenizer = load_tokenizer(base.path)
    out = []
    for annotator in config.annotators:
        spec = specs[(ONPOLICY, seed, annotator.name)]
        sampled = source.sampled_pairs(seed, annotator, spec.arm.stages[-1].pairs)
        pairs = sampled.pairs(250, _sampler(model, tokenizer))
        onpolicy_items = _items_of(source, seed, annotator, [p.to_trl() for p in pairs])
        candidates = source.rows("pairs", 250, seed, annotator)
        out.append({"annotator": annotator.name, "source": "candidates",
                    **pair_contents(candidates, _items_of(source, seed, annotator, candidates))})
        out.append({"annotator": annotator.name, "source": "onpolicy",
                    **pair_contents([p.to_trl() for p in pairs], onpolicy_items)})
    return pd.DataFrame(out).set_index(["annotator", "source"])


def _items_of(source: WorldSource, seed: int, annotator, rows: list[dict]) -> list[Item]:
    """The world items behind training rows, found by prompt in the candidate stream (prompts are its prefix)."""
    from crossover.world.demonstrator import candidate_pairs

    wanted = {str(r["prompt"]) for r in rows}
    found: dict[str, Item] = {}
    for item, _, _ in candidate_pairs(source.kb, seed):
        key = str([m.as_dict() for m in item.messages])
        if key in wanted:
            found.setdefault(key, item)
        if len(found) == len(wanted):
            break
    return [found[str(r["prompt"])] for r in rows]


def main(root: Path) -> None:
    ctx = Context(load_study_data(root))
    print(f"study {root}: {len(ctx.data.runs)} runs, base {sorted(ctx.data.bases)}")
    for annotator in ctx.data.annotators:
        show(f"{annotator}: score per seed and mean", scores(ctx, annotator))
        show(f"{annotator}: contrasts, 95% intervals over seeds x items", contrasts(ctx, annotator))
    show("On-policy sampling per run (k = 4 per prompt; prompts dropped: all samples equal, or tied on proxy)",
         sampling_log(ctx))
    show("What the 250 training pairs hold, seed 0", training_pairs(root))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
