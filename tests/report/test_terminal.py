"""The terminal's decision column marks what survives the multiplicity correction; the price ranges are the
analysis's own words (one wording function, crossover.analysis.breakeven.price_words)."""

from types import SimpleNamespace

import pytest

from crossover.report.terminal import _decision


@pytest.mark.parametrize("decision, survives, words", [
    ("pairs pay", True, "pairs pay"),
    ("pairs pay", False, "(pairs pay: not after FDR)"),
    ("more SFT pays", True, "more SFT pays"),
    ("no detectable difference", False, "undecided"),
    ("not applicable (no better direction)", False, "not applicable (no better direction)"),
])
def test_decision_words(decision, survives, words):
    assert _decision(SimpleNamespace(decision=decision, decision_survives=survives)) == words
