"""The public API's argument checks and the results object on a study directory (the smoke study of the session)."""

import shutil

import pytest

import crossover
from crossover.analysis.summary import TABLE_NAMES
from crossover.results import TABLES, VERDICT_COLUMNS


def test_load_study_takes_a_file_or_a_preset(tmp_path):
    assert crossover.load_study(preset="smoke").name == "smoke"
    path = tmp_path / "mine.toml"
    path.write_text('[study]\nname = "mine"\narms = ["sft(8)"]\nreport_to = "tensorboard"\n')
    assert crossover.load_study(path).report_to == ("tensorboard",)
    with pytest.raises(crossover.CrossoverError, match="unknown preset 'nope'; presets: full, quick, smoke"):
        crossover.load_study(preset="nope")
    with pytest.raises(crossover.CrossoverError, match="not both"):
        crossover.load_study(path, preset="smoke")
    with pytest.raises(crossover.CrossoverError, match="give a study file, or preset=NAME"):
        crossover.load_study()


def test_open_says_what_a_directory_lacks(tmp_path):
    with pytest.raises(crossover.CrossoverError, match="not a study directory"):
        crossover.open(tmp_path)
    (tmp_path / "study.json").write_text("{}")
    with pytest.raises(crossover.CrossoverError, match=r"not analysed yet.*crossover.analyze"):
        crossover.open(tmp_path)


def test_results_read_the_analysed_smoke_study(smoke_study, tmp_path):
    root = shutil.copytree(smoke_study[0], tmp_path / "smoke")
    results = crossover.analyze(root, draws=200)
    assert set(TABLES) == set(TABLE_NAMES)
    assert results.analysis is not None and crossover.open(root).analysis is None
    assert set(results.metrics["run_id"]) == {p.name for p in (root / "runs").iterdir() if not p.name.startswith(".")}
    assert {"arm", "probe", "metric"} <= set(results.gains.columns) and not results.breakeven.empty
    verdict = results.verdict
    assert list(verdict.columns) == VERDICT_COLUMNS and len(verdict) == sum(len(g.axes) for g in results.verdicts)
    gold = verdict[(verdict["probe"] == "satisfaction") & (verdict["metric"] == "gold")].iloc[0]
    row = results.breakeven[(results.breakeven["probe"] == "satisfaction") & (results.breakeven["metric"] == "gold")]
    assert gold["pairs"] == row["d_pref"].iloc[0] and gold["more_sft"] == row["d_sft"].iloc[0]
    assert results.verdict_sentences()[0].startswith("Starting from SFT(16)")
    assert set(results.train_logs["method"]) == {"sft", "dpo"}
    with pytest.raises(crossover.CrossoverError, match="unknown analysis table"):
        results.table("verdicts")
    html = results._repr_html_()
    assert html.count("<table") == len(results.verdicts) and "satisfaction.gold" in html and "<script" not in html
