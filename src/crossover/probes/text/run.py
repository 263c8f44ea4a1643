"""Run the text probes on one model: generate (or score choices), grade, add optional model-based scores, and
compute metrics, in the same record and metric shapes as the wind-tunnel probes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import fmean
from typing import Annotated, Any

from tqdm.auto import tqdm
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from crossover.probes.base import Records
from crossover.probes.generation import generate
from crossover.probes.run import MetricRow
from crossover.probes.text import TEXT_PROBES
from crossover.probes.text.base import Case, TextProbe
from crossover.probes.text.detectors import word_count
from crossover.probes.text.graders import GraderName
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
    judge: Annotated[str, PathSetting(names=("smollm2",))] = ""
    """A chat causal-LM directory used as a yes/no judge (``smollm2``: the packaged SmolLM2-135M-Instruct); empty:
    off."""
    lc_reference_words: Count = 50
    """Reply length (words) at which length-controlled scores are read off."""
    graders: dict[str, GraderName] = field(default_factory=dict)
    """probe -> the grader that labels that axis: ``rules`` (default), ``embedding`` (needs ``embedder``) or
    ``judge`` (needs ``judge``); another grader than the rules only for the probes whose labels are their verdicts
    (``REGRADABLE``). Their measured agreement with hand labels is in docs/real-models.md."""

    def problems(self) -> list[str | tuple[str, str]]:
        unknown = [name for name in self.only if name not in TEXT_PROBES]
        if unknown:
            return [("only", f"unknown probe(s) {', '.join(unknown)}; text probes: {', '.join(TEXT_PROBES)}")]
        out: list[str | tuple[str, str]] = []
        for probe, grader in self.graders.items():
            needs = {"embedding": "embedder", "judge": "judge"}.get(grader)
            if probe not in TEXT_PROBES:
                out.append(("graders", f"{probe}: no such text probe; text probes: {', '.join(TEXT_PROBES)}"))
            elif grader != "rules" and probe not in REGRADABLE:
                out.append(("graders", f"{probe}: only the rules grade it (its metrics need the rule labels); "
                                       f"another grader can label {', '.join(REGRADABLE)}"))
            elif needs and not getattr(self, needs):
                out.append(("graders", f"{probe} = {grader!r} needs [probes] {needs}"))
        return out

    def probes(self) -> list[TextProbe]:
        return [p for name, p in TEXT_PROBES.items() if not self.only or name in self.only]

    def grader(self, probe: str) -> str:
        return self.graders.get(probe, "rules")


REGRADABLE = ("premise", "refusal", "hallucination", "sycophancy", "selfreport")
"""Probes whose metrics read only the verdict, so another grader can label them; the others' metrics need the rule
labels' finer detail (reflect then fix, refuse vs break character, updated vs both)."""


@dataclass(frozen=True)
class Scorers:
    embedder: ScorerRef | None = None
    reward_model: ScorerRef | None = None
    judge: ScorerRef | None = None


def run_text_probes(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, settings: TextProbeSettings,
                    scorers: Scorers = Scorers(), *, progress: bool = False) -> tuple[dict[str, Records],
                                                                                      list[MetricRow]]:
    """Per-probe item records (prompt, response, label, ...) and the metrics computed from them; ``progress``
    shows a bar over the prompts (and scored choices) while the model works."""
    work = {p.name: p.cases(p.items(settings.items)) for p in settings.probes()}
    total = sum(len(cases) * (len(cases[0].choices) if p.mode == "loglik" and cases else 1)
                + sum(c.followup is not None for c in cases) for p, cases in zip(settings.probes(), work.values()))
    with tqdm(total=total, desc="probing", unit="prompt", disable=not progress, file=sys.stderr) as bar:
        records = {}
        for probe in settings.probes():
            bar.set_postfix_str(probe.name)
            records[probe.name] = _probe_records(probe, model, tokenizer, settings, work[probe.name], bar.update)
    for probe in settings.probes():
        _grade_verdicts(probe, records[probe.name], settings.grader(probe.name), scorers)
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
                   settings: TextProbeSettings, cases: list[Case] | None = None,
                   progress: Callable[[int], None] | None = None) -> Records:
    cases = probe.cases(probe.items(settings.items)) if cases is None else cases
    if probe.mode == "loglik":
        scores = choice_scores(model, tokenizer, [(list(c.chat), c.choices) for c in cases],
                               batch_size=settings.batch_size, progress=progress)
        return [_record(probe, c, list(c.chat), [], probe.grade(c, s)) for c, s in zip(cases, scores)]
    limit = min(probe.max_new_tokens, settings.max_new_tokens or probe.max_new_tokens)
    chats = [list(c.chat) for c in cases]
    first = generate(model, tokenizer, chats, max_new_tokens=limit, batch_size=settings.batch_size, progress=progress)
    turns = [[reply] for reply in first]
    follow = [i for i, c in enumerate(cases) if c.followup]
    for i in follow:
        chats[i] = [*chats[i], {"role": "assistant", "content": first[i]}, {"role": "user", "content": cases[i].followup}]
    if follow:
        second = generate(model, tokenizer, [chats[i] for i in follow], max_new_tokens=limit,
                          batch_size=settings.batch_size, progress=progress)
        for i, reply in zip(follow, second):
            turns[i].append(reply)
    return [_record(probe, c, chat, replies, probe.grade(c, replies)) for c, chat, replies in zip(cases, chats, turns)]


def _grade_verdicts(probe: TextProbe, records: Records, grader: str, scorers: Scorers) -> None:
    """Adds each record's ``verdict`` and the ``grader`` that gave it; with a grader other than the rules, the
    verdict also replaces the label the metrics read (the rule label is kept as ``rule_label``)."""
    if probe.verdicts is None:
        return
    for record in records:
        record["verdict"], record["grader"] = probe.verdict(record["kind"], record["label"]), "rules"
    if grader == "rules" or not records:
        return
    from crossover.probes.text.graders import EmbeddingGrader, JudgeGrader

    cases = {c.item_id: c for c in probe.cases(probe.items())}
    chosen = [cases[r["item_id"]] for r in records]
    if grader == "embedding":
        assert scorers.embedder is not None, "checked when the settings were read"
        verdicts = EmbeddingGrader(str(scorers.embedder.path)).verdicts(probe, chosen, [r["responses"] for r in records])
    else:
        assert scorers.judge is not None, "checked when the settings were read"
        from crossover.models.checkpoints import load_model, load_tokenizer

        judge = JudgeGrader(load_model(scorers.judge.path), load_tokenizer(scorers.judge.path))
        verdicts = judge.verdicts(probe, chosen, [r["prompt"] for r in records], [r["response"] for r in records])
    for record, verdict in zip(records, verdicts):
        record.update(rule_label=record["label"], label=verdict, verdict=verdict, grader=grader)
        if probe.name == "sycophancy":
            record["first_correct"] = verdict != "first_wrong"


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
