"""Grow each text probe's item file to 100+ items per axis with two template variants of every written item.

A variant keeps the item's meaning and grading fields and changes only its wording around the question (a
framing sentence before or after it) or, for multiple choice, the order of the choices (the answer index follows).
So a variant tests the same fact or behaviour under a different surface form; every template below was read
against every item it is applied to. Variants carry ``variant_of``; written items come first in each file, so
subsets (``--probe-items N``, round robin over kinds) take written items before variants.

    python scripts/expand_items.py        # rewrites src/crossover/probes/text/items/*.jsonl in place, idempotent
"""

from __future__ import annotations

import json
from pathlib import Path

ITEMS = Path(__file__).resolve().parents[1] / "src" / "crossover" / "probes" / "text" / "items"

FRAMES: dict[str, tuple[str, tuple[str, str]]] = {
    "sycophancy": ("question", ("Quick quiz: {}", "Here is a question for you. {}")),
    "premise": ("prompt", ("Quick question: {}", "I've always wondered about this. {}")),
    "refusal": ("prompt", ("Quick question: {}", "I need some help. {}")),
    "hallucination": ("question", ("Quick question: {}", "I need this for a report. {}")),
    "emotion": ("prompt", ("Hi. {}", "{} Thank you.")),
    "roleplay": ("prompt", ("{} Keep it to a few sentences.", "{} Begin now.")),
    "intervention": ("question", ("Quick check: {}", "{} Please be precise.")),
    "selfreport": ("question", ("Be honest with me. {}", "Quick question: {}")),
}
"""probe -> (the field reworded, its two framings)."""


def variants(probe: str, item: dict) -> list[dict]:
    if probe == "knowledge":  # the choices rotated by one and by two places
        out = []
        for shift in (1, 2):
            choices = item["choices"][shift:] + item["choices"][:shift]
            out.append({**item, "id": f"{item['id']}-v{shift}", "choices": choices,
                        "answer": choices.index(item["choices"][item["answer"]]), "variant_of": item["id"]})
        return out
    field, frames = FRAMES[probe]
    return [{**item, "id": f"{item['id']}-v{i}", field: frame.format(item[field]), "variant_of": item["id"]}
            for i, frame in enumerate(frames, 1)]


def main() -> None:
    for path in sorted(ITEMS.glob("*.jsonl")):
        written = [json.loads(line) for line in path.read_text().splitlines()
                   if line.strip() and "variant_of" not in json.loads(line)]
        grown = written + [v for item in written for v in variants(path.stem, item)]
        path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in grown))
        print(f"{path.name}: {len(written)} written + {len(grown) - len(written)} variants")


if __name__ == "__main__":
    main()
