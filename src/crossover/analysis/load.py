"""The study directory as the analysis sees it: finished runs, their stages, metrics, records and training logs.

Analysis reads nothing else. What each stage's budget counts (demonstrations, pairs, unpaired labels or prompts,
which sets its price) and which way each metric is better are read from the runs' own files; only a directory
written before they were recorded there (result schema 1) has them filled in from the installed method and probe
registries (``registry_kind``, ``registry_notes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from crossover.errors import InputError
from crossover.study.store import (
    METRIC_COLUMNS,
    MetricNote,
    StudyStore,
    data_kinds,
    metric_notes,
    metric_rows,
    read_json,
    read_jsonl,
)

DEMONSTRATIONS = "demonstrations"


def registry_kind(method: str) -> str:
    """For a schema-1 run: the data the installed version's method trains on (pairs for a method it lacks)."""
    from crossover.methods import METHODS

    spec = METHODS.get(method)
    return spec.data if spec is not None else "pairs"


def registry_notes(metrics: pd.DataFrame) -> dict[tuple[str, str], MetricNote]:
    """For a schema-1 run: each metric's direction and meaning as the installed probe registry describes it."""
    from crossover.probes import describe

    out = {}
    for probe, metric in dict.fromkeys(zip(metrics["probe"], metrics["metric"])):
        info = describe(probe, metric)
        out[(probe, metric)] = MetricNote(info.higher_is_better, info.description) if info else MetricNote(None)
    return out


@dataclass(frozen=True)
class StageInfo:
    method: str
    budget: int
    kind: str
    """Data kind: demonstrations, pairs, unpaired or prompts."""
    epochs: float = 1.0
    pairs: str = ""
    """The stage's pair source where it is not the default candidates, as arm labels write it
    (``pairs=onpolicy, rounds=2``); empty for the default."""

    @property
    def recipe(self) -> str:
        """The method with its pair source, ``dpo`` or ``dpo[pairs=onpolicy]``: arms that differ only in where their
        pairs came from are different recipes, never points of one curve."""
        return f"{self.method}[{self.pairs}]" if self.pairs else self.method


@dataclass(frozen=True)
class Run:
    run_id: str
    arm: str
    seed: int
    annotator: str
    stages: tuple[StageInfo, ...]
    base: str = "default"

    @property
    def fixed(self) -> bool:
        """An untrained arm (the base model) does not depend on the seed."""
        return not self.stages


@dataclass(frozen=True)
class Cell:
    """One arm under one annotator ('' for arms trained without preference data) and its runs, one per seed."""

    annotator: str
    arm: str
    stages: tuple[StageInfo, ...]
    runs: tuple[Run, ...]

    @property
    def seeds(self) -> tuple[int, ...]:
        return tuple(r.seed for r in self.runs)

    @property
    def fixed(self) -> bool:
        return not self.stages

    @property
    def preference_stages(self) -> tuple[StageInfo, ...]:
        return tuple(s for s in self.stages if s.kind != DEMONSTRATIONS)

    @property
    def family(self) -> str:
        """The arm with its budgets dropped: ``base``, ``sft``, ``sft>dpo``, ``dpo``, ``sft>dpo[pairs=onpolicy]``."""
        return ">".join(s.recipe for s in self.stages) or "base"

    @property
    def n_demonstrations(self) -> int:
        return sum(s.budget for s in self.stages if s.kind == DEMONSTRATIONS)

    @property
    def n_preference(self) -> int:
        return sum(s.budget for s in self.stages if s.kind != DEMONSTRATIONS)


@dataclass
class StudyData:
    root: Path
    study: dict[str, Any]
    runs: dict[str, Run]
    metrics: pd.DataFrame
    notes: dict[tuple[str, str], MetricNote] = field(default_factory=dict)
    """(probe, metric) -> its better direction and meaning, as the runs recorded them."""
    _records: dict[str, dict[str, list[dict]]] = field(default_factory=dict, repr=False)
    _logs: dict[str, list[dict]] = field(default_factory=dict, repr=False)

    @cached_property
    def cells(self) -> dict[tuple[str, str], Cell]:
        """(annotator, arm) -> cell, runs ordered by seed."""
        grouped: dict[tuple[str, str], list[Run]] = {}
        for run in self.runs.values():
            grouped.setdefault((run.annotator, run.arm), []).append(run)
        return {key: Cell(key[0], key[1], runs[0].stages, tuple(sorted(runs, key=lambda r: r.seed)))
                for key, runs in sorted(grouped.items())}

    @property
    def annotators(self) -> list[str]:
        return sorted({r.annotator for r in self.runs.values() if r.annotator})

    def cell(self, annotator: str, arm: str) -> Cell | None:
        """The cell of ``arm`` as seen by ``annotator``: its own runs, else the shared (annotator-free) ones."""
        return self.cells.get((annotator, arm)) or self.cells.get(("", arm))

    @property
    def bases(self) -> list[str]:
        return sorted({r.base for r in self.runs.values()})

    def for_base(self, base: str) -> StudyData:
        """The same study seen through one base model (the prior-strength axis is analysed one base at a time)."""
        runs = {k: r for k, r in self.runs.items() if r.base == base}
        metrics = self.metrics[self.metrics["run_id"].isin(runs)].reset_index(drop=True)
        return StudyData(self.root, self.study, runs, metrics, self.notes, self._records, self._logs)

    def metric_values(self, run_id: str) -> dict[tuple[str, str], float]:
        rows = self._metric_index.get(run_id, {})
        return rows

    @cached_property
    def _metric_index(self) -> dict[str, dict[tuple[str, str], float]]:
        index: dict[str, dict[tuple[str, str], float]] = {}
        for row in self.metrics.itertuples(index=False):
            index.setdefault(row.run_id, {})[(row.probe, row.metric)] = float(row.value)
        return index

    def records(self, run_id: str) -> dict[str, list[dict]]:
        """probe -> per-item records of one run (empty where the run wrote none)."""
        if run_id not in self._records:
            folder = self.root / "runs" / run_id / "probes"
            self._records[run_id] = ({p.stem: read_jsonl(p) for p in sorted(folder.glob("*.jsonl"))}
                                     if folder.is_dir() else {})
        return self._records[run_id]

    def train_log(self, run_id: str) -> list[dict]:
        if run_id not in self._logs:
            path = self.root / "runs" / run_id / "train_log.jsonl"
            self._logs[run_id] = read_jsonl(path) if path.exists() else []
        return self._logs[run_id]


def _stages(config: dict[str, Any], spec: dict[str, Any], path: Path) -> tuple[StageInfo, ...]:
    stages = spec.get("stages", [])
    if not isinstance(stages, list):
        raise InputError.one(path, "must be a list of stages", field="spec.stages")
    kinds = data_kinds(config, path, len(stages))
    out = []
    for i, stage in enumerate(stages):
        where = f"spec.stages[{i}]"
        if not isinstance(stage, dict):
            raise InputError.one(path, "must be an object", field=where)
        method = _typed(stage, "method", str, path, where)
        budget = _typed(stage, "budget", int, path, where)
        settings = stage.get("settings", {})
        epochs = settings.get("epochs", 1.0) if isinstance(settings, dict) else None
        if isinstance(epochs, bool) or not isinstance(epochs, (int, float)):
            raise InputError.one(path, f"must be a number, got {epochs!r}", field=f"{where}.settings.epochs")
        out.append(StageInfo(method, budget, kinds[i] if kinds else registry_kind(method), float(epochs),
                             _pairs(stage.get("pairs"), path, where)))
    return tuple(out)


def _pairs(identity: Any, path: Path, where: str) -> str:
    """A stage's recorded pair source as its arm label writes it; empty for the default (no entry)."""
    from crossover.data.pair_sources import PairSource

    if identity is None:
        return ""
    try:
        source = PairSource(**identity)
    except (AttributeError, TypeError):
        raise InputError.one(path, f"must be a pair source, got {identity!r}", field=f"{where}.pairs") from None
    return ", ".join(f"{k}={v}" for k, v in source.label_parts())


def _typed(table: dict[str, Any], key: str, kind: type, path: Path, where: str) -> Any:
    value = table.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InputError.one(path, f"must be {kind.__name__}, got {value!r}", field=f"{where}.{key}".lstrip("."))
    return value


def _run(folder: Path) -> Run:
    """A finished run from its ``config.json``, every field it is read by checked."""
    path = folder / "config.json"
    config = read_json(path)
    if not isinstance(config, dict):
        raise InputError.one(path, "must be a JSON object")
    spec = _typed(config, "spec", dict, path, "")
    base = spec.get("base", {})
    name = base.get("name", "default") if isinstance(base, dict) else None
    if not isinstance(name, str):
        raise InputError.one(path, f"must be a string, got {name!r}", field="spec.base.name")
    annotator = config.get("annotator_name") or ""
    if not isinstance(annotator, str):
        raise InputError.one(path, f"must be a string, got {annotator!r}", field="annotator_name")
    return Run(folder.name, _typed(spec, "arm", str, path, "spec"), _typed(spec, "seed", int, path, "spec"),
               annotator, _stages(config, spec, path), name)


def load_study_data(root: Path) -> StudyData:
    """Read a study directory (finished runs only); a damaged result file is an ``InputError`` naming it."""
    root = Path(root)
    study = read_json(root / "study.json")
    if not isinstance(study, dict):
        raise InputError.one(root / "study.json", "must be a JSON object")
    runs: dict[str, Run] = {}
    run_dir = root / "runs"
    frames = []
    notes: dict[tuple[str, str], MetricNote] = {}
    for folder in StudyStore(root).finished_runs() if run_dir.is_dir() else []:
        runs[folder.name] = _run(folder)
        frame = pd.DataFrame(metric_rows(folder), columns=METRIC_COLUMNS)
        frames.append(frame)
        recorded = metric_notes(folder)
        notes |= registry_notes(frame) if recorded is None else recorded
    metrics = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=METRIC_COLUMNS)
    metrics["annotator"] = metrics["annotator"].fillna("").astype(str)
    return StudyData(root, study, runs, metrics, notes)
