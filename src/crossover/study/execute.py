"""One run of a study, executed where it is sent: trained stage by stage, probed, and committed to the store.

The same function serves every executor (``runner.py``'s worker processes, ``launch.py``'s ``accelerate launch``,
``ray_executor.py``'s tasks), so it lives below them all and imports none of them.
"""

from __future__ import annotations

import os
import tempfile
import time
import warnings
from pathlib import Path

from crossover.methods import METHODS
from crossover.models.checkpoints import load_tokenizer
from crossover.probes import describe
from crossover.probes.base import Records
from crossover.probes.run import MetricRow
from crossover.provenance import provenance
from crossover.study.spec import RunSpec
from crossover.study.store import RESULT_SCHEMA, StudyStore, write_json, write_jsonl
from crossover.train.stages import ArmJob, train_arm
from crossover.train.tracking import RunTracking, run_label


def quiet_libraries() -> None:
    """Silence per-step chatter of datasets/transformers/TRL; the study shows one progress bar of its own."""
    import datasets
    import transformers

    datasets.disable_progress_bars()
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    os.environ["TQDM_DISABLE"] = "1"  # TRL's reference log-prob pass reads this
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)


def execute_run(spec: RunSpec, root: Path, study_name: str) -> str:
    """Train and probe one run into ``root/runs/<run_id>``; returns the run id. Safe to call in a worker."""
    quiet_libraries()
    store = StudyStore(root)
    if store.finished(spec.run_id):
        return spec.run_id
    started = time.time()
    if not is_main_process():  # a further process of `accelerate launch`: trains its share, writes nothing
        with tempfile.TemporaryDirectory(prefix="crossover-rank-") as scratch:
            train_arm(_arm_job(spec, store), _tokenizer(spec), spec.data.source(), Path(scratch) / "train_log.jsonl")
        return spec.run_id
    tmp = store.begin_run(spec.run_id)
    config = {"schema": RESULT_SCHEMA, "run_id": spec.run_id, "study": study_name, "spec": spec.resolved(),
              "data_kinds": [METHODS[stage.method].data for stage in spec.arm.stages],
              "annotator_name": spec.annotator_name, "provenance": provenance()}
    write_json(tmp / "config.json", config)
    tokenizer = _tokenizer(spec)
    model = train_arm(_arm_job(spec, store), tokenizer, spec.data.source(), tmp / "train_log.jsonl")
    records, rows = spec.probes.run(model, tokenizer, seed=spec.seed)
    write_probe_results(tmp, spec.run_id, spec.arm.label, spec.seed, spec.annotator_name, spec.base.name, records,
                        rows, started)
    store.commit_run(tmp, spec.run_id)
    return spec.run_id


def is_main_process() -> bool:
    """False only in the second and later processes of a distributed launch (accelerate sets RANK there)."""
    return int(os.environ.get("RANK", "0")) == 0


def _tokenizer(spec: RunSpec):
    return load_tokenizer(spec.base.path, spec.options.trust_remote_code, spec.options.chat_template)


def _arm_job(spec: RunSpec, store: StudyStore) -> ArmJob:
    return ArmJob(spec.arm, spec.settings, spec.seed, spec.annotator, spec.base.path,
                  lambda k: store.checkpoint(spec.training_key(k)), spec.options, spec.dynamics,
                  lambda k: store.reference_cache(spec.training_key(k)),
                  RunTracking(spec.report_to, spec.run_id, run_label(spec.arm.label, spec.seed, spec.annotator_name,
                                                                     spec.run_id)))


def write_probe_results(run_dir: Path, run_id: str, arm: str, seed: int, annotator: str, base: str,
                        records: dict[str, Records], rows: list[MetricRow], started: float) -> None:
    """Per-item records to ``probes/<probe>.jsonl`` and the tidy metric rows to ``metrics.json``."""
    for probe, probe_records in records.items():
        write_jsonl(run_dir / "probes" / f"{probe}.jsonl", probe_records)
    metric_rows = [{"run_id": run_id, "arm": arm, "seed": seed, "probe": r.probe, "metric": r.metric,
                    "value": r.value, "annotator": annotator, "base": base} for r in rows]
    write_json(run_dir / "metrics.json", {"schema": RESULT_SCHEMA, "run_id": run_id, "rows": metric_rows,
                                          "metrics": metric_notes(rows),
                                          "seconds": round(time.time() - started, 2)})


def metric_notes(rows: list[MetricRow]) -> list[dict]:
    """Each reported metric's better direction and meaning, as the probes that computed it define them, so the
    analysis reads them from the run rather than from whichever probe registry is installed when it runs."""
    out = []
    for probe, metric in dict.fromkeys((r.probe, r.metric) for r in rows):
        info = describe(probe, metric)
        out.append({"probe": probe, "metric": metric, "higher_is_better": info.higher_is_better if info else None,
                    "description": info.description if info else ""})
    return out
