"""The built-in presets and the shipped study files parse, and the full preset answers "1,000 pairs or 5,000 more SFT
examples?"."""

from pathlib import Path

import pytest

from crossover.cli import PRESETS_DIR
from crossover.config import load_study
from crossover.study.spec import expand
from crossover.world.bases import resolve_base


def test_full_preset_holds_the_question_and_every_arm_family():
    config = load_study(PRESETS_DIR / "full.toml")
    point = config.crossover
    assert (point.n0, point.n, point.m) == (1000, 5000, 1000)
    labels = {a.label for a in config.arms}
    assert set(point.arms()) <= labels
    families = {">".join(s.method for s in a.stages) for a in config.arms}
    assert {"", "sft", "sft>dpo", "dpo"} <= families
    assert config.cost.price_pair / config.cost.price_sft == 5.0  # 1,000 pairs cost what 5,000 examples cost
    assert len(config.seeds) >= 3 and {a.name for a in config.annotators} == {"clean", "typical"}
    assert len(expand(config, [resolve_base(b) for b in config.bases])) == 43


STUDIES = Path(__file__).resolve().parents[2] / "studies"


@pytest.mark.parametrize("path", sorted(STUDIES.glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_study_file_loads(path):
    """A study file the docs tell users to run must parse; an arm option it misspells is an error here, not an
    hour into a run."""
    assert load_study(path).arms


def test_controls_study_gives_both_doses_the_same_parent_and_a_chosen_nll_term_to_the_larger():
    config = load_study(STUDIES / "controls.toml")
    children = [a for a in config.arms if len(a.stages) == 2]
    assert {a.stages[0].label for a in children} == {"sft(250)"}
    assert sorted(a.stages[1].budget for a in children) == [250, 1000]
    large = next(a for a in children if a.stages[1].budget == 1000)
    settings = config.method_settings(large.stages[1])
    assert settings.losses() == ["sigmoid", "sft"] and settings.weights() == [1.0, 1.0]
    small = next(a for a in children if a.stages[1].budget == 250)
    assert config.method_settings(small.stages[1]).losses() == ["sigmoid"]
    assert {a.name for a in config.annotators} == {"clean", "length", "agreement", "caution"}
