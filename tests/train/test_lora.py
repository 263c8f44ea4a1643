"""Arms on the user's data with LoRA and with full fine-tuning: adapters saved per stage and merged in order,
and each preference stage's reference is the model it starts from (its SFT parent)."""

import json

import pytest
import torch

from crossover.data.user import UserData
from crossover.methods import METHODS
from crossover.models.checkpoints import load_model, load_tokenizer
from crossover.models.options import LoraSettings, ModelOptions
from crossover.models.ref import resolve_model
from crossover.train.arms import parse_arm
from crossover.train.stages import ArmJob, _load_prefix, train_arm
from crossover.world.bases import resolve_base

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("lora-data")
    (root / "sft.jsonl").write_text("".join(json.dumps(
        {"prompt": f"what is the job of person {i}", "completion": f"person {i} is a baker"}) + "\n" for i in range(8)))
    (root / "pairs.jsonl").write_text("".join(json.dumps(
        {"prompt": f"where does person {i} live", "chosen": f"person {i} lives in a town",
         "rejected": "i do not know"}) + "\n" for i in range(8)))
    return UserData.read(root / "sft.jsonl", root / "pairs.jsonl")


def train(tmp_path, data, options):
    base = resolve_base("default").path
    arm = parse_arm("sft(8)>dpo(8)")
    settings = (METHODS["sft"].settings(epochs=1.0, batch_size=4, learning_rate=5e-3),
                METHODS["dpo"].settings(epochs=1.0, batch_size=4, learning_rate=5e-3))
    job = ArmJob(arm, settings, 0, data.labels(), base, lambda k: tmp_path / f"stage{k}", options)
    model = train_arm(job, load_tokenizer(base), data.source(), tmp_path / "log.jsonl")
    log = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    return job, model, log


def logits(model, ids=torch.tensor([[2, 10, 11, 12, 13]])):
    with torch.inference_mode():
        return model.eval()(input_ids=ids).logits


def first_dpo_step(log):
    return next(row for row in log if row.get("method") == "dpo" and "rewards/chosen" in row)


@pytest.mark.filterwarnings("ignore:Could not find a config file")  # PEFT, about a parent that is an adapter
def test_lora_stages_save_adapters_and_replay_their_merges(tmp_path, data, monkeypatch):
    monkeypatch.setenv("CROSSOVER_CACHE", str(tmp_path / "cache"))
    job, model, log = train(tmp_path, data, ModelOptions(lora=LoraSettings(r=4, alpha=8, dropout=0.0)))
    for k in (1, 2):
        assert (tmp_path / f"stage{k}" / "adapter_model.safetensors").exists()
        assert not (tmp_path / f"stage{k}" / "model.safetensors").exists()
    base = load_model(resolve_base("default").path)
    assert not torch.allclose(logits(model), logits(base), atol=1e-4)  # the weights moved
    assert torch.allclose(logits(_load_prefix(job, 2)), logits(model), atol=1e-4)  # reloading replays the merges
    assert not torch.allclose(logits(_load_prefix(job, 1)), logits(model), atol=1e-4)
    # Each adapter names its parent, so the last checkpoint alone rebuilds the arm's model (as `crossover probe` does).
    assert json.loads((tmp_path / "stage2" / "adapter_config.json").read_text())["base_model_name_or_path"] == str(
        (tmp_path / "stage1").resolve())
    assert torch.allclose(logits(load_model(resolve_model(str(tmp_path / "stage2")).path)), logits(model), atol=1e-4)
    # A fresh adapter starts equal to the merged SFT parent, which is the reference: implicit rewards start at 0.
    step = first_dpo_step(log)
    assert step["rewards/chosen"] == pytest.approx(0.0, abs=1e-4) and step["rewards/rejected"] == pytest.approx(0.0,
                                                                                                             abs=1e-4)


def test_full_fine_tuning_reference_is_the_sft_parent(tmp_path, data):
    _, model, log = train(tmp_path, data, ModelOptions())
    assert (tmp_path / "stage2" / "model.safetensors").exists()
    step = first_dpo_step(log)
    assert step["rewards/chosen"] == pytest.approx(0.0, abs=1e-4)
    assert any(row.get("method") == "sft" and "loss" in row for row in log)
