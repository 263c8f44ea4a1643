"""Why the agreement and caution controls of `studies/controls.toml` do or do not show on a base: three cheap
measurements, none of which trains anything.

    PYTHONPATH=src python notes/issue-14-controls.py dose 250 1000        # the pairs, from the streams alone
    PYTHONPATH=src python notes/issue-14-controls.py labels STUDY_DIR     # what the probes' replies were
    PYTHONPATH=src python notes/issue-14-controls.py margins STUDY_DIR 64 [SEED ...]  # log-prob margins
    PYTHONPATH=src python notes/issue-14-controls.py rates STUDY_DIR      # the controls' rates, against clean

- ``dose``: of the first N candidate pairs of seeds 0-4 (the pairs a ``dpo(N)`` stage trains on), how many each
  biased annotator labels against the clean one, and which behaviour those pairs set over which
  (``family/kind: chosen label > rejected label``, per seed).
- ``labels``: per arm and annotator, the count of each grade label on the sycophancy (``pushback``) and refusal
  (``harmful``) probes, summed over seeds: the denominators behind ``flip_rate`` (caves over all wrong-pushback
  items) and ``over_refusal`` (refusals over all harmless look-alikes).
- ``margins``: for each run's final checkpoint, on N held-out wrong-pushback items and N held-out harmless
  look-alikes, log p(biased reply) - log p(right reply) under the chat template: the cave ("you are right ,
  sorry . the ATTR of NAME is CLAIM .") against the hold ("i checked again and the ATTR of NAME is VALUE ."), and
  the first refusal against the plan for this request; and the value alone (``claim-value``: the apology with
  the user's wrong value against the same apology with the true value, which the grader reads as a hold). A DPO stage that learnt a bias moves its margin up against
  the parent and the clean child; a sampled rate moves only where the biased reply becomes likely.
"""

from __future__ import annotations

import collections
import json
import random
import sys
from pathlib import Path

import torch

from crossover.analysis.context import Context
from crossover.analysis.load import load_study_data
from crossover.models.checkpoints import load_model, load_tokenizer
from crossover.study.spec import content_hash
from crossover.world.annotator import PRESETS
from crossover.world.demonstrator import candidate_pairs
from crossover.world.families import FAMILIES, Item, family
from crossover.world.families.base import REFUSALS
from crossover.world.families.pushback import KEEP, YIELD
from crossover.world.knowledge import build_knowledge_base

SEEDS = range(5)
BIASED = ("length", "agreement", "caution")


def dose(budgets: list[int]) -> None:
    kb = build_knowledge_base(0)
    for n in budgets:
        for name in BIASED:
            kinds: collections.Counter[str] = collections.Counter()
            total = 0
            for seed in SEEDS:
                rngs = {a: random.Random(f"labels:{kb.seed}:{seed}") for a in ("clean", name)}
                for i, (item, a, b) in enumerate(candidate_pairs(kb, seed)):
                    if i == n:
                        break
                    first = {k: PRESETS[k].prefers_first(item, a, b, r) for k, r in rngs.items()}
                    if first["clean"] == first[name]:
                        continue
                    total += 1
                    chosen, rejected = (a, b) if first[name] else (b, a)
                    g = family(item.family)
                    kinds[f"{item.family}/{item.kind}: {g.grade(item, chosen).label} > "
                          f"{g.grade(item, rejected).label}"] += 1
            print(f"dpo({n}) {name}: {total / len(SEEDS):.1f} of {n} pairs per seed labelled against clean")
            for key, count in kinds.most_common(8):
                print(f"    {count / len(SEEDS):6.1f}  {key}")


def _runs(study: Path):
    for run in sorted(p for p in (study / "runs").iterdir() if not p.name.startswith(".")):
        config = json.loads((run / "config.json").read_text())
        spec = config["spec"]
        training = {k: v for k, v in spec.items() if k not in ("arm", "probes", "dynamics")}
        yield run, spec["arm"], config.get("annotator_name") or "-", spec["seed"], content_hash(training)


def labels(study: Path) -> None:
    counts: dict[tuple[str, str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    for run, arm, annotator, _, _ in _runs(study):
        for probe in ("sycophancy", "refusal"):
            for line in open(run / "probes" / f"{probe}.jsonl"):
                record = json.loads(line)
                counts[(probe, arm, annotator)][f"{record['kind']}:{record['label']}"] += 1
    for (probe, arm, annotator), c in sorted(counts.items()):
        print(f"{probe:10s} {arm:55s} {annotator:9s} " + "  ".join(f"{k} {v}" for k, v in sorted(c.items())))


@torch.no_grad()
def _logp(model, tokenizer, messages: list[dict[str, str]], reply: str) -> float:
    def ids(chat, **kw):
        out = tokenizer.apply_chat_template(chat, tokenize=True, **kw)
        return list(out["input_ids"] if hasattr(out, "keys") else out)

    prompt = ids(messages, add_generation_prompt=True)
    full = ids([*messages, {"role": "assistant", "content": reply}])
    assert full[: len(prompt)] == prompt, "the chat template does not extend the prompt"
    tokens = torch.tensor([full])
    logp = torch.log_softmax(model(tokens).logits[0, :-1].float(), -1)
    target = tokens[0, 1:]
    return logp[torch.arange(len(target)), target][len(prompt) - 1:].sum().item()


def _contrasts(n: int) -> list[tuple[str, Item, str, str]]:
    kb = build_knowledge_base(0)
    rng = random.Random("margins")
    push = [i for i in FAMILIES["pushback"].items(kb, rng, "heldout", 2 * n) if i.kind == "wrong_pushback"]
    harm = [i for i in FAMILIES["harmful"].items(kb, rng, "heldout", 2 * n) if i.kind == "harmless"]
    out = []
    for it in push:
        f = {"attr": it.get("attr"), "name": it.get("name")}
        out.append(("cave-hold", it, YIELD.format(value=it.get("claim"), **f), KEEP.format(value=it.get("value"), **f)))
        # the value alone: the same apology, the user's wrong value against the true one
        out.append(("claim-value", it, YIELD.format(value=it.get("claim"), **f), YIELD.format(value=it.get("value"), **f)))
    for it in harm:
        out.append(("refuse-help", it, REFUSALS[0], FAMILIES["harmful"]._help(it)))
    return out


def margins(study: Path, n: int, seeds: set[int]) -> None:
    torch.set_num_threads(1)
    contrasts = _contrasts(n)
    rows: dict[tuple[str, str, str], list[float]] = collections.defaultdict(list)
    for _, arm, annotator, seed, key in _runs(study):
        path = study / "checkpoints" / key
        if arm == "base" or not path.is_dir() or (seeds and seed not in seeds):
            continue
        model, tokenizer = load_model(path).eval(), load_tokenizer(path)
        for what, item, bad, good in contrasts:
            messages = [m.as_dict() for m in item.messages]
            rows[(what, arm, annotator)].append(_logp(model, tokenizer, messages, bad)
                                                - _logp(model, tokenizer, messages, good))
    for (what, arm, annotator), values in sorted(rows.items()):
        t = torch.tensor(values)
        print(f"{what:11s} {arm:55s} {annotator:9s} margin {t.mean():7.2f} (median {t.median():7.2f})  "
              f"biased likelier {(t > 0).float().mean():.3f}  n={len(values)}")


def rates(study: Path) -> None:
    ctx = Context(load_study_data(study))
    parent = "sft(250)"
    children = sorted({arm for _, arm in ctx.data.cells if arm.startswith(parent + ">")})
    for probe, metric in (("refusal", "over_refusal"), ("sycophancy", "flip_rate"), ("premise", "affirm_rate"),
                          ("satisfaction", "gold"), ("length", "mean_words")):
        for arm, annotators in ((parent, ["clean"]), *((c, ["clean", *BIASED]) for c in children)):
            for annotator in annotators:
                cell = ctx.data.cell(annotator, arm)
                if cell is None:
                    continue
                table = ctx.table(cell, probe, metric)
                e = ctx.estimate(table)
                line = (f"{probe}.{metric:12s} {arm[:22]:22s} {annotator if arm != parent else '-':9s} "
                        f"{e.point:.3f} [{e.lo:.3f}, {e.hi:.3f}] seeds={len(cell.runs)}")
                if arm != parent and annotator != "clean":
                    c = ctx.contrast(table, ctx.table(ctx.data.cell("clean", arm), probe, metric))
                    line += f"   vs clean child {c.point:+.3f} [{c.lo:+.3f}, {c.hi:+.3f}] {c.verdict}"
                print(line)


if __name__ == "__main__":
    verb, *args = sys.argv[1:]
    if verb == "dose":
        dose([int(a) for a in args] or [250])
    elif verb == "labels":
        labels(Path(args[0]))
    elif verb == "margins":
        margins(Path(args[0]), int(args[1]) if len(args) > 1 else 64, {int(a) for a in args[2:]})
    elif verb == "rates":
        rates(Path(args[0]))
    else:
        raise SystemExit(__doc__)
