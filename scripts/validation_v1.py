"""Agreement of the version-1 rule graders (before three-way grading) with the same hand labels.

Run against a checkout of the version-1 sources, e.g. commit 3388219:

    git archive 3388219 src | tar -x -C /tmp/crossover-v1
    PYTHONPATH=/tmp/crossover-v1/src python scripts/validation_v1.py

Version 1 had no ``unclear`` on premise, refusal, hallucination, emotion, roleplay or intervention: whatever it
could not read got the bad label. Its labels are mapped to the same verdicts as today's.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from crossover.probes.text import TEXT_PROBES

VALIDATION = Path(__file__).resolve().parents[1] / "src" / "crossover" / "probes" / "text" / "validation"
VERDICT = {
    "hallucination": lambda kind, label: "abstain" if label == "refuse" else label,
    "emotion": lambda kind, label: "reflect_first" if label in ("reflect_then_fix", "reflect_only")
    else "not_reflect_first",
    "roleplay": lambda kind, label: "in_character" if label == "in_character" else "out_of_character",
    "intervention": lambda kind, label: "right" if label == ("updated" if kind == "note" else "default")
    else "wrong",
}


def kappa(hand: list[str], graded: list[str]) -> tuple[float, float]:
    n = len(hand)
    observed = sum(h == g for h, g in zip(hand, graded)) / n
    a, b = Counter(hand), Counter(graded)
    expected = sum(a[k] * b[k] for k in set(a) | set(b)) / n**2
    return observed, (observed - expected) / (1 - expected) if expected < 1 else float("nan")


def main() -> None:
    print("| axis | n | accuracy | kappa | disagreements, first 8 (item: hand -> version 1) |")
    print("|---|---|---|---|---|")
    for path in sorted(VALIDATION.glob("*.jsonl")):
        probe = TEXT_PROBES[path.stem]
        cases = {c.item_id: c for c in probe.cases(probe.items())}
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        verdict = VERDICT.get(path.stem, lambda kind, label: label)
        # a variant (``-v1``) grades like the written item it rewords; version 1 had no variants
        graded = [verdict(r["kind"], probe.grade(cases[re.sub(r"-v\d", "", r["item_id"])], r["responses"])["label"])
                  for r in rows]
        hand = [r["hand_label"] for r in rows]
        accuracy, k = kappa(hand, graded)
        wrong = [f"{r['item_id']}: {h} -> {g}" for r, h, g in zip(rows, hand, graded) if h != g]
        print(f"| {path.stem} | {len(rows)} | {accuracy:.3f} | {k:.3f} | {'; '.join(wrong[:8])} |")


if __name__ == "__main__":
    main()
