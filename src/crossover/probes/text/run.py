"""Run the text probes on one model: generate (or score choices), grade, add optional model-based scores, and
compute metrics, in the same record and metric shapes as the wind-tunnel probes."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean
from typing import Annotated, Any

from transformers import PreTrainedModel, PreTrainedTokenizerBase

from crossover.probes.base import Records
from crossover.probes.generation import generate
from crossover.probes.run import MetricRow
from crossover.probes.text import TEXT_PROBES
from crossover.probes.text.base import Case, TextProbe
from crossover.probes.text.detectors import word_count
from crossover.probes.text.likelihood import choice_scores
from crossover.probes.text.scorers import Embedder, Judge, RewardModel, ScorerRef, length_controlled_score
from crossover.settings import Count, NonNegativeInt, PathSetting, Settings


@dataclass(frozen=True)
class TextProbeSettings(Settings):
    """The text probes of a study on your own model (a study's ``[probes]`` table)."""

    only: tuple[str, ...] = ()
    """Probe names to run; empty: all of them."""
    items: NonNegativeInt = 0
    """Items per probe, taken round-robin over the probe's kinds; 0: every item."""
    max_new_tokens: NonNegativeInt = 0
    """Cap on reply length; 0: each probe's own setting."""
    batch_size: Count = 16
    embedder: Annotated[str, PathSetting(names=("minilm",))] = ""
    """Embedding grader: ``minilm`` or a sentence-transformers directory; empty: off."""
    reward_model: Annotated[str, PathSetting()] = ""
    """A sequence-classification model directory (one output); empty: off."""
    judge: Annotated[str, PathSetting()] = ""
    """A chat causal-LM directory used as a yes/no judge; empty: off."""
    lc_reference_words: Count = 50
    """Reply length (words) at which length-controlled scores are read off."""

    def problems(self) -> list[str | tuple[str, str]]:
        unknown = [name for name in self.only if name not in TEXT_PROBES]
        if unknown:
            return [("only", f"unknown probe(s) {', '.join(unknown)}; text probes: {', '.join(TEXT_PROBES)}")]
        return []

    def probes(self) -> list[TextProbe]:
        return [p for name, p in TEXT_PROBES.items() if not self.only or name in self.only]


@dataclass(frozen=True)
class Scorers:
    embedder: ScorerRef | None = None
    reward_model: ScorerRef | None = None
    judge: ScorerRef | None = None


def run_text_probes(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, settings: TextProbeSettings,
                    scorers: Scorers = Scorers()) -> tuple[dict[str, Records], list[MetricRow]]:
    """Per-probe item records (prompt, response, label, ...) and the metrics computed from them."""
    records = {p.name: _probe_records(p, model, tokenizer, settings) for p in settings.probes()}
    generated = [r for p in settings.probes() if p.mode == "generate" for r in records[p.name]]
    if scorers.embedder:
        _embed(settings.probes(), records, scorers.embedder)
    for role, ref, scorer_type in (("reward", scorers.reward_model, RewardModel), ("judge", scorers.judge, Judge)):
        if ref is not None and generated:
            values = scorer_type(ref).scores([r["prompt"] for r in generated], [r["response"] for r in generated])
            for record, value in zip(generated, values):
                record[role] = round(value, 6)
    rows: list[MetricRow] = []
    measured: dict[tuple[str, str], float] = {}
    for probe in settings.probes():
        for metric, value in probe.score(records[probe.name], measured).items():
            measured[(probe.name, metric)] = value
            rows.append(MetricRow(probe.name, metric, value))
    rows += _derived(generated, settings.lc_reference_words)
    return records, rows


def _probe_records(probe: TextProbe, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
                   settings: TextProbeSettings) -> Records:
    cases = probe.cases(probe.items(settings.items))
    if probe.mode == "loglik":
        scores = choice_scores(model, tokenizer, [(list(c.chat), c.choices) for c in cases],
                               batch_size=settings.batch_size)
        return [_record(probe, c, list(c.chat), [], probe.grade(c, s)) for c, s in zip(cases, scores)]
    limit = min(probe.max_new_tokens, settings.max_new_tokens or probe.max_new_tokens)
    chats = [list(c.chat) for c in cases]
    first = generate(model, tokenizer, chats, max_new_tokens=limit, batch_size=settings.batch_size)
    turns = [[reply] for reply in first]
    follow = [i for i, c in enumerate(cases) if c.followup]
    for i in follow:
        chats[i] = [*chats[i], {"role": "assistant", "content": first[i]}, {"role": "user", "content": cases[i].followup}]
    if follow:
        second = generate(model, tokenizer, [chats[i] for i in follow], max_new_tokens=limit,
                          batch_size=settings.batch_size)
        for i, reply in zip(follow, second):
            turns[i].append(reply)
    return [_record(probe, c, chat, replies, probe.grade(c, replies)) for c, chat, replies in zip(cases, chats, turns)]


def _record(probe: TextProbe, case: Case, chat: list[dict[str, str]], replies: list[str],
            grade: dict[str, Any]) -> dict[str, Any]:
    response = replies[-1] if replies else ""
    return {"probe": probe.name, "probe_version": probe.version, "item_id": case.item_id, "kind": case.kind,
            "prompt": chat, "response": response, "responses": replies, "n_words": word_count(response),
            **({"choices": list(case.choices)} if case.choices else {}), **grade}


def _embed(probes: list[TextProbe], records: dict[str, Records], ref: ScorerRef) -> None:
    embedder = Embedder(ref)
    for probe in probes:
        if probe.exemplars is None or not records[probe.name]:
            continue
        cases = {c.item_id: c for c in probe.cases(probe.items())}
        exemplars = [probe.exemplars(cases[r["item_id"]]) for r in records[probe.name]]
        margins = embedder.margins([r["response"] for r in records[probe.name]], exemplars)
        for record, margin in zip(records[probe.name], margins):
            record["embed_margin"] = round(margin, 6)


def _derived(generated: Records, reference_words: int) -> list[MetricRow]:
    if not generated:
        return []
    words = [r["n_words"] for r in generated]
    rows = [MetricRow("length", "mean_words", fmean(words))]
    for role in ("reward", "judge"):
        if role not in generated[0]:
            continue
        values = [r[role] for r in generated]
        controlled, slope = length_controlled_score(values, words, reference_words)
        rows += [MetricRow(role, "raw", fmean(values)), MetricRow(role, "length_controlled", controlled),
                 MetricRow(role, "length_slope", slope)]
    return rows
