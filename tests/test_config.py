"""Bad study files get one clear error naming the file, the line and the field, before anything trains."""

import pytest

from crossover.config import parse_study
from crossover.errors import InputError
from crossover.methods import METHODS

GOOD = """
[study]
name = "t"
seeds = [0, 1]
arms = ["sft(100)", "sft(100)>dpo(50, beta=0.2)"]
annotators = ["clean", "mine"]

[annotator.mine]
preset = "typical"
length_bias = 0.4

[method.dpo]
beta = 0.3

[crossover]
n0 = 100
n = 100
m = 50
"""


def test_good_study_resolves_defaults_overrides_and_implied_arms():
    config = parse_study(GOOD, "good.toml")
    labels = [a.label for a in config.arms]
    assert labels == ["sft(100)", "sft(100)>dpo(50, beta=0.2)", "sft(200)", "sft(100)>dpo(50)"]
    dpo_stage = config.arms[1].stages[1]
    assert config.method_settings(dpo_stage).beta == 0.2
    assert config.method_settings(config.arms[3].stages[1]).beta == 0.3
    assert config.annotators[1].length_bias == 0.4 and config.annotators[1].label_noise == 0.1


def problems_of(text):
    with pytest.raises(InputError) as info:
        parse_study(text, "bad.toml")
    return [str(p) for p in info.value.problems], str(info.value)


def test_malformed_toml_names_file_and_line():
    problems, _ = problems_of('[study]\narms = ["sft(10)"\nname = 3\n')
    assert problems[0].startswith("bad.toml:") and "not valid TOML" in problems[0]


def test_unknown_arm_names_file_line_and_field():
    problems, _ = problems_of('[study]\nname = "x"\narms = ["sft(10)", "dpx(5)"]\n')
    assert problems == ["bad.toml:3: field 'study.arms[1]': unknown method 'dpx'; known methods: " + ", ".join(METHODS)]


@pytest.mark.parametrize("arms, fragment", [
    ('["sft(0)"]', "whole number"),
    ('["sft(1000000)"]', "more than the 100000"),
    ('["sft(10)>dpo(-1)"]', "dpo"),
])
def test_impossible_budgets(arms, fragment):
    problems, _ = problems_of(f"[study]\narms = {arms}\n")
    assert len(problems) == 1 and "study.arms[0]" in problems[0] and fragment in problems[0]


def test_every_problem_is_listed_at_once():
    text = """
[study]
arms = ["sft(10)"]
seeds = []
annotators = ["nobody"]
colour = "red"

[method.dpo]
beta = "high"

[crossover]
n0 = 0
"""
    problems, message = problems_of(text)
    fields = [p.split("field '")[1].split("'")[0] for p in problems]
    assert fields == ["study.colour", "study.seeds", "study.annotators[0]", "method.dpo.beta", "crossover.n",
                      "crossover.m", "crossover.n0"] or set(fields) == {
        "study.colour", "study.seeds", "study.annotators[0]", "method.dpo.beta", "crossover.n", "crossover.m",
        "crossover.n0"}
    assert message.startswith("7 problem(s) found; nothing was trained:")
    assert "bad.toml:7: field 'study.colour'" in message or "bad.toml:6: field 'study.colour'" in message


def test_missing_study_table():
    problems, _ = problems_of("[probes]\nitems = 3\n")
    assert any("study" in p for p in problems)


def test_method_tables_and_dynamics_are_validated():
    text = """
[study]
arms = ["sft(10)>grpo(8)"]

[method.grpo]
reward = "silver"

[dynamics]
prompts = -1
"""
    problems, _ = problems_of(text)
    assert any("method.grpo" in p and "reward" in p and "proxy, gold" in p for p in problems)
    assert any("dynamics.prompts" in p for p in problems)


def test_dynamics_table_reaches_the_config():
    config = parse_study('[study]\narms = ["sft(10)"]\n\n[dynamics]\nprompts = 0\npoints = 2\n', "d.toml")
    assert (config.dynamics.prompts, config.dynamics.points) == (0, 2)


def test_cost_table_is_read_and_recorded():
    config = parse_study(GOOD + "\n[cost]\nprice_sft = 2\nprice_pair = 7.5\ncurrency = \"EUR\"\n", "good.toml")
    assert (config.cost.price_sft, config.cost.price_pair, config.cost.currency) == (2.0, 7.5, "EUR")
    assert config.cost.price_label == 1.0  # defaults where not given
    from crossover.study.runner import study_record

    assert study_record(config, {"name": "b"})["cost"]["price_pair"] == 7.5


@pytest.mark.parametrize("body, fragment", [
    ("price_pair = 0", "field 'cost.price_pair': must be greater than 0"),
    ("price_label = -1", "field 'cost.price_label': must not be negative"),
    ("price_sft = \"cheap\"", "field 'cost.price_sft': must be float"),
    ("price_sft = inf", "field 'cost.price_sft': must be a finite number"),
    ("price_per_pair = 3", "field 'cost.price_per_pair': unknown setting"),
])
def test_bad_cost_settings_name_the_field(body, fragment):
    problems, _ = problems_of(GOOD + "\n[cost]\n" + body + "\n")
    assert any(fragment in p for p in problems), problems
    assert any(p.startswith("bad.toml:21:") for p in problems), problems


def test_primary_endpoints_are_read_and_validated():
    config = parse_study(GOOD + '\n[analysis]\nprimary = ["satisfaction.gold", "eval.win_rate:typical"]\n', "good.toml")
    assert config.analysis.primary == ("satisfaction.gold", "eval.win_rate:typical")
    assert parse_study(GOOD, "good.toml").analysis.primary == ()
    for body, fragment in (('primary = ["satisfaction.nope"]', "unknown metric 'satisfaction.nope'"),
                           ('primary = "satisfaction.gold"', "must be a list"),
                           ('primary = ["satisfaction.gold", "satisfaction.gold"]', "twice"),
                           ('prmary = ["satisfaction.gold"]', "unknown setting")):
        with pytest.raises(InputError) as info:
            parse_study(GOOD + f"\n[analysis]\n{body}\n", "bad.toml")
        message = str(info.value)
        assert "bad.toml" in message and "analysis." in message and fragment in message, message
