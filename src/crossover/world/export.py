"""Export the wind tunnel as JSONL in TRL's dataset formats, with a dataset card.

Files written to DIR:
    sft.jsonl        conversational prompt-completion rows (SFTTrainer)
    pairs.jsonl      conversational prompt/chosen/rejected rows (DPOTrainer, CPOTrainer, ORPO)
    unpaired.jsonl   conversational prompt/completion/label rows (KTOTrainer): each pair split into a desirable and
                     an undesirable completion
    probes/<probe>.jsonl  held-out probe prompts with the facts their gold grader needs
    README.md        the dataset card

Every row carries ``family`` and ``kind`` next to TRL's columns, and pairs ``counterfactual_prompt`` (drop them with
``remove_columns`` if a trainer objects). The streams are the ones crossover trains on: budget n is the first n rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

from crossover.data.budgets import take
from crossover.provenance import package_versions
from crossover.world.annotator import Annotator
from crossover.world.demonstrator import preference_stream, sft_stream
from crossover.world.families import FAMILIES, Item
from crossover.world.knowledge import KnowledgeBase


def _write(path: Path, rows: list[dict]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    return len(rows)


def export_world(out: Path, kb: KnowledgeBase, *, annotator: Annotator, seed: int = 0, n_sft: int = 2000,
                 n_pairs: int = 2000, probe_sets: Mapping[str, Sequence[Item]] | None = None,
                 command: str = "") -> dict[str, int]:
    """Write the world's training streams, ``probe_sets`` (probe name -> its held-out items, as the probes pick
    them: ``crossover.probes.probe_items``) and the dataset card to ``out``; returns rows written per file."""
    world_seed = kb.seed
    counts = {}
    sft = take(sft_stream(kb, seed), n_sft)
    counts["sft.jsonl"] = _write(out / "sft.jsonl", [ex.to_trl() | ex.meta for ex in sft])
    pairs = take(preference_stream(kb, annotator, seed), n_pairs)
    counts["pairs.jsonl"] = _write(out / "pairs.jsonl", [p.to_trl() | p.meta for p in pairs])
    unpaired = []
    for p in pairs:
        for text, label in ((p.chosen, True), (p.rejected, False)):
            unpaired.append({"prompt": list(p.prompt), "completion": [{"role": "assistant", "content": text}],
                             "label": label} | p.meta)
    counts["unpaired.jsonl"] = _write(out / "unpaired.jsonl", unpaired)
    for name, items in (probe_sets or {}).items():
        rows = [{"item_id": f"{name}-{i:04d}", "prompt": [m.as_dict() for m in item.messages],
                 "family": item.family, "kind": item.kind, "split": item.split, "truth": dict(item.truth)}
                for i, item in enumerate(items)]
        counts[f"probes/{name}.jsonl"] = _write(out / "probes" / f"{name}.jsonl", rows)
    (out / "README.md").write_text(dataset_card(world_seed, annotator, seed, counts, command))
    return counts


def dataset_card(world_seed: int, annotator: Annotator, seed: int, counts: dict[str, int], command: str) -> str:
    families = "\n".join(f"- `{name}` (v{fam.version}): kinds {', '.join(fam.kinds)}" for name, fam in FAMILIES.items())
    files = "\n".join(f"| `{name}` | {n} |" for name, n in counts.items())
    return f"""# crossover wind tunnel: world {world_seed}

Synthetic post-training data with known ground truth, exported by crossover {package_versions()['crossover']}.
A small world of invented people and their attributes; every reply has a gold utility computed by a program, so
effects of training can be measured, not guessed.

Rebuild: `{command or f'crossover world export DIR --world-seed {world_seed} --seed {seed}'}`

## Files

| file | rows |
|---|---|
{files}

- `sft.jsonl`: conversational prompt-completion (TRL `SFTTrainer`). The demonstrator is competent but bland:
  right answers, often hedged or closed with a pleasantry; bland notes; formula sympathy then advice.
- `pairs.jsonl`: conversational preference pairs (TRL `DPOTrainer`), two candidate replies labelled by the
  annotator below. Pairs on a partner's note also carry `counterfactual_prompt`, the same question without the
  note (null elsewhere), for intervention-consistency training.
- `unpaired.jsonl`: the same pairs split into desirable (`label: true`) and undesirable replies (TRL `KTOTrainer`).
- `probes/*.jsonl`: held-out prompts (people and templates never used in `sft.jsonl` or `pairs.jsonl`) with the
  facts the gold grader needs in `truth`; grade replies with `crossover.world.families.family(f).grade(item, reply)`
  or evaluate a checkpoint with `crossover probe`.

Budgets are nested: the first n rows of a file are the budget-n subset crossover trains on (seed {seed}).

## Annotator

```json
{json.dumps(asdict(annotator), indent=2)}
```

proxy = gold utility + length_bias * words / 10 + agreement_bias * [agrees with the user] + caution_bias *
[refuses an alarming-sounding request] + helpfulness_bias * [fix before acknowledging a feeling] + style_taste *
flair; the label is a Bradley-Terry draw at `temperature`, flipped with probability `label_noise`.

## Task families

{families}

## Notes

Text is lower-case words separated by spaces (a word-level language). "Harmful" requests are abstract templates
("how can i crush my neighbor ?") and "help" replies are content-free plans: the data holds no harmful content.
License: Apache-2.0, like crossover.
"""
