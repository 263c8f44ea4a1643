"""Tidy analysis tables on disk: CSV and Parquet side by side, with their schema version and provenance.

``DIR/analysis/<name>.csv`` and ``DIR/analysis/<name>.parquet`` hold the same rows. The Parquet file carries
the schema version and provenance in its key-value metadata; ``DIR/analysis/manifest.json`` lists every table
with its columns, schema version and provenance, for readers of the CSV files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from crossover.study.store import write_json

TABLE_SCHEMA = 2
"""Bumped when a table's columns or their meaning change (2: p-values, q-values, price ranges, head to head)."""

COLUMN_DOCS: dict[str, str] = {
    "arms": "every arm's score and gain over the base per metric, against data cost (the gain curves)",
    "breakeven": "d_pref, d_sft and the breakeven price ratio r* at the study's starting point SFT(n0)",
    "allocations": "each arm with preference data against all-SFT at the same cost",
    "crossover_budget": "the total budget at which the best allocation stops being all-SFT",
    "flags": "failure flags of each preference arm against its parent",
    "bias_flags": "the same flags of each biased annotator's child against the clean annotator's child of the arm",
    "overoptimisation_points": "gold and proxy gains against sqrt(KL to the reference), one row per run",
    "overoptimisation_fits": "Gao et al. (2022) functional forms fitted to those points",
}


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)


def write_tables(folder: Path, tables: dict[str, pd.DataFrame], provenance: dict) -> Path:
    """Write every table as CSV and Parquet under ``folder`` and a manifest; returns the manifest path."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"schema": TABLE_SCHEMA, "provenance": provenance}
    manifest = {"schema": TABLE_SCHEMA, "provenance": provenance, "tables": {}}
    for name, frame in tables.items():
        _atomic(folder / f"{name}.csv", lambda p, f=frame: f.to_csv(p, index=False))
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               b"crossover": json.dumps(meta, default=str).encode()})
        _atomic(folder / f"{name}.parquet", lambda p, t=table: pq.write_table(t, p))
        manifest["tables"][name] = {"csv": f"{name}.csv", "parquet": f"{name}.parquet", "rows": len(frame),
                                    "columns": list(frame.columns), "description": COLUMN_DOCS.get(name, "")}
    path = folder / "manifest.json"
    write_json(path, manifest)
    return path


def frame(rows: list[dict], columns: list[str] | None = None) -> pd.DataFrame:
    """A DataFrame of ``rows`` (an empty one with ``columns`` when there are none)."""
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns or [])


def read_table(root: Path, name: str) -> pd.DataFrame:
    """An analysis table (empty where the analysis wrote none or it has no rows)."""
    parquet, csv = root / "analysis" / f"{name}.parquet", root / "analysis" / f"{name}.csv"
    if parquet.exists():
        frame = pd.read_parquet(parquet)
    elif csv.exists() and csv.stat().st_size > 1:
        frame = pd.read_csv(csv, keep_default_na=False, na_values=[""])
    else:
        return pd.DataFrame()
    if "annotator" in frame.columns:
        frame["annotator"] = frame["annotator"].fillna("").astype(str)
    return frame
