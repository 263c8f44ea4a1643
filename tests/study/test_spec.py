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


def test_the_pair_source_is_part_of_the_run_id_only_when_it_is_not_the_default():
    base = resolve_base("default")
    study = STUDY.replace('"sft(20)>dpo(10)"]', '"sft(20)>dpo(10)", "sft(20)>dpo(10, pairs=onpolicy)", '
                          '"sft(20)>dpo(10, pairs=onpolicy, rounds=2)", "sft(20)>dpo(10, pairs=mixed, share=0.5)"]')
    ids = {(s.arm.label, s.seed, s.annotator_name): s.run_id for s in expand(parse_study(study), [base])}
    arms = ["sft(20)>dpo(10)", "sft(20)>dpo(10, pairs=onpolicy)", "sft(20)>dpo(10, pairs=onpolicy, rounds=2)",
            "sft(20)>dpo(10, pairs=mixed, share=0.5)"]
    assert len({ids[(arm, 0, "clean")] for arm in arms}) == len(arms)
    # Naming the default source changes nothing, and the default stage spec has no pair-source entry, so run ids
    # and caches from before pair sources stay valid.
    explicit = STUDY.replace('"sft(20)>dpo(10)"]', '"sft(20)>dpo(10, pairs=candidates)"]')
    same = {(s.arm.label, s.seed, s.annotator_name): s.run_id for s in expand(parse_study(explicit), [base])}
    assert same[("sft(20)>dpo(10)", 0, "clean")] == ids[("sft(20)>dpo(10)", 0, "clean")]
    spec = next(s for s in expand(parse_study(STUDY), [base]) if s.arm.label == "sft(20)>dpo(10)")
    assert all("pairs" not in stage for stage in spec.training_spec(2)["stages"])
    onpolicy = next(s for s in expand(parse_study(study), [base]) if s.arm.label == "sft(20)>dpo(10, pairs=onpolicy)")
    assert onpolicy.training_key(1) == spec.training_key(1)  # the SFT parent is shared
    assert onpolicy.training_spec(2)["stages"][1]["pairs"] == {"origin": "onpolicy", "k": 4, "pick": "extremes",
                                                                "rounds": 1}
