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


def test_bad_pair_sources_name_file_line_and_field():
    problems, _ = problems_of('[study]\nname = "x"\narms = ["sft(10)", "sft(10)>dpo(10, pairs=onpolicy, k=1)"]\n')
    assert problems == ["bad.toml:3: field 'study.arms[1]': dpo: k must be a whole number >= 2 (two samples make "
                        "the smallest pair), got 1"]
    problems, _ = problems_of('[study]\narms = ["sft(10, pairs=onpolicy)"]\n')
    assert len(problems) == 1 and "sft learns from demonstrations" in problems[0]


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


# ---- the typed reader: every setting typed, range-checked and located ------------------------------------------

import dataclasses  # noqa: E402
import typing  # noqa: E402
from pathlib import Path  # noqa: E402

from crossover.analysis.cost import CostModel  # noqa: E402
from crossover.config import (  # noqa: E402
    CrossoverPoint,
    DataTable,
    ModelKeys,
    OwnModelStudy,
    StudyConfig,
    StudyTable,
    WindTunnelStudy,
    WindTunnelTable,
)
from crossover.models.options import LoraSettings  # noqa: E402
from crossover.probes.run import ProbeSettings  # noqa: E402
from crossover.probes.text.run import TextProbeSettings  # noqa: E402
from crossover.settings import Bounds, Settings, SettingsError, hints, strip  # noqa: E402
from crossover.train.dynamics import DynamicsSettings  # noqa: E402
from crossover.world.annotator import Annotator  # noqa: E402

SETTINGS_CLASSES = [*(m.settings for m in METHODS.values()), ProbeSettings, TextProbeSettings, DynamicsSettings,
                    CostModel, Annotator, LoraSettings, CrossoverPoint, StudyTable, WindTunnelTable, ModelKeys,
                    DataTable]


def _numbers_without_range(hint, where):
    inner, extras = strip(hint)
    if inner in (int, float):
        return [] if any(isinstance(e, Bounds) for e in extras) else [where]
    args = [a for a in typing.get_args(inner) if a is not type(None) and a is not Ellipsis]
    if typing.get_origin(inner) is dict:
        args = args[1:]
    return [w for a in args for w in _numbers_without_range(a, where + "[]")]


@pytest.mark.parametrize("cls", SETTINGS_CLASSES, ids=lambda c: c.__name__)
def test_every_numeric_setting_declares_its_range(cls):
    assert issubclass(cls, Settings)
    missing = [w for f in dataclasses.fields(cls) for w in _numbers_without_range(hints(cls)[f.name], f.name)]
    assert not missing, f"{cls.__name__}: numbers without a range: {missing}"


@pytest.mark.parametrize("name", list(METHODS))
def test_method_tables_round_trip_their_defaults(name):
    """Writing a method's defaults as its TOML table reads back the same settings (the reader is generic)."""
    defaults = METHODS[name].settings()
    body = "\n".join(f"{k} = {v!r}".replace("'", '"').replace("True", "true").replace("False", "false")
                     for k, v in dataclasses.asdict(defaults).items())
    config = parse_study(f'[study]\narms = ["sft(10)"]\n\n[method.{name}]\n{body}\n', "m.toml")
    assert config.methods[name] == defaults


@pytest.mark.parametrize("table, line, field, fragment", [
    ("[method.dpo]\nbeta = -1", 5, "method.dpo.beta", "must be greater than 0, got -1"),
    ("[method.dpo]\nlabel_smoothing = 0.5", 5, "method.dpo.label_smoothing", "must lie in [0, 0.5)"),
    ("[method.sft]\nwarmup_ratio = 1.5", 5, "method.sft.warmup_ratio", "must lie in [0, 1)"),
    ("[method.sft]\nlr_scheduler = \"sometimes\"", 5, "method.sft.lr_scheduler", "must be one of linear, cosine"),
    ("[method.kto]\nbatch_size = 1", 5, "method.kto.batch_size", "must be at least 2"),
    ("[method.grpo]\ntemperature = 0", 5, "method.grpo.temperature", "must be greater than 0"),
    ("[method.sft]\nepochs = nan", 5, "method.sft.epochs", "must be a finite number"),
    ("[dynamics]\nmax_new_tokens = 0", 5, "dynamics.max_new_tokens", "must be at least 1"),
    ("[probes]\nood_items = 0", 5, "probes.ood_items", "must be at least 1"),
    ("[probes]\njudges = [\"clean\", \"nobody\"]", 5, "probes.judges[1]", "unknown annotator 'nobody'"),
    ("[probes.satisfaction]\nstyle = -1", 5, "probes.satisfaction.style", "must not be negative"),
    ("[probes.satisfaction]\nweather = 1", 4, "probes.satisfaction", "unknown task family weather"),
    ("[annotator.picky]\nlabel_noise = 0.7", 5, "annotator.picky.label_noise", "must lie between 0 and 0.5"),
    ("[annotator.picky]\nlength_bias = inf", 5, "annotator.picky.length_bias", "must be a finite number"),
    ("[crossover]\nn0 = 10\nn = 10\nm = 10\nmethod = \"sft\"", 8, "crossover.method", "must name a preference"),
    ("[cost]\ncurrency = \" \"", 5, "cost.currency", "must not be empty"),
])
def test_every_setting_is_range_checked_with_file_line_and_field(table, line, field, fragment):
    annotators = '"clean", "picky"' if "annotator.picky" in table else '"clean"'
    problems, _ = problems_of(f'[study]\narms = ["sft(10)"]\nannotators = [{annotators}]\n{table}\n')
    assert any(p.startswith(f"bad.toml:{line}: field '{field}': ") and fragment in p for p in problems), problems


def test_an_arm_override_out_of_range_is_rejected():
    problems, _ = problems_of('[study]\narms = ["sft(10)>dpo(10, beta=0)"]\n')
    assert problems == ["bad.toml:2: field 'study.arms[0]': dpo: setting 'beta' must be greater than 0, got 0.0"]


def test_study_defaults_combined_with_an_override_are_checked():
    problems, _ = problems_of('[study]\narms = ["grpo(8, batch_size=12)"]\n')
    assert len(problems) == 1 and "study.arms[0]" in problems[0] and "multiple of num_generations" in problems[0]


@pytest.mark.parametrize("table", ["study", "method.dpo", "probes", "dynamics", "cost", "annotator.picky"])
def test_unknown_keys_are_errors_in_every_table(table):
    annotators = 'annotators = ["picky"]\n' if table == "annotator.picky" else ""
    head = f'[study]\narms = ["sft(10)"]\n{annotators}'
    text = head + ("colour = 1\n" if table == "study" else f"[{table}]\ncolour = 1\n")
    problems, _ = problems_of(text)
    assert any(f"field '{table}.colour': unknown setting" in p for p in problems), problems


def test_world_seed_is_read_as_a_check_on_the_bases():
    """A base fixes its world; a study's world_seed is checked against it (tests/study/test_world_seed.py)."""
    assert parse_study('[study]\narms = ["sft(10)"]\nworld_seed = 3\n').world_seed == 3
    problems, _ = problems_of('[study]\narms = ["sft(10)"]\nworld_seed = -3\n')
    assert problems[0].startswith("bad.toml:3: field 'study.world_seed'")


def test_lists_take_one_value_and_reject_repeats():
    config = parse_study('[study]\narms = "sft(10)"\nseeds = 3\nbase = "weak"\n', "one.toml")
    assert (config.arms[0].label, config.seeds, config.bases) == ("sft(10)", (3,), ("weak",))
    problems, _ = problems_of('[study]\narms = ["sft(10)", "sft(10)"]\nseeds = [1, 1, -2]\n')
    assert "bad.toml:2: field 'study.arms': lists 'sft(10)' twice" in problems
    assert "bad.toml:3: field 'study.seeds[2]': must not be negative, got -2" in problems


def test_the_study_is_a_tagged_union(tmp_path):
    world = parse_study('[study]\narms = ["sft(10)"]\n', "w.toml")
    assert isinstance(world, WindTunnelStudy) and not hasattr(world, "model")
    assert isinstance(world.probes, ProbeSettings) and world.probes.judges == world.annotators
    (tmp_path / "sft.jsonl").write_text("")
    own = parse_study('[study]\narms = ["sft(10)"]\n[model]\npath = "hub/model"\n[data]\nsft = "sft.jsonl"\n',
                      str(tmp_path / "o.toml"))
    assert isinstance(own, OwnModelStudy) and not hasattr(own, "annotators") and not hasattr(own, "bases")
    assert isinstance(own.probes, TextProbeSettings) and own.data.sft == tmp_path / "sft.jsonl"
    assert own.model.path == "hub/model" and own.model.options.lora is None  # a Hub id is not a path
    assert all(isinstance(c, StudyConfig) for c in (world, own))


def test_wind_tunnel_settings_in_an_own_model_study_say_why():
    problems, _ = problems_of('[study]\narms = ["sft(10)"]\nannotators = ["clean"]\n[model]\npath = "m"\n'
                              '[data]\nsft = "s.jsonl"\n[annotator.x]\nlength_bias = 1\n')
    assert any("study.annotators" in p and "preference file's labels" in p for p in problems), problems
    assert any("field 'annotator'" in p and "wind-tunnel settings" in p for p in problems), problems


def test_settings_check_themselves_when_built_in_code():
    for build in (lambda: DynamicsSettings(points=0), lambda: CostModel(price_pair=-1.0),
                  lambda: ProbeSettings(temperature=-0.1), lambda: METHODS["dpo"].settings(beta=-1.0),
                  lambda: LoraSettings(dropout=1.0), lambda: CrossoverPoint(0, 1, 1)):
        with pytest.raises(SettingsError):
            build()
    assert DataTable(sft=Path("a.jsonl")).preference is None


def test_a_satisfaction_table_weighs_the_families_it_leaves_out_zero():
    from crossover.world.families import FAMILIES

    config = parse_study('[study]\narms = ["sft(10)"]\n[probes.satisfaction]\nstyle = 2\n', "s.toml")
    assert config.probes.satisfaction_mix == {name: 2.0 if name == "style" else 0.0 for name in FAMILIES}
    problems, _ = problems_of('[study]\narms = ["sft(10)"]\n[probes.satisfaction]\nstyle = 0\n')
    assert problems == ["bad.toml:3: field 'probes.satisfaction': needs at least one positive weight"]


def test_primary_endpoints_are_read_and_validated():
    config = parse_study(GOOD + '\n[analysis]\nprimary = ["satisfaction.gold", "eval.win_rate:typical"]\n', "good.toml")
    assert config.analysis.primary == ("satisfaction.gold", "eval.win_rate:typical")
    assert parse_study(GOOD, "good.toml").analysis.primary == ()
    one = parse_study(GOOD + '\n[analysis]\nprimary = "satisfaction.gold"\n', "good.toml")  # one name: a list of one
    assert one.analysis.primary == ("satisfaction.gold",)
    for body, fragment in (('primary = ["satisfaction.nope"]', "unknown metric 'satisfaction.nope'"),
                           ('primary = [1]', "must be str"),
                           ('primary = ["satisfaction.gold", "satisfaction.gold"]', "twice"),
                           ('prmary = ["satisfaction.gold"]', "unknown setting")):
        with pytest.raises(InputError) as info:
            parse_study(GOOD + f"\n[analysis]\n{body}\n", "bad.toml")
        message = str(info.value)
        assert "bad.toml" in message and "analysis." in message and fragment in message, message
