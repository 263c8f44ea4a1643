from crossover.config import parse_study
from crossover.study.spec import expand
from crossover.world.bases import resolve_base

STUDY = """
[study]
seeds = [0, 1]
arms = ["base", "sft(20)", "sft(20)>dpo(10)"]
annotators = ["clean", "length"]
"""


def test_expansion_shares_annotator_free_runs():
    specs = expand(parse_study(STUDY), [resolve_base("default")])
    labels = sorted((s.arm.label, s.seed, s.annotator_name) for s in specs)
    assert labels == [("base", 0, ""), ("sft(20)", 0, ""), ("sft(20)", 1, ""),
                      ("sft(20)>dpo(10)", 0, "clean"), ("sft(20)>dpo(10)", 0, "length"),
                      ("sft(20)>dpo(10)", 1, "clean"), ("sft(20)>dpo(10)", 1, "length")]
    assert len({s.run_id for s in specs}) == len(specs)


def test_run_id_is_stable_and_depends_on_everything_that_defines_a_run():
    base = resolve_base("default")
    a = {(s.arm.label, s.seed, s.annotator_name): s.run_id for s in expand(parse_study(STUDY), [base])}
    b = {(s.arm.label, s.seed, s.annotator_name): s.run_id for s in expand(parse_study(STUDY), [base])}
    assert a == b
    changed = STUDY + "\n[method.dpo]\nbeta = 0.5\n"
    c = {(s.arm.label, s.seed, s.annotator_name): s.run_id for s in expand(parse_study(changed), [base])}
    assert c[("sft(20)", 0, "")] == a[("sft(20)", 0, "")]
    assert c[("sft(20)>dpo(10)", 0, "clean")] != a[("sft(20)>dpo(10)", 0, "clean")]


def test_parent_and_child_share_the_training_key_of_their_common_prefix():
    specs = {(s.arm.label, s.seed, s.annotator_name): s for s in expand(parse_study(STUDY), [resolve_base("default")])}
    parent, child = specs[("sft(20)", 0, "")], specs[("sft(20)>dpo(10)", 0, "length")]
    assert parent.training_key(1) == child.training_key(1)
    assert child.training_key(2) != specs[("sft(20)>dpo(10)", 0, "clean")].training_key(2)
