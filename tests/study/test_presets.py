"""The built-in presets parse, and the full preset answers "1,000 pairs or 5,000 more SFT examples?"."""

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
