"""crossover's Python API: the functions behind the command line's verbs, for notebooks and scripts.

Each function takes the words of the command it mirrors (``crossover run --study FILE --out DIR --workers 2`` is
``crossover.run(crossover.load_study("FILE"), out="DIR", workers=2)``) and returns data rather than printing it.
``docs/python.md`` shows them at work; ``crossover/__init__.py`` lists what is stable.

Importing ``crossover`` (or this module) imports no torch, transformers or pandas: each function imports what it
needs when it is called.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from crossover.errors import CrossoverError

if TYPE_CHECKING:
    import pandas as pd

    from crossover.config import StudyConfig
    from crossover.results import StudyResults

PRESETS_DIR = Path(__file__).resolve().parent / "study" / "presets"

Workers = int | Literal["auto"]
Executor = Literal["local", "ray"]


def presets() -> list[str]:
    """The built-in studies (``crossover run --preset NAME``): smoke, quick, full, ..."""
    return sorted(p.stem for p in PRESETS_DIR.glob("*.toml"))


def load_study(path: str | Path | None = None, *, preset: str | None = None) -> StudyConfig:
    """A study read from a TOML file, or a built-in one by name (``preset="smoke"``), validated before anything
    trains. The settings are frozen dataclasses (``crossover.config.StudyConfig``); change one with
    ``dataclasses.replace``. A bad file raises ``CrossoverError`` naming the file, line and field."""
    from crossover.config import load_study as read_study

    if (path is None) == (preset is None):
        raise CrossoverError("give either a study file or preset=NAME, not both" if path is not None
                             else "give a study file, or preset=NAME (presets: " + ", ".join(presets()) + ")")
    if preset is not None:
        if preset not in presets():
            raise CrossoverError(f"unknown preset {preset!r}; presets: {', '.join(presets())}")
        path = PRESETS_DIR / f"{preset}.toml"
    return read_study(Path(path))


def run(study: StudyConfig | str | Path, out: str | Path | None = None, *, workers: Workers = "auto",
        executor: Executor = "local", ray_address: str | None = None, accelerate_config: str | Path | None = None,
        report_to: str | Sequence[str] | None = None, progress: bool = True,
        log: Callable[[str], None] | None = print) -> StudyResults:
    """Run every run of ``study`` not already finished in ``out``, analyse the directory and write its reports.

    ``study`` is a ``StudyConfig`` (``load_study``) or a study file's path; ``out`` defaults to
    ``crossover-runs/<study name>``. ``workers``, ``executor``, ``ray_address`` and ``accelerate_config`` say where
    runs execute (``docs/scaling.md``); ``report_to`` (``"tensorboard"``, ``"wandb"``, a list, or ``"none"``)
    overrides the study's trackers (``crossover.train.tracking``). None of them changes a result. Failed runs do
    not stop the others: they are listed in ``results.outcome.failures``.
    """
    import dataclasses

    from crossover.analysis.summary import analyze as analyze_dir
    from crossover.results import RunOutcome, StudyResults
    from crossover.study.runner import Execution, run_study
    from crossover.train.tracking import parse_report_to

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    config = study if not isinstance(study, (str, Path)) else load_study(study)
    if report_to is not None:
        config = dataclasses.replace(config, report_to=parse_report_to(report_to))
    root = Path(out) if out is not None else Path("crossover-runs") / config.name
    execution = Execution(workers=workers, executor=executor, ray_address=ray_address,
                          accelerate_config=Path(accelerate_config) if accelerate_config else None)
    outcome = run_study(config, root, progress=progress, log=log or (lambda _: None), execution=execution)
    analysis = analyze_dir(root)
    _write_reports(root, analysis)
    return StudyResults(root, RunOutcome(len(outcome.runs), outcome.skipped, round(outcome.seconds, 1),
                                         dict(outcome.failures)), analysis)


def open(study_dir: str | Path) -> StudyResults:  # noqa: A001 - crossover.open(DIR), as a file is opened
    """A finished study directory as a ``StudyResults``: pandas frames for the metrics, gain curves, breakeven,
    allocations and flags, the verdict as data and the report's path. Reads only: nothing is trained or
    re-estimated."""
    from crossover.results import StudyResults

    return StudyResults(study_dir)


def analyze(study_dir: str | Path, *, price_sft: float | None = None, price_pair: float | None = None,
            price_label: float | None = None, price_prompt: float | None = None,
            price_sft_token: float | None = None, price_pair_token: float | None = None, draws: int = 2000,
            confidence: float = 0.95, bootstrap_seed: int = 0) -> StudyResults:
    """Recompute ``summary.json`` and the analysis tables of a study directory (``crossover analyze``), with the
    given prices in place of the study's ``[cost]``; returns the results read back."""
    from crossover.analysis.bootstrap import BootstrapSettings
    from crossover.analysis.summary import analyze as analyze_dir
    from crossover.results import StudyResults

    root = _study_dir(study_dir)
    settings = BootstrapSettings(draws=draws, confidence=confidence, seed=bootstrap_seed)
    if settings.draws < 100 or not 0.5 <= settings.confidence < 1:
        raise CrossoverError("draws must be at least 100 and confidence between 0.5 and 1")
    prices = dict(price_sft=price_sft, price_pair=price_pair, price_label=price_label, price_prompt=price_prompt,
                  price_sft_token=price_sft_token, price_pair_token=price_pair_token)
    return StudyResults(root, analysis=analyze_dir(root, cost=prices, settings=settings))


def report(study_dir: str | Path, *, price_sft: float | None = None, price_pair: float | None = None,
           price_label: float | None = None, price_prompt: float | None = None,
           price_sft_token: float | None = None, price_pair_token: float | None = None) -> StudyResults:
    """Re-analyse a study directory and rebuild ``report.html`` and ``report.md`` (``crossover report``)."""
    from crossover.analysis.summary import analyze as analyze_dir
    from crossover.results import StudyResults

    root = _study_dir(study_dir)
    prices = dict(price_sft=price_sft, price_pair=price_pair, price_label=price_label, price_prompt=price_prompt,
                  price_sft_token=price_sft_token, price_pair_token=price_pair_token)
    analysis = analyze_dir(root, cost=prices)
    _write_reports(root, analysis)
    return StudyResults(root, analysis=analysis)


def plan(study_dir: str | Path, changes: dict[str, float] | None = None):
    """``crossover plan``: from a finished pilot, the seeds and items each primary metric needs to detect a change
    (``{"satisfaction.gold": 0.02}``; default each metric's equivalence margin) at 80% power; ``.lines()`` says it."""
    from crossover.analysis.plan import plan_study

    return plan_study(_study_dir(study_dir), changes)


def probe(models: str | Path | Sequence[str | Path], *, out: str | Path, probes: Sequence[str] = (),
          items: int = 0, batch_size: int = 16, embedder: str | None = None, reward_model: str | None = None,
          judge: str | None = None, trust_remote_code: bool = False, chat_template: str | Path | None = None,
          graders: dict[str, str] | None = None, progress: bool = False,
          log: Callable[[str], None] | None = print) -> pd.DataFrame:
    """Probe models from any trainer with the text probes into ``out`` (``crossover probe``): model directories,
    Hub ids, ``.gguf`` files, PEFT adapter directories or ``"smollm2"``. Returns the tidy metrics
    (``out/metrics.csv``: one row per model, probe and metric); per-item records are in ``out/runs/<id>/probes/``.
    Models already probed with the same settings are not probed again. ``graders`` picks the grader per probe
    (``{"premise": "judge"}``; docs/real-models.md has each one's agreement with hand labels); ``progress`` shows
    a bar over the prompts while a model is probed."""
    import pandas as pd

    from crossover.models.options import ModelOptions
    from crossover.probes.suites import TextSuite
    from crossover.probes.text.run import TextProbeSettings
    from crossover.study.probe import probe_models

    names = [models] if isinstance(models, (str, Path)) else list(models)
    if not names:
        raise CrossoverError("probe: give at least one model")
    # The settings check themselves (unknown probes, negative counts) before any model is resolved or loaded.
    settings = TextProbeSettings(only=tuple(probes), items=items, batch_size=batch_size, embedder=embedder or "",
                                 reward_model=reward_model or "", judge=judge or "", graders=dict(graders or {}))
    template = _read_text(chat_template, "chat_template") if chat_template else None
    options = ModelOptions(trust_remote_code=trust_remote_code, chat_template=template)
    root = Path(out)
    suite = dataclasses.replace(TextSuite.resolve(settings), progress=progress)
    probe_models([str(m) for m in names], suite, root, options=options, log=log or (lambda _: None))
    return pd.read_csv(root / "metrics.csv")


def export_world(out: str | Path, *, world_seed: int = 0, seed: int = 0, sft: int = 2000, pairs: int = 2000,
                 annotator: str = "clean", probe_items: int = 48) -> dict[str, int]:
    """The wind tunnel as TRL-format JSONL with a dataset card (``crossover world export``): demonstrations,
    preference pairs labelled by ``annotator``, the same judgements as unpaired rows, and the probe items.
    Budget n of a study is the first n rows. Returns the rows written per file."""
    from crossover.probes import probe_items as probe_sets
    from crossover.world.annotator import PRESETS
    from crossover.world.export import export_world as write_world
    from crossover.world.knowledge import build_knowledge_base

    if annotator not in PRESETS:
        raise CrossoverError(f"unknown annotator {annotator!r}; presets: {', '.join(PRESETS)}")
    for name, value in (("sft", sft), ("pairs", pairs), ("probe_items", probe_items)):
        if value < 0:
            raise CrossoverError(f"{name} must not be negative")
    # The dataset card records the command that rebuilds these files, whichever way they were asked for.
    command = (f"crossover world export {out} --world-seed {world_seed} --seed {seed} --sft {sft} --pairs {pairs} "
               f"--annotator {annotator} --probe-items {probe_items}")
    kb = build_knowledge_base(world_seed)
    return write_world(Path(out), kb, annotator=PRESETS[annotator], seed=seed, n_sft=sft, n_pairs=pairs,
                       probe_sets=probe_sets(kb, probe_items), command=command)


def _write_reports(root: Path, analysis: object) -> None:
    from crossover.report.markdown import write_markdown_report
    from crossover.report.page import write_html_report

    write_markdown_report(root, analysis)
    write_html_report(root)


def _study_dir(path: str | Path) -> Path:
    root = Path(path)
    if not (root / "study.json").exists():
        raise CrossoverError(f"{root}: not a study directory (no study.json); run `crossover run --out {root}` first")
    return root


def _read_text(path: str | Path, name: str) -> str:
    try:
        return Path(path).read_text()
    except OSError as exc:
        raise CrossoverError(f"{name} {path}: cannot read it ({exc.strerror})") from None
