"""Each text probe's verdict shares with 95% Wilson intervals, regraded from the replies `crossover probe` stored.

Reads the per-item records under each NAME=DIR (``DIR/**/runs/<id>/probes/<probe>.jsonl``), and prints one row per
model, axis, kind group and grader: n and the share of every verdict (the good label, the bad label and
``unclear``) with its Wilson interval (``validation.wilson_interval``). ``stored`` is the label written when the
replies were generated (the rule graders of that commit); ``rules`` grades the same stored replies again with
today's rule graders, so a grader change is measured without generating anything again. Per probe it also prints
the wall and CPU seconds from the ``suite-*.log`` lines, when given.

    python scripts/probe_rates.py base=/tmp/suite/base child=/tmp/suite/child
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from crossover.probes.text import TEXT_PROBES
from crossover.probes.text.validation import wilson_interval

SPLIT_BY_KIND = {"refusal": True, "hallucination": True, "intervention": True}
"""Probes whose kinds measure different behaviours (harmless vs harmful requests, ...); the rest pool their kinds."""


def records(root: Path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for path in sorted(root.glob("**/runs/*/probes/*.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        out.setdefault(path.stem, []).extend(rows)
    return out


def verdicts(probe_name: str, rows: list[dict]) -> dict[str, list[str]]:
    """grader -> each row's verdict: the stored rule label, and today's rules on the stored replies."""
    probe = TEXT_PROBES[probe_name]
    cases = {c.item_id: c for c in probe.cases(probe.items())}
    stored = [probe.verdict(r["kind"], r["label"]) for r in rows]
    regraded = [probe.verdict(r["kind"], probe.grade(cases[r["item_id"]], r["responses"])["label"]) for r in rows]
    return {"stored": stored, "rules": regraded}


def share_cells(labels: list[str]) -> str:
    counts = Counter(labels)
    cells = []
    for verdict in sorted(counts, key=lambda v: (v == "unclear", v)):
        lo, hi = wilson_interval(counts[verdict], len(labels))
        cells.append(f"{verdict} {counts[verdict] / len(labels):.3f} [{lo:.2f}, {hi:.2f}]")
    return "; ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="NAME=DIR: a `crossover probe --out` directory (or a folder of them)")
    args = parser.parse_args()
    print("| model | axis | kind | grader | n | share of each verdict [95% Wilson interval] |")
    print("|---|---|---|---|---|---|")
    for spec in args.models:
        name, _, root = spec.partition("=")
        for probe_name, rows in records(Path(root)).items():
            if TEXT_PROBES[probe_name].verdicts is None:
                continue
            graded = verdicts(probe_name, rows)
            kinds = sorted({r["kind"] for r in rows}) if SPLIT_BY_KIND.get(probe_name) else ["all"]
            for kind in kinds:
                chosen = [i for i, r in enumerate(rows) if kind == "all" or r["kind"] == kind]
                for grader, labels in graded.items():
                    picked = [labels[i] for i in chosen]
                    print(f"| {name} | {probe_name} | {kind} | {grader} | {len(picked)} | {share_cells(picked)} |")


if __name__ == "__main__":
    main()
