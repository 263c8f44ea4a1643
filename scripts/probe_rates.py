"""Each text probe's verdict shares with 95% Wilson intervals, regraded from the replies `crossover probe` stored.

Reads the per-item records under each NAME=DIR (``DIR/**/runs/<id>/probes/<probe>.jsonl``), and prints one row per
model, axis, kind group and grader: n and the share of every verdict (the good label, the bad label and
``unclear``) with its Wilson interval (``validation.wilson_interval``). ``stored`` is the label written when the
replies were generated (the rule graders of that commit); ``rules`` grades the same stored replies again with
today's rule graders, so a grader change is measured without generating anything again. A second table gives each
probe's own metrics (``TextProbe.score``) under both.

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


def regraded(probe_name: str, rows: list[dict]) -> list[dict]:
    """The rows with today's rule grade in place of the stored one."""
    probe = TEXT_PROBES[probe_name]
    cases = {c.item_id: c for c in probe.cases(probe.items())}
    keep = {"probe", "probe_version", "item_id", "kind", "prompt", "response", "responses", "n_words"}
    return [{**{k: v for k, v in r.items() if k in keep}, **probe.grade(cases[r["item_id"]], r["responses"])}
            for r in rows]


def verdicts(probe_name: str, rows: list[dict]) -> dict[str, list[str]]:
    """grader -> each row's verdict: the stored rule label, and today's rules on the stored replies."""
    probe = TEXT_PROBES[probe_name]
    return {"stored": [probe.verdict(r["kind"], r["label"]) for r in rows],
            "rules": [probe.verdict(r["kind"], r["label"]) for r in regraded(probe_name, rows)]}


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
    found = [(spec.partition("=")[0], records(Path(spec.partition("=")[2]))) for spec in args.models]
    print("| model | axis | kind | grader | n | share of each verdict [95% Wilson interval] |")
    print("|---|---|---|---|---|---|")
    for name, by_probe in found:
        for probe_name, rows in by_probe.items():
            if TEXT_PROBES[probe_name].verdicts is None:
                continue
            graded = verdicts(probe_name, rows)
            kinds = sorted({r["kind"] for r in rows}) if SPLIT_BY_KIND.get(probe_name) else ["all"]
            for kind in kinds:
                chosen = [i for i, r in enumerate(rows) if kind == "all" or r["kind"] == kind]
                for grader, labels in graded.items():
                    picked = [labels[i] for i in chosen]
                    print(f"| {name} | {probe_name} | {kind} | {grader} | {len(picked)} | {share_cells(picked)} |")
    print("\n| model | axis | grader | metrics |")
    print("|---|---|---|---|")
    for name, by_probe in found:
        for probe_name, rows in by_probe.items():
            for grader, graded in (("stored", rows), ("rules", regraded(probe_name, rows))):
                scores = TEXT_PROBES[probe_name].score(graded, {})
                cells = ", ".join(f"{k} {v:.3f}" for k, v in scores.items() if v == v and not k.startswith("measured"))
                print(f"| {name} | {probe_name} | {grader} | {cells} |")


if __name__ == "__main__":
    main()
