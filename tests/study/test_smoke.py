"""The smoke study end to end: the results contract, resuming, and the CLI."""

import json
import shutil

import pandas as pd
import pytest

from crossover.errors import CrossoverError
from crossover.study.runner import run_study
from crossover.study.store import METRIC_COLUMNS


def test_results_contract(smoke_study):
    root, config, outcome = smoke_study
    assert not outcome.failures
    metrics = pd.read_csv(root / "metrics.csv")
    assert list(metrics.columns) == METRIC_COLUMNS[:7] + ["base"] == METRIC_COLUMNS
    assert set(metrics.arm) == {"base", "dpo(16)", "sft(16)", "sft(32)", "sft(16)>dpo(16)"}
    assert metrics.value.notna().all()
    for run in (root / "runs").iterdir():
        if run.name.startswith("."):
            continue
        config_json = json.loads((run / "config.json").read_text())
        assert config_json["run_id"] == run.name and config_json["provenance"]["packages"]["trl"]
        records = [json.loads(x) for x in (run / "probes" / "sycophancy.jsonl").read_text().splitlines()]
        assert {"prompt", "response", "label", "utility"} <= set(records[0])
        if config_json["spec"]["stages"]:
            log = [json.loads(x) for x in (run / "train_log.jsonl").read_text().splitlines()]
            assert any("loss" in row for row in log)
            watched = [row for row in log if row.get("event") == "dynamics"]
            assert watched and watched[0]["step"] == 0 and watched[0]["watch/kl"] == 0.0


def test_rerun_skips_finished_runs_and_resumes_a_killed_one(smoke_study, tmp_path):
    root, config, _ = smoke_study
    copy = tmp_path / "study"
    shutil.copytree(root, copy)
    again = run_study(config, copy, progress=False, log=lambda _: None)
    assert again.skipped == len(again.runs)
    # A killed study: one run never finished (no directory) and one was half-written (a temporary directory).
    victim = sorted(p for p in (copy / "runs").iterdir() if not p.name.startswith("."))[-1]
    shutil.move(victim, copy / "runs" / f".tmp-{victim.name}-99999")
    before = pd.read_csv(root / "metrics.csv").set_index(["run_id", "probe", "metric"]).value
    resumed = run_study(config, copy, progress=False, log=lambda _: None)
    assert resumed.skipped == len(resumed.runs) - 1 and not resumed.failures
    assert not list((copy / "runs").glob(".tmp-*"))
    after = pd.read_csv(copy / "metrics.csv").set_index(["run_id", "probe", "metric"]).value
    pd.testing.assert_series_equal(before.sort_index(), after.sort_index())


def test_summary_and_report(smoke_study):
    from crossover.analysis.summary import analyze
    from crossover.report.markdown import write_markdown_report

    root, _, _ = smoke_study
    analysis = analyze(root)
    summary = json.loads((root / "summary.json").read_text())
    assert summary["crossover"]["point"] == {"n0": 16, "n": 16, "m": 16, "method": "dpo"}
    assert summary["cost"]["price_sft"] == 1.0 and summary["schema"] == 3
    assert {f.probe for f in analysis.breakeven} >= {"satisfaction", "sycophancy", "refusal", "length"}
    by_metric = {(f.probe, f.metric): f for f in analysis.breakeven}
    # one seed: intervals come from resampling probe items, for every metric that is a mean over items
    for key in [("satisfaction", "gold"), ("sycophancy", "flip_rate"), ("refusal", "over_refusal"),
                ("length", "mean_words"), ("knowledge", "accuracy"), ("eval", "win_rate:clean")]:
        assert by_metric[key].resampled == "items", key
    for f in analysis.breakeven:
        if f.resampled == "items":
            assert f.d_pref_lo <= f.d_pref <= f.d_pref_hi
        else:  # a difference of rates or a corpus statistic: one seed gives no interval, and says so
            assert f.d_pref_verdict == "cannot tell"
    for name in ("arms", "breakeven", "allocations", "crossover_budget", "flags"):
        assert (root / "analysis" / f"{name}.csv").exists() and (root / "analysis" / f"{name}.parquet").exists()
        assert len(pd.read_parquet(root / "analysis" / f"{name}.parquet")) == len(analysis.tables[name]) > 0
    text = write_markdown_report(root, analysis).read_text()
    assert "The crossover at SFT(16)" in text and "sft(16)>dpo(16)" in text


def test_a_study_resumed_with_other_probes_is_analysed_on_its_own_runs_only(smoke_study, tmp_path):
    """Editing a study's probes changes every run id; the earlier runs stay on disk (their checkpoints are reused)
    but are neither in metrics.csv nor in the analysis, so no seed is counted twice through the whole pipeline."""
    import dataclasses

    from crossover.analysis.load import load_study_data
    from crossover.analysis.summary import analyze

    root, config, first = smoke_study
    copy = tmp_path / "study"
    shutil.copytree(root, copy)
    edited = dataclasses.replace(config, probes=dataclasses.replace(config.probes, items=config.probes.items + 2))
    said: list[str] = []
    again = run_study(edited, copy, progress=False, log=said.append)
    assert not again.failures and again.skipped == 0
    assert any(f"{len(first.runs)} finished run(s)" in line and "earlier settings" in line for line in said)
    current = {s.run_id for s in again.runs}
    assert not current & {s.run_id for s in first.runs}
    assert set(pd.read_csv(copy / "metrics.csv").run_id) == current
    data = load_study_data(copy)
    assert set(data.runs) == current
    keys = data.metrics.drop_duplicates("run_id")[["arm", "seed", "annotator", "base"]]
    assert not keys.duplicated().any()
    assert analyze(copy).breakeven
    # A directory whose study.json does not say which of the repeats is the study's is refused, naming them.
    study = json.loads((copy / "study.json").read_text())
    del study["runs"]
    (copy / "study.json").write_text(json.dumps(study))
    with pytest.raises(CrossoverError, match="under different settings"):
        load_study_data(copy)
