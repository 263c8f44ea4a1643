"""docs/python.md runs: every ``python`` block, in order, in one namespace, in an empty directory (so the page cannot
rot); ``python skip`` blocks are checked against the signatures of the functions they call. Also: the public API is
what ``__all__`` says, and importing ``crossover`` stays cheap."""

import ast
import contextlib
import inspect
import io
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import crossover

PAGE = Path(__file__).parents[1] / "docs" / "python.md"
BLOCK = re.compile(r"^```(python[^\n]*)\n(.*?)^```", re.S | re.M)


def blocks(skip: bool) -> list[str]:
    return [code for info, code in BLOCK.findall(PAGE.read_text()) if ("skip" in info.split()) == skip]


def test_the_pages_examples_run_on_the_smoke_preset(tmp_path, monkeypatch, one_thread):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for number, code in enumerate(blocks(skip=False), 1):
        out, started = io.StringIO(), time.perf_counter()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"{PAGE.name} block {number}", "exec"), namespace)  # noqa: S102 - the page's own code
        print(f"--- docs/python.md block {number} ({time.perf_counter() - started:.1f}s) ---\n{code}>>>\n"
              f"{out.getvalue()}", file=sys.stderr)
    results = namespace["results"]
    assert isinstance(results, crossover.StudyResults) and results.root == Path("runs/smoke")
    assert namespace["study"].name == "smoke" and results.report_path.exists()
    assert not results.verdict.empty and set(results.verdict["probe"]) <= set(results.metrics["probe"])
    html = results._repr_html_()
    assert "<table" in html and "crossover study: smoke" in html and "plotly" not in html
    assert (tmp_path / "data" / "sft.jsonl").exists()
    assert namespace["cheaper_pairs"].summary["cost"]["price_pair"] == 0.5


def test_the_skipped_examples_call_public_functions_with_arguments_they_take():
    for code in blocks(skip=True):
        for call in (n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call)):
            func = call.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "crossover":
                assert func.attr in crossover.__all__, func.attr
                signature = inspect.signature(getattr(crossover, func.attr))
                signature.bind(*[None] * len(call.args), **{k.arg: None for k in call.keywords})


def test_every_public_name_resolves_and_is_documented():
    page = PAGE.read_text()
    for name in crossover.__all__:
        assert getattr(crossover, name) is not None
        assert f"`{name}`" in page, f"docs/python.md does not list {name}"
    with pytest.raises(AttributeError):
        crossover.no_such_name  # noqa: B018


def test_importing_crossover_loads_no_heavy_library():
    code = ("import sys, crossover; crossover.load_study; crossover.open; "
            "print(sorted(m for m in ('torch', 'transformers', 'trl', 'pandas') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
