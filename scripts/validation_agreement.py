"""Agreement of each grader with the hand labels, per axis: writes validation/agreement.json and prints the table.

Each grader is measured on all labelled replies and on the dev and held-out halves (``validation.split``); the
earlier, non-blind labelling pass is measured as if it were a grader (``first_pass``): the labeller's consistency.
Without ``--judge`` the judge's verdicts stored by an earlier run are rescored against the current hand labels.

    python scripts/validation_agreement.py                       # rules, embedding, first pass, stored judge
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
from crossover.probes.text.validation import (Agreement, Labelled, agreement, read_labelled, rule_verdicts,
                                              validated_probes)

OUT = Path(__file__).resolve().parents[1] / "src" / "crossover" / "probes" / "text" / "validation" / "agreement.json"


PARTS = ("all", "held_out", "dev")
"""Agreement on every labelled reply, and on each half of ``split``: the rules were developed on ``dev`` only."""


def row(grader: str, probe: str, part: str, result: Agreement) -> str:
    matrix = "; ".join(f"{label}: {list(counts)}" for label, counts in zip(result.labels, result.confusion))
    return (f"| {probe} | {grader} | {part} | {result.n} | {result.accuracy:.3f} | {result.kappa:.3f} | "
            f"{', '.join(result.labels)} | {matrix} |")


HEADER = ("| axis | grader | replies | n | accuracy | kappa | labels | confusion (rows: hand; columns: grader) |\n"
          "|---|---|---|---|---|---|---|---|")


def measure(rows: list[Labelled], verdicts: list[str], labels: tuple[str, ...] | None) -> dict:
    """Agreement on all rows (top level, as ``measured_agreement`` reads it) and per half of the split."""
    out: dict = {}
    for part in PARTS:
        chosen = [i for i, r in enumerate(rows) if part == "all" or r.split == part]
        result = dataclasses.asdict(agreement([rows[i].hand_label for i in chosen], [verdicts[i] for i in chosen],
                                              labels))
        if part == "all":
            out.update(result)
        else:
            out[part] = result
    return out


def stored_judge(stored: dict, probe: str, rows: list[Labelled]) -> tuple[list[Labelled], list[str]] | None:
    """The judge's verdicts from an earlier run, matched to the rows by (item, checkpoint); a run stored before keys
    were kept graded the first ``len(verdicts)`` rows of the file, in order."""
    found = stored.get("judge", {}).get(probe)
    if not found:
        return None
    keys = [tuple(k) for k in found.get("keys", [])] or [(r.case.item_id, r.checkpoint)
                                                         for r in rows[: len(found["verdicts"])]]
    by_key = dict(zip(keys, found["verdicts"]))
    kept = [r for r in rows if (r.case.item_id, r.checkpoint) in by_key]
    return kept, [by_key[(r.case.item_id, r.checkpoint)] for r in kept]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judge", default="", help="a chat model directory or 'smollm2' to run the judge; empty: "
                                                    "rescore the judge verdicts stored in agreement.json")
    parser.add_argument("--judge-probes", default="", help="probes the judge grades; empty: all")
    parser.add_argument("--probes", default="", help="probes measured; empty: every labelled one")
    parser.add_argument("--no-embedding", action="store_true", help="skip the embedding grader")
    parser.add_argument("--tables-only", action="store_true", help="only print the tables, from agreement.json")
    args = parser.parse_args()
    stored = json.loads(OUT.read_text()) if OUT.exists() else {}
    if args.tables_only:
        print(HEADER)
        for probe in sorted({p for graders in stored.values() for p in graders}):
            for grader in ("rules", "embedding", "judge", "first_pass"):
                found = stored.get(grader, {}).get(probe)
                for part in PARTS if found else ():
                    got = found if part == "all" else found[part]
                    print(row(grader, probe, part, Agreement(got["n"], got["accuracy"], got["kappa"],
                                                             tuple(got["labels"]), tuple(map(tuple, got["confusion"])))))
        return
    computed: dict[str, dict[str, dict]] = {}
    embedder = None if args.no_embedding else EmbeddingGrader(str(resolve_scorer("embedder", "minilm").path))
    judge = None
    if args.judge:
        from crossover.models.checkpoints import load_model, load_tokenizer

        ref = resolve_scorer("judge", args.judge)
        judge = JudgeGrader(load_model(ref.path), load_tokenizer(ref.path))
    print(HEADER)
    for probe in validated_probes():
        if args.probes and probe.name not in args.probes.split(","):
            continue
        rows = read_labelled(probe)
        labels = probe.verdicts(rows[0].case.kind) if len({r.case.kind for r in rows}) == 1 else None
        graded: dict[str, tuple[list[Labelled], list[str]]] = {
            "rules": (rows, rule_verdicts(probe, rows)),
            "first_pass": (rows, [r.first_label for r in rows])}
        if embedder is not None:
            graded["embedding"] = (rows, embedder.verdicts(probe, [r.case for r in rows], [r.responses for r in rows]))
        if judge is not None and (not args.judge_probes or probe.name in args.judge_probes.split(",")):
            start = time.time()
            graded["judge"] = (rows, judge.verdicts(probe, [r.case for r in rows], [r.chat for r in rows],
                                                    [r.responses[-1] for r in rows]))
            print(f"<!-- judge on {probe.name}: {time.time() - start:.0f}s -->")
        elif (found := stored_judge(stored, probe.name, rows)) is not None:
            graded["judge"] = found
        for grader, (chosen, verdicts) in graded.items():
            result = measure(chosen, verdicts, labels)
            computed.setdefault(grader, {})[probe.name] = {
                **result, "keys": [[r.case.item_id, r.checkpoint] for r in chosen], "verdicts": verdicts}
            for part in PARTS:
                got = result if part == "all" else result[part]
                print(row(grader, probe.name, part, Agreement(got["n"], got["accuracy"], got["kappa"],
                                                              tuple(got["labels"]), tuple(map(tuple, got["confusion"])))),
                      flush=True)
    latest = json.loads(OUT.read_text()) if OUT.exists() else {}  # another run may have written meanwhile
    for grader, probes in computed.items():
        latest.setdefault(grader, {}).update(probes)
    OUT.write_text(json.dumps(latest, indent=1) + "\n")


if __name__ == "__main__":
    main()
