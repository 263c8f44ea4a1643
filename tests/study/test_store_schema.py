"""A study directory explains itself: re-analysing it reads each stage's data kind and each metric's direction from
the runs' own files, not from the installed registries; schema-1 directories are still read."""

import json
import subprocess

import pandas as pd
import pytest

from crossover.analysis.context import Context
from crossover.analysis.load import load_study_data
from crossover.analysis.summary import analyze
from crossover.errors import InputError
from crossover.provenance import provenance, tree_dirty
from tests.analysis.fake_study import FakeStudy, Plan, write

PLANS = [Plan("base", {"correct": 0.3, "cave": 0.5}), Plan("sft(100)", {"correct": 0.5, "cave": 0.5}),
         Plan("sft(200)", {"correct": 0.55, "cave": 0.5}),
         Plan("sft(100)>dpo(100)", {"correct": 0.6, "cave": 0.2}, "clean")]


def _edit(path, change) -> None:
    payload = json.loads(path.read_text())
    change(payload)
    path.write_text(json.dumps(payload))


def _runs(root):
    return sorted(p for p in (root / "runs").iterdir() if not p.name.startswith("."))


def test_recorded_kinds_and_directions_win_over_the_registries(tmp_path):
    root = write(FakeStudy(tmp_path / "s", PLANS, seeds=(0,), items=16))
    for run in _runs(root):
        # A method and a direction this version's registries do not have: the run's record decides.
        _edit(run / "config.json", lambda c: [s.update(method="mystery") for s in c["spec"]["stages"]])
        _edit(run / "metrics.json", lambda m: [n.update(higher_is_better=False) for n in m["metrics"]
                                               if (n["probe"], n["metric"]) == ("knowledge", "accuracy")])
    data = load_study_data(root)
    child = next(r for r in data.runs.values() if len(r.stages) == 2)
    assert not (tmp_path / "s" / "analysis").exists()
    assert [(s.method, s.kind) for s in child.stages] == [("mystery", "demonstrations"), ("mystery", "pairs")]
    assert Context(data).higher_is_better("knowledge", "accuracy") is False
    assert Context(data).higher_is_better("sycophancy", "flip_rate") is False


def test_a_schema_1_directory_is_read_through_the_registries_alike(tmp_path):
    study = FakeStudy(tmp_path / "new", PLANS, seeds=(0, 1), items=16, crossover={"n0": 100, "n": 100, "m": 100})
    new = write(study)
    old = write(FakeStudy(tmp_path / "old", PLANS, seeds=(0, 1), items=16, crossover=study.crossover))
    for run in _runs(old):
        _edit(run / "config.json", lambda c: (c.update(schema=1), c.pop("data_kinds")))
        _edit(run / "metrics.json", lambda m: (m.update(schema=1), m.pop("metrics")))
    a, b = load_study_data(new), load_study_data(old)
    assert [r.stages for r in a.runs.values()] == [r.stages for r in b.runs.values()]
    assert a.notes == b.notes and a.notes[("knowledge", "accuracy")].higher_is_better is True
    analyze(new), analyze(old)
    for table in ("arms", "breakeven"):
        assert len(pd.read_csv(new / "analysis" / f"{table}.csv"))
        pd.testing.assert_frame_equal(pd.read_csv(new / "analysis" / f"{table}.csv"),
                                      pd.read_csv(old / "analysis" / f"{table}.csv"))


@pytest.mark.parametrize("damage", [lambda c: c.pop("data_kinds"), lambda c: c.update(data_kinds=["pairs"] * 3),
                                    lambda c: c.update(data_kinds=["tokens"] * len(c["spec"]["stages"]))])
def test_a_schema_2_run_without_its_data_kinds_is_a_clear_error(tmp_path, damage):
    root = write(FakeStudy(tmp_path / "s", PLANS[1:2], seeds=(0,), items=8))
    config = _runs(root)[0] / "config.json"
    _edit(config, damage)
    with pytest.raises(InputError, match=r"config.json.*data_kinds"):
        load_study_data(root)


def test_provenance_records_whether_the_code_had_uncommitted_changes(tmp_path):
    assert "git_dirty" in provenance()
    assert tree_dirty(tmp_path) is None  # not a checkout
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / "code.py").write_text("x = 1\n")
    assert tree_dirty(tmp_path) is True  # new, not committed
    subprocess.run([*git, "add", "code.py"], check=True)
    subprocess.run([*git, "commit", "-qm", "c"], check=True)
    assert tree_dirty(tmp_path) is False
    (tmp_path / "code.py").write_text("x = 2\n")
    assert tree_dirty(tmp_path) is True
