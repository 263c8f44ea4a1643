"""Sampled pair sources in training: an on-policy stage labels its starting model's own samples, iterative rounds
sample again from the model the round before left, and KTO learns from the same samples split in two."""

import dataclasses
import json

import pytest
import torch

import crossover.train.stages as stages
from crossover.data.sources import WorldSource
from crossover.errors import CrossoverError
from crossover.methods import METHODS
from crossover.models.generation import generate
from crossover.train.arms import parse_arm
from crossover.models.checkpoints import load_model, load_tokenizer
from crossover.train.stages import ArmJob, train_arm
from crossover.world.annotator import PRESETS
from crossover.world.bases import resolve_base
from crossover.world.knowledge import build_knowledge_base

pytestmark = pytest.mark.usefixtures("one_thread")
PROBE_IDS = torch.tensor([[2, 10, 11, 12, 13]])


def logits(model):
    with torch.inference_mode():
        return model.eval()(input_ids=PROBE_IDS).logits


@pytest.fixture(scope="module")
def base():
    """The chatty prior: it already answers in the chat format, so its k samples of a prompt rarely tie and every
    round samples all its prompts in one call. The default base, which has never chatted, ties often and may need
    a further call per round to replace the prompts it drops, which would blur the rounds these tests tell apart."""
    return resolve_base("chatty")


def test_seeded_sampling_does_not_depend_on_the_batch(base, kb):
    model, tokenizer = load_model(base.path), load_tokenizer(base.path)
    chats = WorldSource(kb).watch_prompts(6)
    seeds = [11, 12, 13, 14, 15, 16]
    together = generate(model, tokenizer, chats, max_new_tokens=12, temperature=1.0, keys=seeds, batch_size=64)
    alone = generate(model, tokenizer, chats, max_new_tokens=12, temperature=1.0, keys=seeds, batch_size=1)
    assert together == alone
    assert generate(model, tokenizer, chats, max_new_tokens=12, temperature=1.0, keys=[s + 1 for s in seeds]) != alone


def run(tmp_path, monkeypatch, base, arm_text, method):
    """Train ``arm_text`` from the base, recording every sampling call (the model's logits then, its replies) and
    the rows each trainer got."""
    sampled, trained = [], []

    def recording_generate(model, tokenizer, chats, **kwargs):
        replies = generate(model, tokenizer, chats, **kwargs)
        sampled.append((logits(model), chats, replies))
        return replies

    spec = METHODS[method]

    def recording_build(inputs):
        trained.append(inputs.rows)
        return spec.build_trainer(inputs)

    monkeypatch.setattr(stages, "generate", recording_generate)
    monkeypatch.setitem(METHODS, method, dataclasses.replace(spec, build_trainer=recording_build))
    arm = parse_arm(arm_text)
    settings = (spec.settings(epochs=1.0, batch_size=4, learning_rate=5e-3),)
    job = ArmJob(arm, settings, 0, PRESETS["clean"], base.path, lambda k: tmp_path / f"stage{k}")
    model = train_arm(job, load_tokenizer(base.path), WorldSource(build_knowledge_base(base.world_seed)),
                      tmp_path / "log.jsonl")
    log = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    return model, sampled, trained, log


def test_iterative_on_policy_dpo_samples_its_starting_model_then_its_own_update(tmp_path, monkeypatch, base):
    model, sampled, trained, log = run(tmp_path, monkeypatch, base, "dpo(8, pairs=onpolicy, rounds=2)", "dpo")
    start = logits(load_model(base.path))
    assert len(sampled) == 2 and [len(rows) for rows in trained] == [4, 4]
    assert torch.allclose(sampled[0][0], start)  # round 1 samples the stage's starting model
    assert not torch.allclose(sampled[1][0], start, atol=1e-4)  # round 2 the model round 1 trained
    for (_, chats, replies), rows in zip(sampled, trained, strict=True):
        k = 4
        for row in rows:  # every pair is two of that prompt's own samples
            q = next(i for i in range(0, len(chats), k) if chats[i] == row["prompt"])
            assert {row["chosen"][0]["content"], row["rejected"][0]["content"]} <= set(replies[q:q + k])
    candidates = WorldSource(build_knowledge_base(base.world_seed)).rows("pairs", 4, 0, PRESETS["clean"])
    assert [r["chosen"] for r in candidates] != [r["chosen"] for r in trained[0]]
    events = [r for r in log if r.get("event") == "pair_source"]
    assert [e["round"] for e in events] == [1, 2] and events[1]["step"] > 0
    steps = [r["step"] for r in log if "loss" in r]
    assert steps == sorted(steps) and len(set(steps)) == len(steps)  # the second round keeps counting
    assert (tmp_path / "stage1" / "model.safetensors").exists()
    assert not torch.allclose(logits(model), start, atol=1e-4)


def test_kto_learns_from_on_policy_samples_split_in_two(tmp_path, monkeypatch, base):
    model, sampled, trained, _ = run(tmp_path, monkeypatch, base, "kto(8, pairs=onpolicy)", "kto")
    assert len(sampled) == 1 and [r["label"] for r in trained[0]] == [True, False] * 4
    replies = set(sampled[0][2])
    assert all(r["completion"][0]["content"] in replies for r in trained[0])
    assert not torch.allclose(logits(model), logits(load_model(base.path)), atol=1e-4)


def test_on_policy_pairs_on_user_data_are_refused_before_training(tmp_path, base):
    from crossover.data.user import UserData

    (tmp_path / "pairs.jsonl").write_text(json.dumps({"prompt": "hi", "chosen": "hello", "rejected": "no"}) + "\n")
    data = UserData.read(None, tmp_path / "pairs.jsonl")
    job = ArmJob(parse_arm("dpo(1, pairs=onpolicy)"), (METHODS["dpo"].settings(),), 0, data.labels(), base.path,
                 lambda k: tmp_path / f"stage{k}")
    with pytest.raises(CrossoverError, match="needs the wind tunnel's annotator"):
        train_arm(job, load_tokenizer(base.path), data.source(), tmp_path / "log.jsonl")
    assert not (tmp_path / "stage1").exists()
