"""GRPO's reward functions and its Lite PPO mapping onto TRL's settings."""

import pytest

from crossover.data.sources import WorldScorer
from crossover.methods.grpo import GRPOSettings, reward_function
from crossover.world.annotator import PRESETS
from tests.data.test_sources import ITEM, REPLIES


def test_reward_functions_read_conversational_completions_and_name_their_signal():
    scorer = WorldScorer(PRESETS["length"])
    completions = [[{"role": "assistant", "content": text}] for text in REPLIES]
    gold, proxy = reward_function(scorer, "gold"), reward_function(scorer, "proxy")
    extra = {"item": [ITEM.to_json()] * 3, "trainer_state": None, "completion_ids": None}  # TRL passes more
    assert (gold.__name__, proxy.__name__) == ("gold", "proxy")
    assert gold(prompts=[None] * 3, completions=completions, **extra) == pytest.approx([1.0, 0.8, 0.0])
    assert proxy(prompts=[None] * 3, completions=completions, **extra) == pytest.approx([1.21, 1.28, 0.21])


def test_lite_ppo_is_batch_std_with_token_level_aggregation():
    assert GRPOSettings().advantage_settings() == ("group", "grpo")
    assert GRPOSettings(lite_ppo=True).advantage_settings() == ("batch", "dapo")
    assert GRPOSettings(scale_rewards="none", loss_type="dr_grpo").advantage_settings() == ("none", "dr_grpo")
