"""Figures for issue 4 from a finished `studies/preference-family.toml` study directory.

    OMP_NUM_THREADS=1 PYTHONPATH=src python notes/issue-4-figures.py runs/preference-family

Prints, per seed and as the mean over seeds: reply length and its ratio to the SFT parent; the preference stage's
training dynamics (first and last logged value); the chosen and rejected log-probs of the training pairs under
the SFT parent and after each pairwise method; gold satisfaction and the proxy judge's win rate. Everything is read
from the study directory (metrics.csv, the runs' train logs, the stage checkpoints) and the world's seeded data.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import torch

from crossover.analysis.train_logs import dynamics_frame, endpoints
from crossover.config import load_study
from crossover.data.sources import WorldSource
from crossover.study.spec import expand
from crossover.study.store import StudyStore
from crossover.train.checkpoints import load_model, load_tokenizer
from crossover.world.bases import resolve_base
from crossover.world.knowledge import build_knowledge_base

STUDY = Path(__file__).resolve().parent.parent / "studies" / "preference-family.toml"
PARENT = "sft(250)"
PAIRWISE = ("sft(250)>dpo(250)", "sft(250)>dpop(250)", "sft(250)>rdpo(250)", "sft(250)>rdpo(250, alpha=0.2)",
            "sft(250)>simpo(250)")
SHOWN = ("watch/mean_words", "watch/kl", "logps/chosen", "logps/rejected", "rewards/margins", "rewards/accuracies",
         "rewards/proxy/mean", "rewards/gold/mean")


def by_arm_and_seed(metrics: pd.DataFrame, probe: str, name: str) -> pd.DataFrame:
    rows = metrics[(metrics.probe == probe) & (metrics.metric == name)]
    table = rows.pivot_table(index="arm", columns="seed", values="value")
    table["mean"] = table.mean(axis=1)
    return table


def capped_share(root: Path) -> pd.DataFrame:
    """Per run, the share of probe replies as long as the probes' max_new_tokens (one word per token here)."""
    cap = json.loads((root / "study.json").read_text())["probes"]["max_new_tokens"]
    rows = []
    for run in StudyStore(root).finished_runs():
        config = json.loads((run / "config.json").read_text())
        replies = [json.loads(line) for path in (run / "probes").glob("*.jsonl") for line in path.open()]
        lengths = [r["n_words"] for r in replies if "n_words" in r]
        rows.append({"arm": config["spec"]["arm"], "seed": config["spec"]["seed"],
                     "value": sum(n >= cap for n in lengths) / len(lengths)})
    table = pd.DataFrame(rows).pivot_table(index="arm", columns="seed", values="value")
    table["mean"] = table.mean(axis=1)
    return table


@torch.inference_mode()
def summed_logps(model, tokenizer, rows: list[dict], key: str) -> float:
    """Mean over rows of log pi(reply | prompt), summed over the reply's tokens (end-of-turn included)."""
    total = 0.0
    for row in rows:
        prompt = tokenizer.apply_chat_template(row["prompt"], add_generation_prompt=True, tokenize=True)
        full = tokenizer.apply_chat_template(row["prompt"] + row[key], tokenize=True)
        prompt, full = [list(x["input_ids"] if hasattr(x, "keys") else x) for x in (prompt, full)]
        logps = model(input_ids=torch.tensor([full])).logits[0, :-1].float().log_softmax(-1)
        per_token = logps.gather(1, torch.tensor(full[1:])[:, None])[:, 0]
        total += per_token[len(prompt) - 1:].sum().item()
    return total / len(rows)


def show(title: str, table: pd.DataFrame) -> None:
    with pd.option_context("display.width", 250, "display.max_columns", 40, "display.float_format", "{:.3f}".format):
        print(f"\n## {title}\n{table.to_string()}")


def main(root: Path) -> None:
    metrics = pd.read_csv(root / "metrics.csv")
    words = by_arm_and_seed(metrics, "length", "mean_words")
    show("Reply length in words (probe length.mean_words, replies sampled at temperature 1)", words)
    show(f"Ratio of reply length to the SFT parent {PARENT}, same seed", words.div(words.loc[PARENT], axis=1))
    show("Filler sentences per reply (length.filler_rate)", by_arm_and_seed(metrics, "length", "filler_rate"))
    show("Share of probe replies cut off at the generation cap (never ended their turn)", capped_share(root))
    show("Gold satisfaction (satisfaction.gold)", by_arm_and_seed(metrics, "satisfaction", "gold"))
    show("Proxy score: the length judge's win rate against the demonstrator (eval.win_rate:length)",
         by_arm_and_seed(metrics, "eval", "win_rate:length"))
    show("Length-controlled win rate (eval.lc_win_rate:length)", by_arm_and_seed(metrics, "eval", "lc_win_rate:length"))

    ends = endpoints(dynamics_frame(root))
    ends = ends[(ends.stage == 2) & ends.metric.isin(SHOWN)]
    show("Preference stage: first and last logged value (watch/* on 16 held-out prompts; logps, rewards per batch)",
         ends.pivot_table(index=["metric", "arm"], columns="seed", values=["start", "end"]))

    config = load_study(STUDY)
    base = resolve_base(config.bases[0])
    specs = {(s.arm.label, s.seed): s for s in expand(config, [base])}
    tokenizer, source = load_tokenizer(base.path), WorldSource(build_knowledge_base(base.world_seed))
    rows = []
    for seed in config.seeds:
        pairs = source.rows("pairs", 250, seed, specs[(PAIRWISE[0], seed)].annotator)
        for arm in (PARENT, *PAIRWISE):
            stages = 1 if arm == PARENT else 2
            model = load_model(root / "checkpoints" / specs[(arm, seed)].training_key(stages))
            rows += [{"arm": arm, "seed": seed, "reply": key, "logp": summed_logps(model, tokenizer, pairs, key)}
                     for key in ("chosen", "rejected")]
    show("Mean summed log-prob of the 250 training pairs' replies: SFT parent (= the reference) and after training",
         pd.DataFrame(rows).pivot_table(index=["reply", "arm"], columns="seed", values="logp"))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
