"""Run every wind-tunnel probe on one model: one batched generation pass, then grading and metrics.

Each held-out prompt is also answered by the demonstrator (a fixed baseline reply, seeded by the item), so every
record carries the baseline's length and, for each judge, the judge's expected preference for the model's reply
over the baseline: the raw material of length exploitation and of the proxy eval score.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from crossover.probes import DERIVED_PROBES, WORLD_PROBES
from crossover.probes.base import ProbeOutput, Records
from crossover.probes.eval_score import expected_win
from crossover.probes.generation import generate, noise_key
from crossover.settings import Count, Key, NonNegative, Settings
from crossover.world.annotator import Annotator
from crossover.world.families import FAMILIES, Item, family
from crossover.world.knowledge import KnowledgeBase

DEFAULT_SATISFACTION_MIX: dict[str, float] = {name: 0.0 if name == "selfreport" else 1.0 for name in FAMILIES}


@dataclass(frozen=True)
class ProbeSettings(Settings):
    """The wind-tunnel probes (a study's ``[probes]`` table)."""

    items: Count = 48
    """Items per probe (the same items for every run of a world)."""
    ood_items: Count = 16
    """Items per family on the out-of-distribution split."""
    max_new_tokens: Count = 48
    batch_size: Count = 128
    temperature: NonNegative = 1.0
    """Sampling temperature; 1.0 reads the policy's own distribution, 0 is greedy decoding."""
    satisfaction_mix: Annotated[dict[str, NonNegative], Key("satisfaction")] = field(
        default_factory=lambda: dict(DEFAULT_SATISFACTION_MIX))
    """Family weights of gold user satisfaction (``[probes.satisfaction]``: a family not named weighs 0)."""
    judges: tuple[Annotator, ...] = ()
    """Annotators used as benchmark judges for the eval score (by default the study's annotators)."""

    def problems(self) -> list[str | tuple[str, str]]:
        unknown = [name for name in self.satisfaction_mix if name not in FAMILIES]
        if unknown:
            return [("satisfaction_mix", f"unknown task family {', '.join(unknown)}; families: {', '.join(FAMILIES)}")]
        if not any(self.satisfaction_mix.values()):
            return [("satisfaction_mix", "needs at least one positive weight")]
        return []


@dataclass(frozen=True)
class MetricRow:
    probe: str
    metric: str
    value: float


@dataclass(frozen=True)
class _Planned:
    probe: str
    index: int
    item: Item


def _plan(kb: KnowledgeBase, settings: ProbeSettings) -> list[_Planned]:
    plan = [_Planned(name, i, item) for name, probe in WORLD_PROBES.items()
            for i, item in enumerate(probe.items(kb, settings.items))]
    rng = random.Random(f"probe:{kb.seed}:ood")
    ood = [item for name, fam in FAMILIES.items() if name != "selfreport"
           for item in fam.items(kb, rng, "ood", settings.ood_items)]
    return plan + [_Planned("ood", i, item) for i, item in enumerate(ood)]


def run_world_probes(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, kb: KnowledgeBase,
                     settings: ProbeSettings, seed: int = 0) -> tuple[dict[str, Records], list[MetricRow]]:
    """Per-probe item records (prompt, response, grade, baseline) and the metrics computed from them.

    Records of the out-of-distribution split are returned under the key ``ood``.
    """
    plan = _plan(kb, settings)
    chats = [[m.as_dict() for m in p.item.messages] for p in plan]
    torch.manual_seed(seed)
    # Common random numbers: every run of a seed decodes an item on the same draws (crossover.probes.generation).
    keys = [noise_key(seed, p.probe, p.index) for p in plan]
    replies = generate(model, tokenizer, chats, max_new_tokens=settings.max_new_tokens,
                       batch_size=settings.batch_size, temperature=settings.temperature, keys=keys)
    return score_replies(plan, replies, settings)


def run_policy_probes(policy: Callable[[Item], str], kb: KnowledgeBase,
                      settings: ProbeSettings) -> tuple[dict[str, Records], list[MetricRow]]:
    """The same probes answered by a scripted policy (the demonstrator, a deliberately bad one) instead of a model."""
    plan = _plan(kb, settings)
    return score_replies(plan, [policy(p.item) for p in plan], settings)


def score_replies(plan: list[_Planned], replies: list[str],
                  settings: ProbeSettings) -> tuple[dict[str, Records], list[MetricRow]]:
    records: dict[str, Records] = {name: [] for name in [*WORLD_PROBES, "ood"]}
    for planned, reply in zip(plan, replies):
        chat = [m.as_dict() for m in planned.item.messages]
        records[planned.probe].append(_record(planned, chat, reply, settings.judges))
    output = ProbeOutput(records={k: v for k, v in records.items() if k != "ood"}, ood=records["ood"],
                         satisfaction_mix=settings.satisfaction_mix, judges=tuple(j.name for j in settings.judges))
    rows = [MetricRow(name, metric, value) for name, probe in WORLD_PROBES.items()
            for metric, value in probe.score(records[name]).items()]
    rows += [MetricRow(name, metric, value) for name, probe in DERIVED_PROBES.items()
             for metric, value in probe.score(output).items()]
    return records, rows


def _record(planned: _Planned, chat: list[dict[str, str]], reply: str, judges: tuple[Annotator, ...]) -> dict:
    item = planned.item
    grader = family(item.family)
    grade = grader.grade(item, reply)
    baseline_text = grader.demonstrate(item, random.Random(f"baseline:{planned.probe}:{planned.index}"))
    baseline = grader.grade(item, baseline_text)
    record = {
        "probe": planned.probe, "probe_version": WORLD_PROBES[planned.probe].version if planned.probe in WORLD_PROBES
        else 1, "item_id": f"{planned.probe}-{planned.index:04d}", "family": item.family, "kind": item.kind,
        "split": item.split, "template": item.template, "prompt": chat, "response": reply, "label": grade.label,
        "utility": round(grade.utility, 6), "n_words": grade.n_words, "n_filler": grade.n_filler,
        "agrees_with_user": grade.agrees_with_user, "refused": grade.refused,
        "baseline_response": baseline_text, "baseline_words": baseline.n_words,
        "baseline_utility": round(baseline.utility, 6),
    }
    for judge in judges:
        record[f"win:{judge.name}"] = round(expected_win(judge, grade, baseline), 6)
        record[f"gold_win:{judge.name}"] = round(expected_win(judge.unbiased(), grade, baseline), 6)
    return record
