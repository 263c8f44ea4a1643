"""Run by ``test_launch.py`` under ``accelerate launch``: train ``sft(8)`` in every process, then report, per
process, whether the model ``train_arm`` returned equals the checkpoint the main process saved."""

import json
import os
import sys
from pathlib import Path

import torch

from crossover.data.sources import WorldData
from crossover.methods import METHODS
from crossover.models.checkpoints import load_model, load_tokenizer
from crossover.train.arms import parse_arm
from crossover.train.dynamics import DynamicsSettings
from crossover.train.stages import ArmJob, train_arm
from crossover.world.bases import resolve_base


def main(out: Path) -> None:
    base = resolve_base("default")
    settings = (METHODS["sft"].settings(epochs=1.0, batch_size=4, learning_rate=1e-3),)
    job = ArmJob(parse_arm("sft(8)"), settings, 0, None, base.path, lambda k: out / f"stage{k}",
                 dynamics=DynamicsSettings(prompts=0))
    rank = int(os.environ.get("RANK", "0"))
    model = train_arm(job, load_tokenizer(base.path), WorldData(base.world_seed).source(), out / f"log{rank}.jsonl")
    ids = torch.tensor([[2, 10, 11, 12, 13]])
    with torch.inference_mode():
        returned = model.eval()(input_ids=ids).logits
        saved = load_model(out / "stage1").eval()(input_ids=ids).logits
        start = load_model(base.path).eval()(input_ids=ids).logits
    (out / f"rank{rank}.json").write_text(json.dumps({
        "world_size": int(os.environ.get("WORLD_SIZE", "1")),
        "returned_is_saved": bool(torch.allclose(returned, saved, atol=1e-5)),
        "moved": bool(not torch.allclose(saved, start, atol=1e-4))}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
