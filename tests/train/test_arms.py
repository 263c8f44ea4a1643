import pytest

from crossover.train.arms import ArmSyntaxError, parse_arm


def test_parse_arms():
    assert parse_arm("base").stages == ()
    arm = parse_arm("sft(200) > dpo(100, beta=0.05, loss_type=ipo)")
    assert [s.method for s in arm.stages] == ["sft", "dpo"]
    assert arm.stages[1].overrides == (("beta", 0.05), ("loss_type", "ipo"))
    assert arm.label == "sft(200)>dpo(100, beta=0.05, loss_type=ipo)"
    assert parse_arm(arm.label) == arm
    assert parse_arm("dpo(10, epochs=3)").stages[0].overrides == (("epochs", 3.0),)


@pytest.mark.parametrize("text, message", [
    ("sft", "not a stage"),
    ("sftx(10)", "unknown method 'sftx'"),
    ("sft(0)", "whole number"),
    ("sft(-5)", "not a stage|whole number|cannot read"),
    ("sft(1.5)", "whole number"),
    ("sft()", "needs a data budget"),
    ("dpo(10, bta=1)", "no setting 'bta'"),
    ("dpo(10, beta=high)", "must be float"),
    ("sft(10)>dpo(10", "unbalanced"),
    ("", "non-empty"),
])
def test_bad_arms_say_what_is_wrong(text, message):
    with pytest.raises(ArmSyntaxError, match=message):
        parse_arm(text)


def test_budget_may_be_named_by_the_methods_data_kind():
    assert parse_arm("sft(100)>grpo(prompts=64)") == parse_arm("sft(100)>grpo(64)")
    assert parse_arm("grpo(prompts=64, lite_ppo=true)").label == "grpo(64, lite_ppo=True)"
    assert parse_arm("kto(unpaired=40, beta=0.2)").stages[0].budget == 40
    with pytest.raises(ArmSyntaxError, match="needs a data budget"):
        parse_arm("grpo(pairs=64)")


def test_every_registered_method_composes_in_an_arm():
    from crossover.methods import METHODS

    arm = parse_arm(">".join(f"{name}(8)" for name in METHODS))
    assert [s.method for s in arm.stages] == list(METHODS)


@pytest.mark.parametrize("text, message", [
    ("grpo(8, reward=silver)", "reward.*must be one of proxy, gold"),
    ("grpo(8, lite_ppo=true, loss_type=dapo)", "lite_ppo sets"),
    ("grpo(8, batch_size=12)", "multiple of num_generations"),
    ("dpo(8, loss_type=sigmoid+foo)", "unknown loss_type 'foo'"),
    ("dpo(8, loss_type=sigmoid+sft, loss_weights=1+2+3)", "3 weight"),
    ("kto(8, loss_type=bco)", "must be one of kto, apo_zero_unpaired"),
    ("dpo(8, label_smoothing=0.1)", "only acts on"),
])
def test_unusable_settings_are_refused_when_the_arm_is_read(text, message):
    with pytest.raises(ArmSyntaxError, match=message):
        parse_arm(text)


def test_a_loss_mixture_with_weights_parses():
    stage = parse_arm("sft(10)>dpo(10, loss_type=sigmoid+sft, loss_weights=1+0.5)").stages[1]
    assert dict(stage.overrides) == {"loss_type": "sigmoid+sft", "loss_weights": "1+0.5"}


def test_pair_sources_parse_label_and_round_trip():
    arm = parse_arm("sft(250)>dpo(250, beta=0.2, pairs=onpolicy, rounds=2)")
    stage = arm.stages[-1]
    assert stage.overrides == (("beta", 0.2),) and stage.pairs.origin == "onpolicy" and stage.pairs.rounds == 2
    assert arm.label == "sft(250)>dpo(250, beta=0.2, pairs=onpolicy, rounds=2)" and parse_arm(arm.label) == arm
    assert parse_arm("dpo(8, pairs=candidates)").label == "dpo(8)"  # the default source is not shown
    assert parse_arm("kto(8, pairs=mixed, k=6)").label == "kto(8, pairs=mixed, share=0.5, k=6)"
    with pytest.raises(ArmSyntaxError, match="grpo learns from prompts"):
        parse_arm("grpo(8, pairs=onpolicy)")
    with pytest.raises(ArmSyntaxError, match="cannot be cut into 3 rounds"):
        parse_arm("dpo(2, pairs=onpolicy, rounds=3)")
