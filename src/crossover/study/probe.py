"""Probe models trained anywhere into the results contract: ``crossover probe MODEL [MODEL ...] --out DIR``.

Each model becomes one run (arm = the model's label, seed 0, no annotator) in a study-like directory, with the
same ``metrics.csv``, ``runs/<run_id>/config.json`` and per-item ``probes/*.jsonl`` as a study, so
``crossover report DIR`` and any table tool read it alike. The run id hashes the model's files, the model options
and the probe suite, so probing the same checkpoint again is skipped and a changed checkpoint is probed anew.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from crossover.models.checkpoints import load_model, load_tokenizer
from crossover.models.options import ModelOptions
from crossover.models.ref import HFModelRef, resolve_model
from crossover.probes.suites import TextSuite
from crossover.provenance import provenance
from crossover.study.execute import quiet_libraries, write_probe_results
from crossover.study.spec import SPEC_SCHEMA, content_hash
from crossover.study.store import RESULT_SCHEMA, StudyStore, write_json


@dataclass(frozen=True)
class ProbeOutcome:
    root: Path
    run_ids: dict[str, str]
    """label -> run id"""
    skipped: int
    seconds: float


def labels_for(refs: list[HFModelRef]) -> list[str]:
    """Each model's name, made unique by its source's parent directory (then a counter) where names repeat."""
    names = [r.name for r in refs]
    labels = [f"{Path(r.source).parent.name}/{r.name}" if names.count(r.name) > 1 else r.name for r in refs]
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):
        seen[label] = seen.get(label, 0) + 1
        labels[i] = label if seen[label] == 1 else f"{label}#{seen[label]}"
    return labels


def probe_run_id(ref: HFModelRef, options: ModelOptions, suite: TextSuite) -> str:
    return content_hash({"schema": SPEC_SCHEMA, "model": ref.identity(), **options.identity(),
                         "probes": suite.identity()})


def probe_models(models: list[str], suite: TextSuite, root: Path, *, options: ModelOptions = ModelOptions(),
                 log: Callable[[str], None] = print) -> ProbeOutcome:
    """Probe every model into ``root``; every model is resolved (and checked) before any is probed."""
    started = time.time()
    refs = [resolve_model(m, trust_remote_code=options.trust_remote_code) for m in models]
    labels = labels_for(refs)
    store = StudyStore(root)
    store.prepare()
    write_json(root / "study.json", {
        "schema": RESULT_SCHEMA, "name": root.name, "description": "crossover probe", "source": "crossover probe",
        "kind": "probe", "bases": [r.describe() for r in refs],
        "seeds": [0], "arms": labels, "annotators": [], "methods": {}, "probes": suite.describe(),
        "model_options": asdict(options), "crossover": None, "provenance": provenance()})
    run_ids, skipped = {}, 0
    quiet_libraries()
    for ref, label in zip(refs, labels):
        run_id = probe_run_id(ref, options, suite)
        run_ids[label] = run_id
        if store.finished(run_id):
            skipped += 1
            log(f"{label}: already probed ({run_id})")
            continue
        log(f"{label}: probing {ref.path}")
        _probe_one(store, run_id, ref, label, options, suite)
    store.write_metrics_table()
    return ProbeOutcome(root, run_ids, skipped, time.time() - started)


def _probe_one(store: StudyStore, run_id: str, ref: HFModelRef, label: str, options: ModelOptions,
               suite: TextSuite) -> None:
    started = time.time()
    tmp = store.begin_run(run_id)
    write_json(tmp / "config.json", {
        "schema": RESULT_SCHEMA, "run_id": run_id, "study": store.root.name, "annotator_name": "",
        "spec": {"schema": SPEC_SCHEMA, "base": ref.describe(), **options.identity(), "seed": 0, "annotator": None,
                 "stages": [], "arm": label, "probes": suite.identity()}, "data_kinds": [],
        "provenance": provenance()})
    model = load_model(ref.path, options.trust_remote_code)
    tokenizer = load_tokenizer(ref.path, options.trust_remote_code, options.chat_template)
    records, rows = suite.run(model, tokenizer)
    write_probe_results(tmp, run_id, label, 0, "", ref.name, records, rows, started)
    store.commit_run(tmp, run_id)
