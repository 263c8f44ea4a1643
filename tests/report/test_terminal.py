"""The terminal's r* column says what the two changes say, including the cases where r* is no number."""

from types import SimpleNamespace

import pytest

from crossover.report.terminal import _ratio


def figure(d_sft: str, d_pref: str, status: str = "unbounded", up: bool | None = True):
    return SimpleNamespace(higher_is_better=up, d_sft_verdict=d_sft, d_pref_verdict=d_pref, ratio_status=status,
                           breakeven_ratio=3.0, ratio_lo=2.0, ratio_hi=4.5)


@pytest.mark.parametrize("d_sft, d_pref, status, up, words", [
    ("increase", "increase", "bounded", True, "3.00 [2.00, 4.50]"),
    ("no detectable difference", "increase", "no upper bound", True, ">= 2.00"),
    ("no detectable difference", "increase", "unbounded", True, "pairs help, more SFT not seen to"),
    ("no detectable difference", "decrease", "unbounded", False, "pairs help, more SFT not seen to"),
    ("no detectable difference", "decrease", "unbounded", True, "pairs hurt"),
    ("decrease", "increase", "unbounded", True, "more SFT hurts"),
    ("no detectable difference", "no detectable difference", "unbounded", True, "no detectable gain"),
    ("cannot tell", "increase", "unbounded", True, "cannot tell"),
    ("increase", "increase", "bounded", None, ""),
])
def test_ratio_words(d_sft, d_pref, status, up, words):
    assert _ratio(figure(d_sft, d_pref, status, up)) == words
