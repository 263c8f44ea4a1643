"""`crossover analyze DIR` with prices from the command line, on a synthetic study directory."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from tests.analysis.fake_study import FakeStudy, Plan, write


def run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "crossover", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_analyze_writes_tables_and_takes_prices(tmp_path):
    plans = [Plan("sft(100)", {"correct": 0.5}), Plan("sft(200)", {"correct": 0.6}),
             Plan("sft(100)>dpo(50)", {"correct": 0.55}, "typical")]
    root = write(FakeStudy(tmp_path / "s", plans, probes=("knowledge",), cost={"price_pair": 3.0},
                           crossover={"n0": 100, "n": 100, "m": 50, "method": "dpo"}))
    result = run_cli("analyze", str(root), "--price-pair", "4", "--draws", "300", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "knowledge.accuracy" in result.stdout and "summary:" in result.stdout
    summary = json.loads((root / "summary.json").read_text())
    assert summary["cost"]["price_pair"] == 4.0 and summary["bootstrap"]["draws"] == 300
    figure = next(f for f in summary["crossover"]["figures"] if f["metric"] == "accuracy")
    assert abs(figure["price_ratio"] - 4.0) < 1e-9 and figure["words"]
    manifest = json.loads((root / "analysis" / "manifest.json").read_text())
    assert manifest["schema"] == 2 and "git_commit" in manifest["provenance"]
    breakeven = pd.read_parquet(root / "analysis" / "breakeven.parquet")
    assert list(breakeven.columns) == manifest["tables"]["breakeven"]["columns"]
    assert pd.read_csv(root / "analysis" / "breakeven.csv").shape == breakeven.shape
    bad = run_cli("analyze", str(root), "--price-pair", "-1", cwd=tmp_path)
    assert bad.returncode == 2 and "a price must be a finite number >= 0" in bad.stderr


def test_prices_from_study_json_and_overrides_are_validated():
    import pytest

    from crossover.analysis.summary import resolve_cost
    from crossover.errors import CrossoverError

    assert resolve_cost({"cost": {"price_pair": 3.0}}, {"price_sft": 2.0, "price_pair": None}).price_pair == 3.0
    with pytest.raises(CrossoverError, match="price_sft: must be greater than 0"):
        resolve_cost({}, {"price_sft": 0.0})
    with pytest.raises(CrossoverError, match="unknown cost settings"):
        resolve_cost({"cost": {"price_per_pair": 1.0}})


def test_plan_says_how_many_seeds_and_items_a_change_needs(tmp_path, capsys):
    from crossover.cli import main

    same = {"correct": 0.6, "cave": 0.3, "update": 0.5}
    plans = [Plan("sft(100)", same), Plan("sft(200)", same), Plan("sft(100)>dpo(100)", same, "typical")]
    root = write(FakeStudy(tmp_path / "s", plans, seed_sd=0.03, crossover={"n0": 100, "n": 100, "m": 100}))
    assert main(["plan", str(root), "--change", "sycophancy.flip_rate=0.10"]) == 0
    out = capsys.readouterr().out
    assert "[typical] sycophancy.flip_rate +-0.1: power now" in out and "seeds needed at 1x items" in out
    assert "[typical] satisfaction.gold +-0.02" in out  # a primary endpoint at its default margin
    with pytest.raises(SystemExit):  # argparse: not a number
        main(["plan", str(root), "--change", "sycophancy.flip_rate=x"])
    assert main(["plan", str(root), "--change", "nope=0.1"]) == 2  # not probe.metric
