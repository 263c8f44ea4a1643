"""Every family's training pairs that hold an abstention (`i do not know who ...`) on either side, per seed, annotator
and source of a pair-sources study, labelled by the gold grader (`ABST` for the abstention):

    OMP_NUM_THREADS=1 PYTHONPATH=src python notes/issue-14-abstention-pairs.py STUDY_DIR

The pairs are rebuilt as `issue-14-unknown-pairs.py` rebuilds them (the on-policy ones sampled again from the stored
parent with the study's sampler and keys); a pair setting a right answer over an abstention teaches against
abstaining, one setting an abstention over an invention teaches for it.
"""
import collections
import importlib.util
import sys
from pathlib import Path

spec = importlib.util.spec_from_file_location("up", Path(__file__).with_name("issue-14-unknown-pairs.py"))
up = importlib.util.module_from_spec(spec); spec.loader.exec_module(up)
pf = up.pf
from crossover.world.families.base import is_abstention
from crossover.world.families import family

def counts(rows, items):
    out = collections.Counter()
    for row, item in zip(rows, items, strict=True):
        c, r = row["chosen"][0]["content"], row["rejected"][0]["content"]
        ca, ra = is_abstention(c), is_abstention(r)
        if ca or ra:
            g = family(item.family)
            out[(item.family, g.grade(item, c).label if not ca else "ABST", g.grade(item, r).label if not ra else "ABST")] += 1
    return out

root = Path(sys.argv[1])
config = pf.load_study(pf.STUDY)
base = pf.resolve_base(config.bases[0])
specs = {(s.arm.label, s.seed, s.annotator_name): s for s in pf.expand(config, [base])}
source = pf.WorldSource(pf.build_knowledge_base(base.world_seed))
tokenizer = pf.load_tokenizer(base.path)
tot = collections.defaultdict(collections.Counter)
for seed in config.seeds:
    model = pf.load_model(root / "checkpoints" / specs[(pf.PARENT, seed, "")].training_key(1))
    for annotator in config.annotators:
        s = specs[(pf.ONPOLICY, seed, annotator.name)]
        pairs = source.sampled_pairs(seed, annotator, s.arm.stages[-1].pairs).pairs(250, pf._sampler(model, tokenizer))
        onpolicy = [p.to_trl() for p in pairs]
        candidates = source.rows("pairs", 250, seed, annotator)
        for name, rows in (("onpolicy", onpolicy), ("candidates", candidates)):
            c = counts(rows, pf._items_of(source, seed, annotator, rows))
            tot[(annotator.name, name)].update(c)
            print(seed, annotator.name, name, dict(sorted(c.items())), flush=True)
print("TOTALS")
for k, c in tot.items():
    print(k)
    for kk, v in sorted(c.items()): print("   ", kk, v)
