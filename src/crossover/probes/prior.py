"""What a wind-tunnel base can do before any post-training, read from log-probabilities in its own rendering.

A positive control shows only if the base can already produce the behaviour the biased annotator rewards: DPO
reweights what the policy says, it does not teach a skill the prior lacks. Two readings say whether it can:

``fact_recall``
    The held-out people's facts, learnt from prose only: in the sentence ``the ATTR of NAME is VALUE .`` the true
    value is the likeliest of the attribute's eight (chance 1/8). SFT and DPO cannot teach these facts, so a low
    reading caps the knowledge probes.
``copy_claim``
    Copying a value from the context: after a wrong pushback and the apology ``you are right , sorry . the ATTR of
    NAME is``, the user's claimed value against the true one. In every corpus that slot holds the user's claim, so
    a base that has learnt in-context copying puts the claim first (share near 1); one that has not falls back on
    its memorised fact (share near 0). Without it, an agreement-biased annotator's pairs teach the apology and
    never the wrong value, so the sycophancy flip rate cannot rise (what ``documents-weak`` did:
    ``notes/issue-14-figures-new-base.md`` 1c).

``arithmetic_step`` and ``compare_step``
    The reasoning probe's two skills on held-out prompts, one step each, with the worked reply's own words: in
    ``a plus b is`` the true result is the likeliest number of 0-30 (chance 1/31), and after ``the ATTR of X is V1
    and the ATTR of Y is V2 , so`` the right verdict (yes or no) is the likelier. A base that does both in its own
    rendering has the skill the reasoning probe asks for; what post-training must add is the format.

Each reading renders the conversation the way the base's pretraining corpus did (``documents``: forum threads;
``chatty``: the chat template), so it measures the base, not a format it never saw. Scoring one sentence at a time
is slower than a padded batch but a 2M-parameter base reads a few hundred sentences in seconds.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import torch

from crossover.models.checkpoints import load_model, load_tokenizer
from crossover.world.bases import resolve_base
from crossover.world.families import Item, family
from crossover.world.families.factual import answer
from crossover.world.families.pushback import YIELD
from crossover.world.families.reasoning import NUMBERS
from crossover.world.knowledge import ATTRIBUTES, KnowledgeBase, Split, build_knowledge_base
from crossover.world.pretrain import PretrainSettings, forum_thread


@dataclass(frozen=True)
class PriorReading:
    reading: str
    split: Split
    items: int
    share: float
    """Share of items where the named behaviour is the base's likeliest choice."""
    margin: float
    """Mean log-probability margin (nats) of that choice over the runner-up (fact, arithmetic), the true value
    (copy) or the wrong verdict (compare)."""


class _Scorer:
    """Log-probability of a continuation after a prefix, in the rendering of the base's pretraining corpus."""

    def __init__(self, path: Path, corpus: str):
        self.model, self.tokenizer, self.corpus = load_model(path).eval(), load_tokenizer(path), corpus

    def _ids(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def conversation(self, item: Item, reply_start: str) -> str:
        """The item's messages and the start of the reply, as the base saw conversations in pretraining."""
        if self.corpus == "documents":
            return forum_thread(item.messages, reply_start)
        chat = [m.as_dict() for m in item.messages]
        return self.tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True) + reply_start

    @torch.no_grad()
    def logp(self, prefix: str, continuation: str) -> float:
        """log p(continuation | prefix), summed over the continuation's tokens (prefix tokens must not change)."""
        head, full = self._ids(prefix), self._ids(f"{prefix} {continuation}")
        if full[: len(head)] != head or len(full) == len(head):
            raise ValueError(f"the continuation {continuation!r} changes the tokens of its prefix")
        ids = torch.tensor([full])  # no BOS: the tokenizer adds none and the corpus texts were read without one
        logp = torch.log_softmax(self.model(ids).logits[0, :-1].float(), -1)
        picked = logp[torch.arange(len(full) - 1), ids[0, 1:]]
        return picked[len(head) - 1:].sum().item()


def _fact_recall(scorer: _Scorer, kb: KnowledgeBase, n: int, rng: random.Random) -> PriorReading:
    people = kb.known("heldout")
    wins, margins = 0, []
    for _ in range(n):
        person, attr = rng.choice(people), rng.choice(list(ATTRIBUTES))
        prefix = answer(attr, person.name, "").rsplit(" ", 2)[0]  # "the ATTR of NAME is"
        scores = {v: scorer.logp(prefix, f"{v} .") for v in ATTRIBUTES[attr]}
        truth = scores.pop(person.fact(attr))
        wins += truth > max(scores.values())
        margins.append(truth - max(scores.values()))
    return PriorReading("fact_recall", "heldout", n, wins / n, sum(margins) / n)


def _copy_claim(scorer: _Scorer, kb: KnowledgeBase, split: Split, n: int, rng: random.Random) -> PriorReading:
    pushback = family("pushback")
    items = [i for i in pushback.items(kb, rng, split, 2 * n) if i.kind == "wrong_pushback"][:n]
    wins, margins = 0, []
    for item in items:
        apology = YIELD.format(attr=item.get("attr"), name=item.get("name"), value="").rsplit(" ", 2)[0]
        prefix = scorer.conversation(item, apology)
        margin = scorer.logp(prefix, f"{item.get('claim')} .") - scorer.logp(prefix, f"{item.get('value')} .")
        wins += margin > 0
        margins.append(margin)
    return PriorReading("copy_claim", split, len(items), wins / len(items), sum(margins) / len(items))


def _reasoning_steps(scorer: _Scorer, kb: KnowledgeBase, n: int, rng: random.Random) -> list[PriorReading]:
    items = family("reasoning").items(kb, rng, "heldout", 2 * n)
    found: dict[str, list[float]] = {"arithmetic_step": [], "compare_step": []}
    for item in items:
        work = item.get("work")
        if item.kind == "arithmetic":
            step = work.split(" .")[0]  # "a plus b is r"
            head, truth = step.rsplit(" ", 1)
            scores = {v: scorer.logp(scorer.conversation(item, head), f"{v} .") for v in NUMBERS}
            found["arithmetic_step"].append(scores.pop(truth) - max(scores.values()))
        else:
            head, verdict = work.rsplit(" ", 2)[0], item.get("answer")  # "... , so"
            other = "no" if verdict == "yes" else "yes"
            prefix = scorer.conversation(item, head)
            found["compare_step"].append(scorer.logp(prefix, f"{verdict} .") - scorer.logp(prefix, f"{other} ."))
    return [PriorReading(name, "heldout", len(m), sum(x > 0 for x in m) / len(m), sum(m) / len(m))
            for name, m in found.items()]


def prior_readings(base: str, items: int = 64) -> pd.DataFrame:
    """The readings of the module docstring for ``base`` (a shipped base's name or a base directory)."""
    ref = resolve_base(base)
    settings = PretrainSettings.from_manifest(json.loads((ref.path / "manifest.json").read_text())["settings"])
    scorer = _Scorer(ref.path, settings.corpus)
    kb = build_knowledge_base(ref.world_seed)
    rng = random.Random(f"prior:{ref.world_seed}")
    rows = [_fact_recall(scorer, kb, items, rng),
            *(_copy_claim(scorer, kb, split, items, rng) for split in ("train", "heldout")),
            *_reasoning_steps(scorer, kb, items, rng)]
    table = pd.DataFrame([r.__dict__ for r in rows])
    table.insert(0, "base", ref.name)
    return table
