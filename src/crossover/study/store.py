"""The results store: one directory per study, one sub-directory per finished run, written atomically.

Layout (the results contract other tools rely on)::

    DIR/study.json                  the resolved study settings and its run ids (``runs``)
    DIR/runs/<run_id>/config.json   resolved spec, each stage's data kind, provenance
    DIR/runs/<run_id>/train_log.jsonl
    DIR/runs/<run_id>/probes/<probe>.jsonl   per-item records
    DIR/runs/<run_id>/metrics.json  tidy metric rows, and each metric's better direction and meaning
    DIR/checkpoints/<training_key>/ model after a stage prefix, shared by every run that starts with it
    DIR/reference_logps/<training_key>/<rows>.safetensors   that model's reference log-probs on a set of pairs
    DIR/metrics.csv                 tidy: run_id, arm, seed, probe, metric, value (+ annotator, base)
    DIR/summary.json

A run directory appears only by renaming a complete temporary directory, so a killed study never leaves a run
that looks finished; temporary directories are swept when the study resumes.

A directory explains itself: what the analysis needs to know about a run beyond its numbers (which way each metric
is better, what kind of data each stage's budget counts) is written with the run, so re-analysing it does not
depend on the registries of whatever crossover version is installed then.
"""

from __future__ import annotations

import json
import os
import shutil
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from crossover.data.records import DataKind
from crossover.errors import CrossoverError, InputError

DATA_KINDS: tuple[DataKind, ...] = typing.get_args(DataKind)

RESULT_SCHEMA = 2
"""Version of the run and study files. 2: ``metrics.json`` carries ``metrics`` (each metric's better direction and
description), ``config.json`` carries ``data_kinds`` (one per stage), provenance carries ``git_dirty``. Schema-1
directories are still read: the installed registries fill in what they lack."""
METRIC_COLUMNS = ["run_id", "arm", "seed", "probe", "metric", "value", "annotator", "base"]


def write_json(path: Path, payload: Any) -> None:
    """Write JSON to ``path`` through a temporary file and a rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n")
    os.replace(tmp, path)


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with open(path, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row, default=str) + "\n")


def read_json(path: Path) -> Any:
    """A JSON result file; one that cannot be read or parsed is an ``InputError`` naming it."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.one(path, f"cannot read this result file ({exc})") from None
    except json.JSONDecodeError as exc:
        raise InputError.one(path, f"not valid JSON ({exc.msg})", line=exc.lineno) from None


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSONL result file, one per non-blank line; a bad line is an ``InputError``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.one(path, f"cannot read this result file ({exc})") from None
    rows = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError.one(path, f"not valid JSON ({exc.msg})", line=number) from None
        if not isinstance(row, dict):
            raise InputError.one(path, "must be a JSON object", line=number)
        rows.append(row)
    return rows


def metric_rows(run_dir: Path) -> list[dict[str, Any]]:
    """The tidy metric rows of a finished run's ``metrics.json``, each checked to hold every metric column."""
    path = run_dir / "metrics.json"
    payload = read_json(path)
    rows = payload.get("rows") if isinstance(payload, dict) else None
    if not isinstance(rows, list):
        raise InputError.one(path, "must be an object with a list of metric rows", field="rows")
    for i, row in enumerate(rows):
        missing = [c for c in METRIC_COLUMNS if not isinstance(row, dict) or c not in row]
        if missing:
            raise InputError.one(path, f"missing {', '.join(missing)}", field=f"rows[{i}]")
        value = row["value"]
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise InputError.one(path, f"must be a number, got {value!r}", field=f"rows[{i}].value")
    return rows


@dataclass(frozen=True)
class MetricNote:
    """What a reported metric means, as recorded with the run that reported it."""

    higher_is_better: bool | None
    """None for a metric with no better direction (reply length)."""
    description: str = ""


def metric_notes(run_dir: Path) -> dict[tuple[str, str], MetricNote] | None:
    """(probe, metric) -> MetricNote from a finished run's ``metrics.json``; None for a schema-1 run, which
    recorded none."""
    path = run_dir / "metrics.json"
    payload = read_json(path)
    if not isinstance(payload, dict) or payload.get("schema", 1) == 1:
        return None
    notes = payload.get("metrics")
    if not isinstance(notes, list):
        raise InputError.one(path, "must be a list of metric descriptions", field="metrics")
    out = {}
    for i, note in enumerate(notes):
        where = f"metrics[{i}]"
        if not isinstance(note, dict) or not all(isinstance(note.get(k), str) for k in ("probe", "metric")):
            raise InputError.one(path, "must be an object with a probe and a metric name", field=where)
        better = note.get("higher_is_better")
        if not (better is None or isinstance(better, bool)):
            raise InputError.one(path, f"must be true, false or null, got {better!r}",
                                 field=f"{where}.higher_is_better")
        out[(note["probe"], note["metric"])] = MetricNote(better, str(note.get("description") or ""))
    return out


def data_kinds(config: dict[str, Any], path: Path, stages: int) -> list[str] | None:
    """Each stage's data kind from a run's ``config.json`` (read as ``config``); None for a schema-1 run."""
    if config.get("schema", 1) == 1:
        return None
    kinds = config.get("data_kinds")
    if not isinstance(kinds, list) or len(kinds) != stages or not all(k in DATA_KINDS for k in kinds):
        raise InputError.one(path, f"must list one data kind per stage ({stages}), each one of "
                                   f"{', '.join(DATA_KINDS)}; got {kinds!r}", field="data_kinds")
    return kinds


def superseded_runs(root: Path, run_dirs: list[Path]) -> frozenset[str]:
    """Finished runs that repeat an arm, seed, annotator and base of the study as ``study.json`` now defines it.

    A directory resumed with an edited study (another probe setting, judge or method setting) keeps the runs of the
    earlier configuration, whose ids no longer match, beside the new ones: counting both would count a seed twice.
    The study's own run (``study.json``'s ``runs``) is kept and the others are left out of its results; where
    the study does not own exactly one of them the directory is ambiguous and that is an error. Runs that repeat
    nothing (seeds or arms added by another study file with the same settings) stay in.
    """
    members = _study_runs(root)
    groups: dict[tuple[Any, ...], list[str]] = {}
    for folder in run_dirs:
        try:
            config = json.loads((folder / "config.json").read_text())
            spec = config["spec"]
            base = spec.get("base", {}).get("name", "default")
            key = (base, spec["arm"], spec["seed"], config.get("annotator_name") or "")
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue  # the loader names the damaged file
        if not all(isinstance(k, t) for k, t in zip(key, (str, str, int, str))):
            continue  # likewise
        groups.setdefault(key, []).append(folder.name)
    gone: set[str] = set()
    for (base, arm, seed, annotator), ids in groups.items():
        if len(ids) < 2:
            continue
        kept = [i for i in ids if members is not None and i in members]
        if len(kept) != 1:
            who = f"{arm}, seed {seed}{', ' + annotator if annotator else ''}, base {base}"
            raise CrossoverError(f"{Path(root) / 'runs'}: runs {', '.join(sorted(ids))} are all {who} under different "
                                 "settings (probes, judges or methods), and study.json names none of them as the "
                                 "study's: rerun the study that should own them (`crossover run --study FILE --out "
                                 f"{root}`), or move the others out")
        gone |= set(ids) - set(kept)
    return frozenset(gone)


def _study_runs(root: Path) -> frozenset[str] | None:
    try:
        runs = json.loads((Path(root) / "study.json").read_text()).get("runs")
    except (OSError, ValueError, AttributeError):
        return None
    return frozenset(runs) if isinstance(runs, list) else None


class StudyStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.runs = self.root / "runs"
        self.checkpoints = self.root / "checkpoints"
        self.reference_logps = self.root / "reference_logps"

    def prepare(self) -> None:
        """Create the layout and sweep temporary directories left by a killed study."""
        for d in (self.runs, self.checkpoints):
            try:
                d.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CrossoverError(f"{self.root}: cannot create the study directory ({exc.strerror})") from None
            for stale in d.glob(".tmp-*"):
                shutil.rmtree(stale, ignore_errors=True)

    def finished(self, run_id: str) -> bool:
        return (self.runs / run_id / "metrics.json").exists()

    def begin_run(self, run_id: str) -> Path:
        tmp = self.runs / f".tmp-{run_id}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        (tmp / "probes").mkdir(parents=True)
        return tmp

    def commit_run(self, tmp: Path, run_id: str) -> Path:
        target = self.runs / run_id
        if target.exists():  # finished meanwhile by another worker: keep the first
            shutil.rmtree(tmp)
        else:
            os.rename(tmp, target)
        return target

    def checkpoint(self, key: str) -> Path:
        return self.checkpoints / key

    def reference_cache(self, key: str) -> Path:
        """Reference log-probs of the model with training key ``key``, one file per set of pairs."""
        return self.reference_logps / key

    def _finished(self) -> list[Path]:
        return sorted(p for p in self.runs.iterdir() if not p.name.startswith(".") and (p / "metrics.json").exists())

    def superseded(self) -> frozenset[str]:
        """Ids of finished runs left out of the study's results (``superseded_runs``)."""
        return superseded_runs(self.root, self._finished())

    def finished_runs(self) -> list[Path]:
        """The finished runs the study's results are made of: every one in the directory but the superseded."""
        gone = self.superseded()
        return [p for p in self._finished() if p.name not in gone]

    def metrics_frame(self) -> pd.DataFrame:
        rows = []
        for run_dir in self.finished_runs():
            rows += metric_rows(run_dir)
        return pd.DataFrame(rows, columns=METRIC_COLUMNS)

    def write_metrics_table(self) -> Path:
        path = self.root / "metrics.csv"
        tmp = path.with_name(".metrics.csv.tmp")
        self.metrics_frame().to_csv(tmp, index=False)
        os.replace(tmp, path)
        return path

    def records(self, run_id: str, probe: str) -> list[dict[str, Any]]:
        return read_jsonl(self.runs / run_id / "probes" / f"{probe}.jsonl")

    def config(self, run_id: str) -> dict[str, Any]:
        return read_json(self.runs / run_id / "config.json")
