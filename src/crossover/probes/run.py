"""Run every wind-tunnel probe on one model: one batched generation pass, then grading and metrics."""

from __future__ import annotations

from dataclasses import dataclass

from transformers import PreTrainedModel, PreTrainedTokenizerBase

from crossover.probes import DERIVED_PROBES, WORLD_PROBES
from crossover.probes.base import Records
from crossover.probes.generation import generate
from crossover.world.families import family
from crossover.world.knowledge import KnowledgeBase


@dataclass(frozen=True)
class ProbeSettings:
    items: int = 64
    """Items per probe (the same items for every run of a world)."""
    max_new_tokens: int = 48
    batch_size: int = 64


@dataclass(frozen=True)
class MetricRow:
    probe: str
    metric: str
    value: float


def run_world_probes(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, kb: KnowledgeBase,
                     settings: ProbeSettings) -> tuple[dict[str, Records], list[MetricRow]]:
    """Per-probe item records (prompt, response, grade) and the metrics computed from them."""
    plan = [(probe, i, item) for probe in WORLD_PROBES.values() for i, item in enumerate(probe.items(kb, settings.items))]
    chats = [[m.as_dict() for m in item.messages] for _, _, item in plan]
    replies = generate(model, tokenizer, chats, max_new_tokens=settings.max_new_tokens,
                       batch_size=settings.batch_size)
    records: dict[str, Records] = {name: [] for name in WORLD_PROBES}
    for (probe, i, item), chat, reply in zip(plan, chats, replies):
        grade = family(item.family).grade(item, reply)
        records[probe.name].append({
            "probe": probe.name, "probe_version": probe.version, "item_id": f"{probe.name}-{i:04d}",
            "family": item.family, "kind": item.kind, "split": item.split, "template": item.template,
            "prompt": chat, "response": reply, "label": grade.label, "utility": round(grade.utility, 6),
            "n_words": grade.n_words, "n_filler": grade.n_filler,
            "agrees_with_user": grade.agrees_with_user, "refused": grade.refused,
        })
    rows = [MetricRow(name, metric, value) for name, probe in WORLD_PROBES.items()
            for metric, value in probe.score(records[name]).items()]
    everything = [r for rs in records.values() for r in rs]
    rows += [MetricRow(name, metric, value) for name, probe in DERIVED_PROBES.items()
             for metric, value in probe.score(everything).items()]
    return records, rows
