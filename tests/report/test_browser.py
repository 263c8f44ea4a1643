"""Headless Chromium opens the smoke study's report: the verdict and every plot are there, nothing is fetched,
nothing errs, and model text containing a script shows as text. A screenshot is saved beside the test's files.

Needs Debian's ``chromium`` (``make test`` installs it through scripts/setup-test.sh); skipped without it.
"""

import json
import shutil

import pytest

from crossover.analysis.summary import analyze
from crossover.report.page import write_html_report
from tests.report.cdp import Browser, chromium

ATTACK = "<script>alert(1)</script><b>x</b>"
ATTACKS = (ATTACK, '<img src=x onerror="alert(2)">', '<a href="javascript:alert(3)">click</a>',
           '</script><script>alert(4)</script>', '"}]</script><svg onload=alert(5)>',
           '<iframe src="https://example.com/"></iframe>', "<style>body{background:url(http://example.com/x)}</style>")
"""Hostile model text: scripts, handlers, javascript: links, a break-out of inline JSON, remote resources."""
PANELS = ("gain-curves", "heatmap", "lengths", "overoptimisation", "dynamics", "selfreport")

pytestmark = pytest.mark.skipif(chromium() is None, reason="chromium not installed (make test installs it)")


def _child_run(root, arm: str):
    for run in sorted((root / "runs").iterdir()):
        config = run / "config.json"
        if config.exists() and json.loads(config.read_text())["spec"]["arm"] == arm:
            return run
    raise AssertionError(f"no run of {arm}")


@pytest.fixture(scope="module")
def report(smoke_study, tmp_path_factory):
    """The smoke study's report, with an HTML attack planted in one reply of a preference run."""
    source, _, _ = smoke_study
    root = tmp_path_factory.mktemp("browser") / "study"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("checkpoints"))
    path = _child_run(root, "sft(16)>dpo(16)") / "probes" / "sycophancy.jsonl"
    rows = [json.loads(x) for x in path.read_text().splitlines()]
    for row, attack in zip(rows, ATTACKS):
        row["response"] = attack
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    analyze(root)
    return write_html_report(root)


@pytest.fixture(scope="module")
def page(report):
    with Browser(chromium()) as browser:
        url = browser.open(report)
        expected = browser.evaluate("document.querySelectorAll('[data-figure]').length")
        browser.wait_for(f"document.querySelectorAll('[data-figure] .main-svg').length >= {expected}")
        yield browser, url, report.parent


def test_verdict_and_every_plot_are_shown(page):
    browser, _, _ = page
    verdict = browser.evaluate("document.getElementById('verdict').innerText")
    assert "Starting from SFT(16): 16 dpo pairs" in verdict and "satisfaction.gold" in verdict
    assert browser.evaluate("document.querySelectorAll('#verdict table.verdict tbody tr').length") >= 10
    for key in PANELS:
        drawn = browser.evaluate(f"""(function () {{
            var plot = document.querySelector('#{key} [data-figure]');
            return plot ? plot.querySelectorAll('.main-svg').length > 0 && plot.getBoundingClientRect().height > 250
                        : document.querySelectorAll('#{key} .note').length > 0; }})()""")
        assert drawn, key
    # The smoke study has data for every figure: each one is drawn, none replaced by a note.
    assert browser.evaluate("document.querySelectorAll('[data-panel=\"figure\"]').length") == len(PANELS)


def test_no_console_error_no_request_no_dialog(page):
    browser, url, _ = page
    assert browser.log.errors() == []
    # data: URLs are images plotly makes in the page (heatmaps); nothing goes to a network or another file.
    fetched = [u for u in browser.log.requests if u != url and not u.startswith("data:")]
    assert fetched == []
    assert browser.log.dialogs == []


def test_model_text_is_shown_as_text(page):
    browser, _, _ = page
    browser.evaluate("""(function () {
        document.getElementById('filter-pair').value = '';
        document.getElementById('filter-probe').value = 'sycophancy';
        var differ = document.getElementById('filter-differ');
        differ.checked = false;
        differ.dispatchEvent(new Event('change'));
    })()""")
    shown = browser.evaluate("Array.from(document.querySelectorAll('.reply .text')).map(e => e.textContent)")
    assert all(attack in shown for attack in ATTACKS), shown
    hostile = "#transcript-list script, #transcript-list .text b, #transcript-list img, #transcript-list a[href], " \
              "#transcript-list iframe, #transcript-list svg, #transcript-list style"
    assert browser.evaluate(f"document.querySelectorAll('{hostile}').length") == 0
    assert browser.log.requests == [] or all(u.startswith(("file:", "data:")) and "/x" not in u
                                             for u in browser.log.requests)
    count = browser.evaluate("document.getElementById('transcript-count').textContent")
    assert count.endswith("shown") and not count.startswith("0 ")
    assert browser.log.dialogs == []


def test_screenshot(page):
    browser, _, root = page
    browser.evaluate("window.scrollTo(0, 0)")
    top = browser.screenshot(root / "report-top.png")
    full = browser.screenshot(root / "report-full.png", full_page=True)
    for png in (top, full):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    print(f"screenshots: {top} {full}")
