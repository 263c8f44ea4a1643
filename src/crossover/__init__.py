"""crossover: when does preference optimisation beat more supervised data?

The stable Python API (``docs/python.md``), the same verbs as the command line::

    import crossover

    study = crossover.load_study(preset="smoke")          # or load_study("my_study.toml")
    results = crossover.run(study, out="runs/smoke", workers=1)
    results.verdict                                       # pandas frames: metrics, gains, breakeven, flags, ...
    crossover.open("runs/smoke").report_path              # a finished study, read back from its directory

The names in ``__all__`` are stable: their arguments and return types change only with a note in the changelog
of a new minor version. Everything under ``crossover.<subpackage>`` is internal and may change between versions.

Importing ``crossover`` is cheap (no torch, transformers or pandas): the functions are loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crossover.errors import CrossoverError

__version__ = "0.1.0"

__all__ = [
    "CrossoverError",
    "RunOutcome",
    "StudyConfig",
    "StudyResults",
    "__version__",
    "analyze",
    "export_world",
    "load_study",
    "open",
    "plan",
    "presets",
    "probe",
    "report",
    "run",
]

_LAZY = {
    "analyze": "crossover.api",
    "export_world": "crossover.api",
    "load_study": "crossover.api",
    "open": "crossover.api",
    "plan": "crossover.api",
    "presets": "crossover.api",
    "probe": "crossover.api",
    "report": "crossover.api",
    "run": "crossover.api",
    "RunOutcome": "crossover.results",
    "StudyResults": "crossover.results",
    "StudyConfig": "crossover.config",
}

if TYPE_CHECKING:
    from crossover.api import analyze, export_world, load_study, open, plan, presets, probe, report, run  # noqa: A004
    from crossover.config import StudyConfig
    from crossover.results import RunOutcome, StudyResults


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562), so ``import crossover`` stays cheap."""
    if name not in _LAZY:
        raise AttributeError(f"module 'crossover' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
