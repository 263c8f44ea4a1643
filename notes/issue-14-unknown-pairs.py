"""What the 250 training pairs of a pair-sources study teach on the `unknown` family (people who do not exist):
per seed, annotator and source, counts of (chosen verdict, rejected verdict) by the gold grader.

    OMP_NUM_THREADS=1 PYTHONPATH=src python notes/issue-14-unknown-pairs.py STUDY_DIR

STUDY_DIR is `crossover run --study studies/pair-sources.toml --out STUDY_DIR`. The on-policy pairs are drawn again
from the stored SFT parent with the study's own sampler and keys (as `notes/issue-14-pairs-figures.py` does), the
candidate pairs from the world's stream; both are what the DPO stage trained on.
"""

from __future__ import annotations

import collections
import importlib.util
import sys
from pathlib import Path

from crossover.world.families import family

_spec = importlib.util.spec_from_file_location("pairs_figures", Path(__file__).with_name("issue-14-pairs-figures.py"))
pf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pf)


def counts(rows: list[dict], items: list) -> dict[tuple[str, str], int]:
    out: collections.Counter = collections.Counter()
    for row, item in zip(rows, items, strict=True):
        if item.family != "unknown":
            continue
        grader = family(item.family)
        out[(grader.grade(item, row["chosen"][0]["content"]).label,
             grader.grade(item, row["rejected"][0]["content"]).label)] += 1
    return dict(sorted(out.items()))


def main(root: Path) -> None:
    config = pf.load_study(pf.STUDY)
    base = pf.resolve_base(config.bases[0])
    specs = {(s.arm.label, s.seed, s.annotator_name): s for s in pf.expand(config, [base])}
    source = pf.WorldSource(pf.build_knowledge_base(base.world_seed))
    tokenizer = pf.load_tokenizer(base.path)
    for seed in config.seeds:
        model = pf.load_model(root / "checkpoints" / specs[(pf.PARENT, seed, "")].training_key(1))
        for annotator in config.annotators:
            spec = specs[(pf.ONPOLICY, seed, annotator.name)]
            pairs = source.sampled_pairs(seed, annotator, spec.arm.stages[-1].pairs).pairs(250, pf._sampler(model,
                                                                                                           tokenizer))
            onpolicy = [p.to_trl() for p in pairs]
            candidates = source.rows("pairs", 250, seed, annotator)
            for name, rows in (("onpolicy", onpolicy), ("candidates", candidates)):
                items = pf._items_of(source, seed, annotator, rows)
                print(f"seed {seed} {annotator.name:8s} {name:10s} (chosen, rejected): {counts(rows, items)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
