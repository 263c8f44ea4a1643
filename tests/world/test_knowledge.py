from crossover.world.knowledge import ATTRIBUTES, KB_SIZES, build_knowledge_base, name_pool


def test_name_pool_is_fixed_and_unique():
    pool = name_pool()
    assert len(pool) == len(set(pool)) == 400
    assert pool == name_pool()


def test_world_is_seeded_and_splits_are_disjoint():
    a, b, c = build_knowledge_base(0), build_knowledge_base(0), build_knowledge_base(1)
    assert a == b and a != c
    train = {e.name for e in a.known("train")}
    heldout = {e.name for e in a.known("heldout")}
    unknown = {n for s in ("train", "heldout", "ood") for n in a.unknown_names(s)}
    assert len(train) == KB_SIZES["train"] and len(heldout) == KB_SIZES["heldout"]
    assert not train & heldout and not (train | heldout) & unknown


def test_every_entity_has_one_value_per_attribute():
    kb = build_knowledge_base(3)
    for e in kb.entities:
        assert dict(e.facts).keys() == ATTRIBUTES.keys()
        assert all(e.fact(a) in ATTRIBUTES[a] for a in ATTRIBUTES)
