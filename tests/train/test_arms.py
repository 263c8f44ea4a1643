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
