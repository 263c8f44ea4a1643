"""Property-based fuzzing of every reader of user-supplied or on-disk input.

Each reader is fed generated input, mostly malformed: study files (TOML text built from generated tables and
values), SFT and preference JSONL, and study directories with one file replaced by garbage. The property: the
reader either returns or raises ``CrossoverError`` (``InputError`` for input files) whose message names the file;
no exception from inside a library escapes. The number of examples per reader is ``EXAMPLES`` below; hypothesis
prints what it generated with ``--hypothesis-show-statistics``.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossover.analysis.load import load_study_data
from crossover.config import StudyConfig, parse_study
from crossover.data.jsonl import read_preference_jsonl, read_sft_jsonl
from crossover.errors import CrossoverError, InputError
from crossover.study.store import StudyStore

EXAMPLES = {"study": 150, "sft": 150, "preference": 150, "run_dir": 150}
"""Examples generated per reader (the counts quoted in the hardening note)."""



def fuzz(reader: str) -> settings:
    """Fixed examples (derandomized: the suite cannot flake), no database, no deadline on a shared machine."""
    return settings(max_examples=EXAMPLES[reader], derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ---- study files -------------------------------------------------------------------------------------------

TABLE_KEYS = {
    "study": ["name", "description", "base", "seeds", "arms", "annotators", "world_seed"],
    "annotator": ["picky", "clean"],
    "method": ["sft", "dpo", "kto", "grpo", "nope"],
    "probes": ["items", "ood_items", "max_new_tokens", "batch_size", "temperature", "judges", "satisfaction", "only",
               "embedder", "reward_model", "judge"],
    "dynamics": ["prompts", "points", "max_new_tokens"],
    "crossover": ["n0", "n", "m", "method"],
    "cost": ["price_sft", "price_pair", "currency", "price_label"],
    "model": ["path", "lora", "lora_r", "lora_alpha", "lora_dropout", "target_modules", "trust_remote_code",
              "chat_template"],
    "data": ["sft", "preference"],
}
WORDS = ["sft(16)", "dpo(16)", "sft(16)>dpo(16, beta=0.1)", "dpo(16, beta=-1)", "sft(0)", "sft(", "x(1)",
         "sft(16, epochs=nan)", "base", "clean", "typical", "default", "weak", "../x", "/etc/passwd", "~", "a\x00b",
         "", " ", "style", "sycophancy", "sigmoid+sft", "dpo(1e9)"]
scalars = (st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats() | st.text(max_size=12)
           | st.sampled_from(WORDS))
keys = st.sampled_from(sorted({k for ks in TABLE_KEYS.values() for k in ks})) | st.text(min_size=1, max_size=6)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=3),
                      max_leaves=8)


@st.composite
def study_tables(draw) -> dict:
    tables = draw(st.lists(st.sampled_from([*TABLE_KEYS, "bogus"]), max_size=5, unique=True))
    doc = {}
    for name in ["study", *tables] if draw(st.booleans()) else tables:
        known = TABLE_KEYS.get(name, ["x"])
        doc[name] = draw(st.dictionaries(st.sampled_from(known) | keys, values, max_size=5))
    return doc


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ("nan" if math.isnan(value) else
                                                         ("inf" if value > 0 else "-inf"))
    if isinstance(value, (int, str)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_text(doc: dict) -> str:
    lines = []
    for table, entries in doc.items():
        lines.append(f"[{json.dumps(table)}]")
        lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in entries.items()]
    return "\n".join(lines) + "\n"


def assert_clear(exc: CrossoverError, path: str) -> None:
    assert str(exc) and path in str(exc), str(exc)
    if isinstance(exc, InputError):
        assert exc.problems and all(p.path.endswith(Path(path).name) for p in exc.problems)


@fuzz("study")
@given(doc=study_tables(), garble=st.none() | st.tuples(st.integers(0, 400), st.text(max_size=6)))
def test_study_files(doc, garble):
    text = toml_text(doc)
    if garble is not None:  # a few characters spliced in: mostly broken TOML
        at, insert = garble
        text = text[:at] + insert + text[at:]
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "study.toml")
        try:
            assert isinstance(parse_study(text, path), StudyConfig)
        except InputError as exc:
            assert_clear(exc, path)
            assert all(p.field or p.line for p in exc.problems), str(exc)


# ---- SFT and preference JSONL -----------------------------------------------------------------------------

ROW_KEYS = ["messages", "prompt", "completion", "chosen", "rejected", "label", "text", "role", "content"]
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
                           | st.sampled_from(["user", "assistant", "system", "", " "]),
                           lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.sampled_from(ROW_KEYS) | st.text(max_size=4), inner, max_size=3),
                           max_leaves=10)
rows = st.dictionaries(st.sampled_from(ROW_KEYS), json_values, max_size=4)
lines = st.lists(rows.map(json.dumps) | st.binary(max_size=12).map(lambda b: b.decode("latin-1"))
                 | st.sampled_from(["", "{", "[]", "null", "\ufeff{}", '{"prompt": "a", "completion": "b"}']),
                 max_size=6)


def _read_jsonl(reader, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.jsonl"
        path.write_bytes(content)
        try:
            data = reader(path)
            assert data.records
        except InputError as exc:
            assert_clear(exc, str(path))
            assert all(p.line for p in exc.problems if "no records" not in p.message and "more problem" not in p.message)


@fuzz("sft")
@given(lines=lines)
def test_sft_jsonl(lines):
    _read_jsonl(read_sft_jsonl, "\n".join(lines).encode("utf-8", "surrogatepass"))


@fuzz("preference")
@given(lines=lines)
def test_preference_jsonl(lines):
    _read_jsonl(read_preference_jsonl, "\n".join(lines).encode("utf-8", "surrogatepass"))


# ---- study directories ------------------------------------------------------------------------------------

RUN_ID = "0123456789ab"
VALID = {
    "study.json": {"schema": 2, "name": "fuzz", "seeds": [0]},
    f"runs/{RUN_ID}/config.json": {"schema": 2, "run_id": RUN_ID, "annotator_name": "",
                                   "spec": {"arm": "sft(16)", "seed": 0, "base": {"name": "default"},
                                            "stages": [{"method": "sft", "budget": 16, "settings": {"epochs": 1}}]},
                                   "data_kinds": ["demonstrations"]},
    f"runs/{RUN_ID}/metrics.json": {"schema": 2, "run_id": RUN_ID, "rows": [
        {"run_id": RUN_ID, "arm": "sft(16)", "seed": 0, "probe": "knowledge", "metric": "accuracy", "value": 0.5,
         "annotator": "", "base": "default"}],
        "metrics": [{"probe": "knowledge", "metric": "accuracy", "higher_is_better": True, "description": "x"}]},
}
JSONL = {f"runs/{RUN_ID}/probes/knowledge.jsonl": [{"item_id": "k-1", "label": "correct", "response": "x"}],
         f"runs/{RUN_ID}/train_log.jsonl": [{"stage": 1, "method": "sft", "step": 1, "loss": 1.0}]}


def _write_study(root: Path) -> None:
    for name, payload in VALID.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(json.dumps(payload))
    for name, rows_ in JSONL.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("".join(json.dumps(r) + "\n" for r in rows_))


@st.composite
def damaged_file(draw) -> tuple[str, bytes]:
    """One file of a valid study directory and what it is replaced by: garbage, other JSON, or the valid JSON
    with one value (anywhere in it) replaced."""
    name = draw(st.sampled_from(sorted([*VALID, *JSONL])))
    original = VALID.get(name) or JSONL[name][0]
    kind = draw(st.sampled_from(["bytes", "json", "edit"]))
    if kind == "bytes":
        return name, draw(st.binary(max_size=40))
    if kind == "json":
        return name, json.dumps(draw(json_values)).encode()
    edited = _replace_somewhere(json.loads(json.dumps(original)), draw)
    return name, json.dumps(edited).encode()


def _replace_somewhere(node, draw):
    if isinstance(node, dict) and node and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(node)))
        if draw(st.booleans()):
            return {k: v for k, v in node.items() if k != key}
        return {**node, key: _replace_somewhere(node[key], draw)}
    if isinstance(node, list) and node and draw(st.booleans()):
        i = draw(st.integers(0, len(node) - 1))
        return [*node[:i], _replace_somewhere(node[i], draw), *node[i + 1:]]
    return draw(json_values)


@fuzz("run_dir")
@given(damage=damaged_file())
def test_study_directories(damage):
    name, content = damage
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        _write_study(root)
        (root / name).write_bytes(content)
        try:
            data = load_study_data(root)
            for run_id in data.runs:
                data.records(run_id), data.train_log(run_id), data.metric_values(run_id)
            data.cells
            StudyStore(root).metrics_frame()
        except CrossoverError as exc:
            assert_clear(exc, name.split("/")[-1])
