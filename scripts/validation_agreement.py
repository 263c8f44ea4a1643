"""Agreement of each grader with the hand labels, per axis: writes validation/agreement.json and prints the table.

    python scripts/validation_agreement.py                       # rules and embedding
    python scripts/validation_agreement.py --judge smollm2 --judge-probes premise,refusal,hallucination
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

from crossover.probes.text.graders import EmbeddingGrader, JudgeGrader
from crossover.probes.text.scorers import resolve_scorer
from crossover.probes.text.validation import (Agreement, agreement, read_labelled, rule_verdicts, validated_probes,
                                              wilson_interval)

OUT = Path(__file__).resolve().parents[1] / "src" / "crossover" / "probes" / "text" / "validation" / "agreement.json"


def row(grader: str, probe: str, result: Agreement) -> str:
    matrix = "; ".join(f"{label}: {list(counts)}" for label, counts in zip(result.labels, result.confusion))
    return (f"| {probe} | {grader} | {result.n} | {result.accuracy:.3f} | {result.kappa:.3f} | "
            f"{', '.join(result.labels)} | {matrix} |")


def rates(probe_name: str, checkpoints: list[str], kinds: list[str], labels: list[str], source: str) -> list[str]:
    """One row per (checkpoint, kind): each verdict's share with its 95% Wilson interval (Wilson 1927)."""
    out = []
    for checkpoint in sorted(set(checkpoints), key=lambda c: (c != "base", c)):
        for kind in sorted(set(kinds)):
            chosen = [lab for c, k, lab in zip(checkpoints, kinds, labels) if c == checkpoint and k == kind]
            cells = []
            for verdict in sorted(set(chosen)):
                hits = chosen.count(verdict)
                lo, hi = wilson_interval(hits, len(chosen))
                cells.append(f"{verdict} {hits / len(chosen):.2f} [{lo:.2f}, {hi:.2f}]")
            out.append(f"| {probe_name} | {kind} | {checkpoint} | {source} | {len(chosen)} | {'; '.join(cells)} |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judge", default="", help="a chat model directory or 'smollm2'; empty: no judge")
    parser.add_argument("--judge-probes", default="", help="probes the judge grades; empty: all")
    parser.add_argument("--probes", default="", help="probes measured; empty: every labelled one")
    parser.add_argument("--tables-only", action="store_true", help="only print the tables, from agreement.json")
    args = parser.parse_args()
    if args.tables_only:
        stored = json.loads(OUT.read_text())
        print("| axis | grader | n | accuracy | kappa | labels | confusion (rows: hand; columns: grader) |")
        print("|---|---|---|---|---|---|---|")
        for probe in sorted({p for graders in stored.values() for p in graders}):
            for grader in ("rules", "embedding", "judge"):
                if probe in stored.get(grader, {}):
                    found = stored[grader][probe]
                    print(row(grader, probe, Agreement(found["n"], found["accuracy"], found["kappa"],
                                                      tuple(found["labels"]), tuple(map(tuple, found["confusion"])))))
        print_rates(stored)
        return
    computed: dict[str, dict[str, dict]] = {}
    embedder = EmbeddingGrader(str(resolve_scorer("embedder", "minilm").path))
    judge = None
    if args.judge:
        from crossover.models.checkpoints import load_model, load_tokenizer

        ref = resolve_scorer("judge", args.judge)
        judge = JudgeGrader(load_model(ref.path), load_tokenizer(ref.path))
    print("| axis | grader | n | accuracy | kappa | labels | confusion (rows: hand; columns: grader) |")
    print("|---|---|---|---|---|---|---|")
    for probe in validated_probes():
        if args.probes and probe.name not in args.probes.split(","):
            continue
        rows = read_labelled(probe)
        hand = [r.hand_label for r in rows]
        labels = probe.verdicts(rows[0].case.kind) if len({r.case.kind for r in rows}) == 1 else None
        graded = {"rules": rule_verdicts(probe, rows),
                  "embedding": embedder.verdicts(probe, [r.case for r in rows], [r.responses for r in rows])}
        if judge is not None and (not args.judge_probes or probe.name in args.judge_probes.split(",")):
            start = time.time()
            graded["judge"] = judge.verdicts(probe, [r.case for r in rows], [r.chat for r in rows],
                                             [r.responses[-1] for r in rows])
            print(f"<!-- judge on {probe.name}: {time.time() - start:.0f}s -->")
        for grader, verdicts in graded.items():
            result = agreement(hand, verdicts, labels)
            computed.setdefault(grader, {})[probe.name] = {**dataclasses.asdict(result), "verdicts": verdicts}
            print(row(grader, probe.name, result), flush=True)
    latest = json.loads(OUT.read_text()) if OUT.exists() else {}  # another run may have written meanwhile
    for grader, probes in computed.items():
        latest.setdefault(grader, {}).update(probes)
    OUT.write_text(json.dumps(latest, indent=1) + "\n")
    table = latest
    print_rates(latest)


SPLIT_BY_KIND = ("refusal", "hallucination", "intervention")
"""Probes whose kinds measure different behaviours (harmless vs harmful requests, ...); the rest pool their kinds."""


def print_rates(table: dict) -> None:
    print("\n| axis | kind | checkpoint | labels from | n | share of each verdict [95% Wilson interval] |")
    print("|---|---|---|---|---|---|")
    for probe in validated_probes():
        rows = read_labelled(probe)
        checkpoints = [r.checkpoint for r in rows]
        kinds = [r.case.kind if probe.name in SPLIT_BY_KIND else "all" for r in rows]
        print("\n".join(rates(probe.name, checkpoints, kinds, [r.hand_label for r in rows], "hand")))
        print("\n".join(rates(probe.name, checkpoints, kinds, table["rules"][probe.name]["verdicts"], "rules")))


if __name__ == "__main__":
    main()
