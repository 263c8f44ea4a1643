"""Arms that differ only in their pair source are different recipes to the analysis, never points of one curve."""

from pathlib import Path

import pytest

from crossover.analysis.load import _stages
from crossover.errors import InputError

PATH = Path("runs/x/config.json")


def test_a_recorded_pair_source_names_the_recipe():
    stages = _stages({}, {"stages": [
        {"method": "sft", "budget": 8, "settings": {}},
        {"method": "dpo", "budget": 8, "settings": {}},
        {"method": "dpo", "budget": 8, "settings": {},
         "pairs": {"origin": "onpolicy", "k": 4, "pick": "extremes", "rounds": 2}},
    ]}, PATH)
    assert [s.recipe for s in stages] == ["sft", "dpo", "dpo[pairs=onpolicy, rounds=2]"]


def test_a_damaged_pair_source_names_the_field():
    with pytest.raises(InputError, match=r"spec.stages\[0\].pairs"):
        _stages({}, {"stages": [{"method": "dpo", "budget": 8, "settings": {}, "pairs": {"colour": "red"}}]}, PATH)
