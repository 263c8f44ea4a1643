from crossover.data.budgets import take
from crossover.world.annotator import PRESETS
from crossover.world.demonstrator import preference_stream, sft_stream


def test_budgets_are_nested(kb):
    small = take(sft_stream(kb, seed=3), 50)
    large = take(sft_stream(kb, seed=3), 200)
    assert large[:50] == small
    assert take(sft_stream(kb, seed=4), 50) != small


def test_pair_budgets_are_nested_and_annotators_label_the_same_pairs(kb):
    clean = take(preference_stream(kb, PRESETS["clean"], seed=1), 300)
    assert take(preference_stream(kb, PRESETS["clean"], seed=1), 100) == clean[:100]
    biased = take(preference_stream(kb, PRESETS["length"], seed=1), 300)
    assert [p.prompt for p in clean] == [p.prompt for p in biased]
    assert [{p.chosen, p.rejected} for p in clean] == [{p.chosen, p.rejected} for p in biased]
    flipped = sum(c.chosen != b.chosen for c, b in zip(clean, biased))
    assert 0 < flipped < 150


def test_streams_cover_every_family(kb):
    families = {ex.meta["family"] for ex in take(sft_stream(kb, seed=0), 200)}
    from crossover.world.families import FAMILIES

    assert families == set(FAMILIES)


def test_trl_rows_are_conversational(kb):
    row = take(preference_stream(kb, PRESETS["clean"], seed=0), 1)[0].to_trl()
    assert row["prompt"][-1]["role"] == "user"
    assert row["chosen"][0]["role"] == row["rejected"][0]["role"] == "assistant"
