"""Studies on the user's model and data: the command line end to end on the shipped wind-tunnel base (a plain
Hugging Face Llama directory), bad data stopping everything before training, study-file tables, run ids."""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from crossover.analysis.summary import analyze
from crossover.config import parse_study
from crossover.errors import InputError
from crossover.probes.suites import TextSuite
from crossover.probes.text.run import TextProbeSettings
from crossover.report.markdown import write_markdown_report
from crossover.study.inputs import resolve_inputs
from crossover.study.probe import probe_models
from crossover.study.real import RealFlags
from crossover.study.real import real_study as real_study_config
from crossover.study.runner import run_study
from crossover.study.spec import expand
from crossover.world.bases import resolve_base

BASE = resolve_base("default").path


def run_cli(*args, cwd):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}  # the test process and the CLI share the machine's cores
    return subprocess.run([sys.executable, "-m", "crossover", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600, env=env)


def toy_files(root, n_sft=8, n_pairs=4):
    sft = root / "sft.jsonl"
    sft.write_text("".join(json.dumps({"messages": [
        {"role": "user", "content": f"what is the job of person {i}"},
        {"role": "assistant", "content": f"person {i} is a baker"}]}) + "\n" for i in range(n_sft)))
    pairs = root / "pairs.jsonl"
    pairs.write_text("".join(json.dumps({"prompt": f"where does person {i} live", "chosen": "in a town",
                                         "rejected": "i do not know"}) + "\n" for i in range(n_pairs)))
    return sft, pairs


@pytest.fixture(scope="module")
def real_study(tmp_path_factory):
    root = tmp_path_factory.mktemp("real")
    sft, pairs = toy_files(root)
    out = root / "out"
    result = run_cli("run", "--model", str(BASE), "--sft-data", str(sft), "--pref-data", str(pairs),
                     "--probe-items", "1", "--out", str(out), "--quiet", cwd=root)
    return root, out, result


def test_run_on_real_data_from_the_command_line(real_study):
    root, out, result = real_study
    assert result.returncode == 0, result.stderr
    metrics = pd.read_csv(out / "metrics.csv")
    assert set(metrics.arm) == {"base", "sft(4)", "sft(8)", "dpo(4)", "sft(4)>dpo(4)"}
    assert set(metrics.annotator.fillna("")) == {"", "pairs"}  # the preference file labels the pairs
    assert {"knowledge", "sycophancy", "refusal", "hallucination", "emotion", "selfreport", "length"} <= set(
        metrics.probe)
    study = json.loads((out / "study.json").read_text())
    assert study["probes"]["suite"] == "text" and study["crossover"] == {"n0": 4, "n": 4, "m": 4, "method": "dpo"}
    assert study["data"]["sft"]["count"] == 8 and study["bases"][0]["name"] == "default"
    for run in (out / "runs").iterdir():
        config = json.loads((run / "config.json").read_text())
        spec = config["spec"]
        assert spec["probes"]["suite"] == "text" and "world" not in spec
        if spec["stages"]:
            assert spec["data"]["sft" if spec["stages"][0]["method"] == "sft" else "preference"]["sha256"]
        records = [json.loads(x) for x in (run / "probes" / "refusal.jsonl").read_text().splitlines()]
        assert {r["kind"] for r in records} == {"harmless"} and {"prompt", "response", "label"} <= set(records[0])
    assert "The crossover at SFT(4): 4 pairs vs 4 more demonstrations" in (out / "report.md").read_text()


def test_rerunning_a_real_study_reuses_every_run(real_study, monkeypatch):
    root, out, _ = real_study
    monkeypatch.chdir(root)  # command-line paths are relative to the working directory
    config = real_study_config(RealFlags(str(BASE), "sft.jsonl", "pairs.jsonl", probe_items=1))
    again = run_study(config, out, progress=False, log=lambda _: None)
    assert again.skipped == len(again.runs) == 5 and not again.failures


def test_bad_data_is_reported_at_once_and_nothing_trains(tmp_path):
    """The acceptance case from the command line: four problems in one file, one error, no study directory."""
    sft, _ = toy_files(tmp_path)
    bad = tmp_path / "bad_pairs.jsonl"
    bad.write_text("\n".join([
        json.dumps({"prompt": "fine", "chosen": "yes", "rejected": "no"}),
        '{"prompt": "broken", "chosen": ',
        json.dumps({"prompt": "no rejected here", "chosen": "x"}),
        json.dumps({"prompt": "empty", "chosen": "", "rejected": "no"}),
        json.dumps({"prompt": ["not", "messages"], "chosen": "x", "rejected": "y"}),
    ]) + "\n")
    result = run_cli("run", "--model", str(BASE), "--sft-data", str(sft), "--pref-data", str(bad),
                     "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2
    assert "crossover: error: 4 problem(s) found; nothing was trained:" in result.stderr
    for line, what in ((2, "not valid JSON"), (3, "field 'rejected': missing"), (4, "field 'chosen': empty response"),
                       (5, "field 'prompt[0]': must be an object with 'role' and 'content', got a string")):
        assert f"{bad}:{line}: {what}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_budget_larger_than_the_file_stops_before_training(tmp_path):
    sft, pairs = toy_files(tmp_path)
    config = real_study_config(RealFlags(str(BASE), str(sft), str(pairs), arms=("sft(20)", "sft(20)>dpo(9)")))
    with pytest.raises(InputError) as exc:
        run_study(config, tmp_path / "out", progress=False, log=lambda _: None)
    assert [p.message for p in exc.value.problems] == [
        "sft(20) asks for 20 demonstrations, but sft.jsonl holds only 8 (in sft(20), sft(20)>dpo(9))",
        "dpo(9) asks for 9 pairs, but pairs.jsonl holds only 4 (in sft(20)>dpo(9))"]
    assert not (tmp_path / "out").exists()


def test_probe_any_checkpoint_into_the_results_contract(tmp_path):
    args = ("probe", str(BASE), "--probes", "refusal,knowledge", "--items", "2", "--out", str(tmp_path / "p"))
    first = run_cli(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    metrics = pd.read_csv(tmp_path / "p" / "metrics.csv")
    assert set(metrics.probe) == {"refusal", "knowledge", "length"} and set(metrics.arm) == {"default"}
    records = [json.loads(x) for run in (tmp_path / "p" / "runs").iterdir()
               for x in (run / "probes" / "knowledge.jsonl").read_text().splitlines()]
    assert len(records) == 2 and len(records[0]["logprobs"]) == 4
    suite = TextSuite.resolve(TextProbeSettings(only=("refusal", "knowledge"), items=2))
    again = probe_models([str(BASE)], suite, tmp_path / "p", log=lambda _: None)
    assert again.skipped == 1
    assert "refusal.over_refusal" in write_markdown_report(tmp_path / "p", analyze(tmp_path / "p")).read_text()


STUDY = """
[study]
name = "mine"
arms = ["sft(4)", "sft(4)>dpo(2)"]

[model]
path = "{base}"
lora = true
lora_r = 4
target_modules = ["q_proj", "v_proj"]

[data]
sft = "sft.jsonl"
preference = "pairs.jsonl"

[probes]
only = ["refusal"]
items = 3
"""


def test_study_file_tables_for_real_data(tmp_path):
    toy_files(tmp_path)
    config = parse_study(STUDY.format(base=BASE), str(tmp_path / "study.toml"))
    assert config.model.path == str(BASE) and config.model.options.lora.r == 4
    assert config.model.options.lora.target_modules == ("q_proj", "v_proj")
    assert config.data.sft == tmp_path / "sft.jsonl"  # relative to the study file
    assert config.probes.only == ("refusal",) and config.probes.items == 3
    [inputs] = resolve_inputs(config)
    assert inputs.data.sft.count == 8 and inputs.labellers[0].name == "pairs"


@pytest.mark.parametrize("edit, where, message", [
    (lambda s: s.replace("[data]", "[elsewhere]").replace('sft = "sft.jsonl"\n', "").replace(
        'preference = "pairs.jsonl"\n', ""), "data", "needs a [data] table"),
    (lambda s: s.replace("lora = true", "lora = false"), "model.lora_r", "is a LoRA setting, but lora is not true"),
    (lambda s: s.replace('only = ["refusal"]', 'only = ["refusal", "vibes"]'), "probes.only", "unknown probe(s) vibes"),
    (lambda s: s.replace('name = "mine"', 'name = "mine"\nannotators = ["clean"]'), "study.annotators",
     "your preference file's labels are used"),
    (lambda s: s.replace("lora_r = 4", "lora_r = 0"), "model.lora_r", "must be at least 1"),
    (lambda s: s.replace('"sft(4)>dpo(2)"', '"sft(4)>dpo(2, pairs=onpolicy)"'), "study.arms[1]",
     "needs the wind tunnel's annotator to label the model's own samples"),
])
def test_study_file_problems(tmp_path, edit, where, message):
    text = edit(STUDY.format(base=BASE))
    with pytest.raises(InputError) as exc:
        parse_study(text, str(tmp_path / "study.toml"))
    assert any(p.field == where and message in p.message for p in exc.value.problems), exc.value


def test_run_ids_follow_the_data_each_prefix_uses(tmp_path):
    toy_files(tmp_path)
    study = tmp_path / "study.toml"
    study.write_text(STUDY.format(base=BASE))

    def ids():
        config = parse_study(study.read_text(), str(study))
        return {s.arm.label: (s.run_id, s.training_key(1)) for s in expand(config, resolve_inputs(config))}

    before = ids()
    toy_files(tmp_path, n_pairs=5)  # new preference data, same SFT data
    after = ids()
    assert after["sft(4)"] == before["sft(4)"]  # the SFT run is reused
    assert after["sft(4)>dpo(2)"][1] == before["sft(4)>dpo(2)"][1]  # and so is the shared SFT checkpoint
    assert after["sft(4)>dpo(2)"][0] != before["sft(4)>dpo(2)"][0]  # the preference run is new


def test_flags_replace_a_study_files_model_and_data(tmp_path, monkeypatch):
    toy_files(tmp_path)
    study = tmp_path / "studies" / "study.toml"
    study.parent.mkdir()
    study.write_text(STUDY.format(base="nowhere"))  # its model and data files do not exist
    monkeypatch.chdir(tmp_path)
    config = real_study_config(RealFlags(str(BASE), "sft.jsonl", "pairs.jsonl", study=str(study)))
    assert config.model.path == str(BASE.resolve()) and config.data.sft == (tmp_path / "sft.jsonl").resolve()
    assert config.model.options.lora.r == 4 and config.probes.only == ("refusal",)  # the rest of the file stands


def test_default_arms_follow_the_files(tmp_path):
    from crossover.errors import CrossoverError
    from crossover.methods import METHODS

    sft, _ = toy_files(tmp_path, n_sft=6)
    config = real_study_config(RealFlags(str(BASE), str(sft)))
    assert [a.label for a in config.arms] == ["base", "sft(3)", "sft(6)"] and config.crossover is None
    assert config.methods["sft"].learning_rate == 2e-5 and config.methods["sft"].max_length == 512
    assert real_study_config(RealFlags(str(BASE), str(sft), lora=True)).methods["sft"].learning_rate == 2e-4
    unpaired = tmp_path / "unpaired.jsonl"
    unpaired.write_text(json.dumps({"prompt": "q", "completion": "a", "label": True}) + "\n")
    takers = [m.name for m in METHODS.values() if m.data == "unpaired"]
    if takers:
        assert real_study_config(RealFlags(str(BASE), preference=str(unpaired))).arms[-1].label == f"{takers[0]}(1)"
    else:
        with pytest.raises(CrossoverError, match="unpaired data needs a method that trains on it"):
            real_study_config(RealFlags(str(BASE), preference=str(unpaired)))


def test_records_the_chat_template_cannot_render_stop_the_study(tmp_path):
    """The wind-tunnel template knows no system turn; a file that uses one is refused before training."""
    sft = tmp_path / "sft.jsonl"
    sft.write_text("\n".join(json.dumps({"messages": m}) for m in (
        [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
        [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"},
         {"role": "assistant", "content": "hello"}])) + "\n")
    config = real_study_config(RealFlags(str(BASE), str(sft), arms=("sft(2)",)))
    with pytest.raises(InputError) as exc:
        resolve_inputs(config)
    [problem] = exc.value.problems
    assert (problem.path, problem.line) == (str(sft.resolve()), 2)
    assert "chat template cannot render" in problem.message and "only user and assistant" in problem.message


def test_text_probe_graders_are_checked_per_axis(tmp_path):
    toy_files(tmp_path)
    study = STUDY.format(base=BASE)
    with pytest.raises(InputError) as caught:
        parse_study(study + 'graders = { emotion = "judge", premise = "oracle", refusal = "embedding" }\n',
                    str(tmp_path / "study.toml"))
    assert "must be one of rules, embedding, judge; got 'oracle'" in str(caught.value)
    with pytest.raises(InputError) as caught:
        parse_study(study + 'graders = { emotion = "judge", refusal = "embedding" }\n', str(tmp_path / "study.toml"))
    text = str(caught.value)
    assert "emotion: only the rules grade it" in text and "refusal = 'embedding' needs [probes] embedder" in text
    config = parse_study(study + 'judge = "smollm2"\ngraders = { refusal = "judge" }\n', str(tmp_path / "study.toml"))
    assert config.probes.graders == {"refusal": "judge"} and config.probes.judge == "smollm2"
