"""User data as a study's data: nested seeded budgets, budget checks, identity, and detection of changed files."""

import json

import pytest

from crossover.data.user import UserData, seeded_order
from crossover.errors import CrossoverError, InputError


def sft_file(tmp_path, n, name="sft.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps({"prompt": f"q{i}", "completion": f"a{i}"}) + "\n" for i in range(n)))
    return path


def pref_file(tmp_path, n, name="pairs.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps({"prompt": f"q{i}", "chosen": f"good{i}", "rejected": f"bad{i}"}) + "\n"
                            for i in range(n)))
    return path


def test_budgets_are_nested_prefixes_of_a_seeded_shuffle(tmp_path):
    source = UserData.read(sft_file(tmp_path, 20), None).source()
    small, large = source.rows("demonstrations", 5, 0, None), source.rows("demonstrations", 10, 0, None)
    assert small == large[:5]
    assert [r["prompt"][0]["content"] for r in small] != [f"q{i}" for i in range(5)]  # shuffled, not file order
    other_seed = source.rows("demonstrations", 5, 1, None)
    assert other_seed != small
    assert sorted(r["prompt"][0]["content"] for r in source.rows("demonstrations", 20, 3, None)) == \
        sorted(f"q{i}" for i in range(20))


def test_seeded_order_is_a_stable_permutation():
    records = tuple(range(10))
    assert seeded_order(records, 4) == seeded_order(records, 4)
    assert sorted(seeded_order(records, 4)) == list(records)


def test_budget_problems(tmp_path):
    data = UserData.read(sft_file(tmp_path, 3), None)
    assert data.budget_problems("demonstrations", 3, "sft(3)") == []
    [too_big] = data.budget_problems("demonstrations", 4, "sft(4)")
    assert too_big.message == "sft(4) asks for 4 demonstrations, but sft.jsonl holds only 3"
    [absent] = data.budget_problems("pairs", 1, "dpo(1)")
    assert absent.message == "dpo(1) needs pairs data, but none was given (sft data holds demonstrations)"
    with pytest.raises(CrossoverError, match="holds only 3"):
        data.source().rows("demonstrations", 4, 0, None)


def test_identity_names_only_the_files_a_prefix_uses(tmp_path):
    data = UserData.read(sft_file(tmp_path, 4), pref_file(tmp_path, 4))
    sft_only = data.identity({"demonstrations"})
    both = data.identity({"demonstrations", "pairs"})
    assert set(sft_only["data"]) == {"sft"} and set(both["data"]) == {"sft", "preference"}
    assert data.labels().name == "pairs" and data.labels().settings()["file_sha256"] == data.preference.sha256


def test_problems_in_both_files_are_reported_together(tmp_path):
    bad_sft = tmp_path / "s.jsonl"
    bad_sft.write_text('{"prompt": "q"}\n')
    bad_pref = tmp_path / "p.jsonl"
    bad_pref.write_text("nope\n")
    with pytest.raises(InputError) as exc:
        UserData.read(bad_sft, bad_pref)
    assert [(p.path, p.line) for p in exc.value.problems] == [(str(bad_sft), 1), (str(bad_pref), 1)]


def test_a_file_changed_after_validation_is_refused(tmp_path):
    path = sft_file(tmp_path, 4)
    data = UserData.read(path, None)
    path.write_text(path.read_text() + json.dumps({"prompt": "new", "completion": "x"}) + "\n")
    with pytest.raises(CrossoverError, match="the file changed since the study started"):
        data.source().rows("demonstrations", 2, 0, None)
