"""Preference pairs on a partner's note carry the same question without the note (what ``icr`` regularises on)."""

from crossover.world.annotator import PRESETS
from crossover.world.demonstrator import preference_stream
from crossover.world.knowledge import build_knowledge_base


def test_note_pairs_carry_their_counterfactual_and_others_do_not():
    kb = build_knowledge_base(0)
    pairs = [p for p, _ in zip(preference_stream(kb, PRESETS["clean"], seed=0, mix={"intervention": 1.0}), range(30))]
    kinds = {p.meta["kind"] for p in pairs}
    assert kinds == {"note", "no_note", "irrelevant_note"}
    for pair in pairs:
        row = pair.to_trl()
        if pair.meta["kind"] == "no_note":
            assert row["counterfactual_prompt"] is None
        else:
            [cf] = row["counterfactual_prompt"]
            asked = row["prompt"][-1]["content"]
            assert cf["role"] == "user" and asked.endswith(cf["content"]) and len(asked) > len(cf["content"])
    others = next(preference_stream(kb, PRESETS["clean"], seed=0, mix={"factual": 1.0}))
    assert others.to_trl()["counterfactual_prompt"] is None
