"""The HTML report of synthetic study directories: every section, escaping of model text, plain notes for what is
missing, and the command line."""

import base64
import html
import json
import re

import numpy as np
import pytest

from crossover.analysis.bootstrap import BootstrapSettings
from crossover.analysis.summary import analyze
from crossover.report.page import write_html_report
from tests.analysis.fake_study import FakeStudy, Plan, write

FAST = BootstrapSettings(draws=200)
ATTACK = "<script>alert(1)</script><b>x</b>"
PANELS = ("gain-curves", "heatmap", "lengths", "overoptimisation", "dynamics", "selfreport")
PARENT = {"correct": 0.8, "cave": 0.10, "update": 0.5, "words": 8.0}


def _log(kl_scale: float | None):
    """A preference stage's training log: chosen log-prob falling (displacement), and KL if ``kl_scale``."""
    def rows(seed):
        rng = np.random.default_rng(seed)
        out = []
        for j in range(12):
            row = {"loss": 0.6, "logps/chosen": -10.0 - 4.0 * j / 11 + rng.normal(0, 0.2),
                   "logps/rejected": -11.0 - 8.0 * j / 11, "rewards/margins": 0.1 * j}
            if kl_scale is not None:
                row["kl"] = kl_scale * (1 + seed) * (j + 1) / 12
            out.append(row)
        return out
    return rows


def _inject(root, arm_run_prefix: str, probe: str = "sycophancy") -> None:
    """Put an HTML attack in the first reply and prompt of every run whose id starts with the prefix."""
    for run in sorted((root / "runs").glob(f"{arm_run_prefix}*")):
        path = run / "probes" / f"{probe}.jsonl"
        rows = [json.loads(x) for x in path.read_text().splitlines()]
        rows[0]["response"] = ATTACK
        rows[0]["prompt"] = [{"role": "user", "content": f"tell me {ATTACK}"}]
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    plans = [Plan("base", {"correct": 0.5, "cave": 0.2, "words": 8.0}), Plan("sft(100)", PARENT),
             Plan("sft(200)", PARENT | {"correct": 0.85}),
             Plan("sft(100)>dpo(100)", PARENT, "clean", log=_log(0.5)),
             Plan("sft(100)>dpo(200)", PARENT | {"cave": 0.45, "words": 12.0}, "agreeable", log=_log(1.0))]
    root = write(FakeStudy(tmp_path_factory.mktemp("report"), plans, items=120, rng_seed=3, seed_sd=0.01,
                           crossover={"n0": 100, "n": 100, "m": 100, "method": "dpo"}))
    _inject(root, "run003")  # sft(100)>dpo(100): the child of a transcript pair
    analyze(root, settings=FAST)
    return root, write_html_report(root).read_text()


def test_every_section_and_plot(study):
    _, page = study
    assert page.startswith("<!DOCTYPE html>")
    for key in ("verdict", *PANELS, "transcripts", "provenance"):
        assert f'id="{key}"' in page
    for key in ("gain-curves", "heatmap", "lengths", "overoptimisation", "dynamics"):
        assert f'data-figure="figure-data-{key}"' in page
    # The verdict names the planted failure and the crossover point.
    verdict = page[page.index('id="verdict"'):page.index('id="gain-curves"')]
    assert "Starting from SFT(100): 100 dpo pairs" in verdict
    # The agreeable annotator's arms are not at the crossover point: their flags are named and tabled.
    assert "sycophancy_up (sft(100)&gt;dpo(200))" in verdict and "chosen_logprob_displacement" in verdict
    assert "Failure flags raised (" in verdict
    assert 'data-axis="knowledge.accuracy"' in verdict


def test_model_text_is_escaped(study):
    _, page = study
    assert html.escape(ATTACK) in page  # shown as text, in the reply and in the prompt
    assert f"tell me {html.escape(ATTACK)}" in page
    assert ATTACK not in page and "<b>x</b>" not in page and "alert(1)</script>" not in page
    # The only scripts are plotly.js, the page's own script and one JSON block per figure.
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts.count("<script>") == 2
    assert all(s == "<script>" or 'type="application/json"' in s for s in scripts)


def test_self_contained(study):
    _, page = study
    assert 'http-equiv="Content-Security-Policy"' in page and "default-src &#39;none&#39;" in page
    assert not re.search(r"<(script|img|iframe)[^>]*\ssrc=", page) and "<link" not in page
    assert page.count("Plotly.newPlot") == 1


def test_figures_carry_the_study_numbers(study):
    root, page = study
    data = {m.group(1): json.loads(m.group(2)) for m in
            re.finditer(r'<script type="application/json" id="figure-data-([a-z-]+)">(.*?)</script>', page)}
    dynamics = data["dynamics"]
    titles = [a["text"] for a in dynamics["layout"]["annotations"]]
    assert any("KL" in t for t in titles)  # the logs carry KL, so it is drawn
    over = data["overoptimisation"]
    assert any("√KL" in a["text"] for a in over["layout"]["annotations"])
    import pandas as pd

    points = pd.read_parquet(root / "analysis" / "overoptimisation_points.parquet")
    gold = [t for t in over["data"] if t.get("mode") == "markers" and "gold" in t["name"]]
    drawn = sorted(x for t in gold for x in _values(t["x"]))
    assert drawn == pytest.approx(sorted(points["sqrt_kl"]))


def _values(encoded) -> list[float]:
    """A plotly data array as numbers (plotly writes numpy arrays as base64 typed arrays)."""
    if isinstance(encoded, dict):
        return list(np.frombuffer(base64.b64decode(encoded["bdata"]), dtype=encoded["dtype"]))
    return list(encoded)


def test_transcripts_pair_parent_and_child_on_the_same_item(study):
    _, page = study
    cards = re.findall(r'<article class="transcript"[^>]*data-pair="([^"]*)"[^>]*data-probe="([^"]*)"', page)
    assert cards and {probe for _, probe in cards} == {"knowledge", "sycophancy"}
    assert any(pair.startswith("sft(100)&gt;dpo(200) · agreeable vs sft(100)") for pair, _ in cards)
    assert 'data-flags="sycophancy_up' in page and 'data-raised="sycophancy_up' in page


def test_missing_data_shows_plain_notes(tmp_path):
    """One seed, no training logs, no self-report probe and no crossover point: notes, not errors or empty boxes."""
    plans = [Plan("base", {"correct": 0.5}), Plan("sft(100)", {"correct": 0.7}),
             Plan("sft(100)>dpo(50)", {"correct": 0.72}, "typical")]
    root = write(FakeStudy(tmp_path / "s", plans, seeds=(0,), items=60, probes=("knowledge",)))
    analyze(root, settings=FAST)
    page = write_html_report(root).read_text()
    notes = re.findall(r'<p class="note">(.*?)</p>', page)
    text = " ".join(notes)
    assert "One seed per arm" in text
    assert "This study sets no crossover point" in text
    assert "No training log has preference-stage quantities" in text
    assert "The √KL view is not drawn" in text
    assert "did not run the self-report probe" in text
    for key in PANELS:  # every panel has a figure or says why not
        section = page[page.index(f'id="{key}"') - 200:]
        assert 'data-panel="figure"' in section[:400] or 'data-panel="note"' in section[:400]


def test_report_command_rebuilds_both_reports(tmp_path, capsys):
    from crossover.cli import main

    plans = [Plan("sft(100)", {"correct": 0.5}), Plan("sft(100)>dpo(50)", {"correct": 0.55}, "typical")]
    root = write(FakeStudy(tmp_path / "s", plans, seeds=(0,), items=40, probes=("knowledge",)))
    assert main(["report", str(root)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == f"report: {(root / 'report.html').resolve()}"
    assert lines[-2] == f"markdown: {(root / 'report.md').resolve()}"
    assert (root / "report.html").stat().st_size > 1_000_000  # plotly.js is inlined
