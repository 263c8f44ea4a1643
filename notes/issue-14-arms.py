"""Arms side by side and paired contrasts between them, from a finished study directory, read by the analysis's
own estimator (seed x item, the seed variance pooled across the study's cells; `crossover.analysis.context`).

    OMP_NUM_THREADS=1 PYTHONPATH=src python notes/issue-14-arms.py STUDY_DIR ANNOTATOR ARM [ARM ...] \
        [--vs A:B ...]

Prints, for gold satisfaction and one headline metric per behaviour axis, each arm's mean with its 95% interval
and seed count, then each contrast A - B (paired by seed and item) with its interval and verdict. Used for the
cold-start comparison at equal totals (`dpo(500)` vs `sft(500)` vs `sft(250)>dpo(250)`) and for the small-budget
grid.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from crossover.analysis.context import Context
from crossover.analysis.load import load_study_data

AXES = (("satisfaction", "gold"), ("knowledge", "accuracy"), ("reasoning", "accuracy"),
        ("hallucination", "hallucination_rate"), ("sycophancy", "flip_rate"), ("premise", "affirm_rate"),
        ("refusal", "over_refusal"), ("refusal", "harmful_compliance"), ("style", "utility"),
        ("emotion", "utility"), ("roleplay", "fidelity"), ("intervention", "sensitivity"),
        ("length", "mean_words"), ("ood", "utility"))


def interval(est, verdict: bool = False) -> str:
    if est is None:
        return "n/a"
    text = f"{est.point:.3f} [{est.lo:.3f}, {est.hi:.3f}]"
    return f"{est.point:+.3f} [{est.lo:+.3f}, {est.hi:+.3f}] {est.verdict}" if verdict else text


def main(root: Path, annotator: str, arms: list[str], contrasts: list[tuple[str, str]]) -> None:
    ctx = Context(load_study_data(root))
    cells = {arm: ctx.data.cell(annotator, arm) for arm in arms}
    missing = [arm for arm, cell in cells.items() if cell is None]
    if missing:
        raise SystemExit(f"{root}: no runs of {', '.join(missing)} under annotator {annotator!r}")
    rows = []
    for probe, metric in AXES:
        row = {"metric": f"{probe}.{metric}"}
        for arm, cell in cells.items():
            table = ctx.table(cell, probe, metric)
            row[arm] = interval(ctx.estimate(table)) if table is not None else "n/a"
        rows.append(row)
    seeds = {arm: len(cell.runs) for arm, cell in cells.items()}
    with pd.option_context("display.width", 300, "display.max_columns", 40, "display.max_colwidth", 60):
        print(f"seeds: {seeds}\n")
        print(pd.DataFrame(rows).set_index("metric").to_string())
        if contrasts:
            out = []
            for probe, metric in AXES:
                row = {"metric": f"{probe}.{metric}"}
                for a, b in contrasts:
                    row[f"{a} - {b}"] = interval(ctx.contrast(ctx.table(cells[a], probe, metric),
                                                              ctx.table(cells[b], probe, metric)), verdict=True)
                out.append(row)
            print()
            print(pd.DataFrame(out).set_index("metric").to_string())


if __name__ == "__main__":
    args = sys.argv[1:]
    vs = [tuple(a.split(":", 1)) for a in args[args.index("--vs") + 1:]] if "--vs" in args else []
    plain = args[: args.index("--vs")] if "--vs" in args else args
    main(Path(plain[0]), plain[1], plain[2:], vs)  # type: ignore[arg-type]
