"""Provenance: where every number on the page came from, as plain tables.

From ``study.json`` (the resolved study settings with the packages, git commit and machine that ran it),
``summary.json`` (the analysis's own provenance and prices) and each run's ``config.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class InfoTable:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    note: str = ""


def _value(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return "" if value is None else str(value)


def key_values(title: str, mapping: dict[str, Any] | None, note: str = "") -> InfoTable:
    rows = tuple((k, _value(v)) for k, v in (mapping or {}).items())
    return InfoTable(title, ("setting", "value"), rows, note if rows else note or "not recorded")


def records_table(title: str, records: list[dict[str, Any]], note: str = "") -> InfoTable:
    """Rows of dicts as one table, columns in order of first appearance."""
    columns = list(dict.fromkeys(k for r in records for k in r))
    return InfoTable(title, tuple(columns), tuple(tuple(_value(r.get(c)) for c in columns) for r in records),
                     note if records else note or "not recorded")


def study_table(study: dict, summary: dict, finished: int) -> InfoTable:
    return key_values("Study", {
        "name": study.get("name"), "description": study.get("description"),
        "study file": study.get("source", "not recorded"), "seeds": study.get("seeds"),
        "arms": ", ".join(study.get("arms", [])), "finished runs": finished,
        "crossover point": study.get("crossover"), "prices": summary.get("cost"),
        "bootstrap": {k: v for k, v in (summary.get("bootstrap") or {}).items() if k != "method"},
    })


def code_table(study: dict, summary: dict, drawn_with: dict[str, str]) -> InfoTable:
    ran, analysed = study.get("provenance") or {}, summary.get("provenance") or {}
    machine = ran.get("machine") or {}
    return key_values("Code and machine", {
        "git commit (study)": commit_words(ran),
        "git commit (analysis)": commit_words(analysed),
        **{f"machine: {k}": v for k, v in machine.items()},
        "report drawn with": ", ".join(f"{k} {v}" for k, v in drawn_with.items()),
    })


def commit_words(provenance: dict) -> str:
    """The commit a result came from, marked where the code had uncommitted changes (``git_dirty``, recorded from
    result schema 2 on; older results say nothing about it)."""
    commit = provenance.get("git_commit") or "not recorded"
    dirty = provenance.get("git_dirty")
    return commit + (" + uncommitted changes" if dirty is True else "")


def packages_table(study: dict, summary: dict) -> InfoTable:
    ran = (study.get("provenance") or {}).get("packages") or {}
    analysed = (summary.get("provenance") or {}).get("packages") or {}
    names = list(dict.fromkeys([*ran, *analysed]))
    return InfoTable("Package versions", ("package", "study runs", "analysis"),
                     tuple((n, ran.get(n, ""), analysed.get(n, "")) for n in names),
                     "" if names else "not recorded")


def world_tables(study: dict, world: dict | None) -> list[InfoTable]:
    bases = records_table("Base models (the prior-strength axis)", study.get("bases") or [])
    families = key_values("World: task families in the training data (relative weights)",
                          (world or {}).get("families"), f"world seed {(world or {}).get('seed', 'not recorded')}")
    return [bases, families]


def annotator_tables(study: dict) -> list[InfoTable]:
    probes = study.get("probes") or {}
    return [records_table("Annotators (label the preference pairs)", study.get("annotators") or []),
            records_table("Proxy judges (score the eval probe)", probes.get("judges") or []),
            key_values("Probes", {k: v for k, v in probes.items() if k != "judges"}),
            records_table("Method settings", [{"method": m, **s} for m, s in (study.get("methods") or {}).items()])]


def runs_table(runs: pd.DataFrame, commits: dict[str, str]) -> InfoTable:
    rows = tuple((r.run_id, r.arm, r.seed, r.annotator, r.base, commits.get(r.run_id, ""))
                 for r in runs.sort_values(["base", "annotator", "arm", "seed"]).itertuples(index=False))
    return InfoTable("Runs", ("run id", "arm", "seed", "annotator", "base", "git commit"), rows,
                     "each run's directory is runs/<run id>/ (config.json, train_log.jsonl, probes/*.jsonl)")
