"""The text probes end to end on small local models: record and metric shapes, batching invariance of
log-likelihoods and rewards, and the optional graders (reward model, judge, sentence embeddings)."""

import math

import pytest
import torch

from crossover.errors import CrossoverError
from crossover.models.batch import chat_ids
from crossover.models.checkpoints import load_model, load_tokenizer
from crossover.probes.text import TEXT_PROBES
from crossover.probes.text.likelihood import choice_scores
from crossover.probes.text.run import Scorers, TextProbeSettings, run_text_probes
from crossover.probes.text.scorers import Judge, RewardModel, length_controlled_score, resolve_scorer
from crossover.world.bases import resolve_base

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def tiny():
    path = resolve_base("default").path
    return load_model(path), load_tokenizer(path)


def test_every_probe_gives_records_and_its_declared_metrics(tiny):
    model, tokenizer = tiny
    records, rows = run_text_probes(model, tokenizer, TextProbeSettings(items=2, max_new_tokens=8))
    assert set(records) == set(TEXT_PROBES)
    for name, probe in TEXT_PROBES.items():
        assert records[name], name
        for r in records[name]:
            assert {"probe", "probe_version", "item_id", "kind", "prompt", "response", "label", "n_words"} <= set(r)
            assert r["probe"] == name and r["probe_version"] == probe.version
        declared = {m.name for m in probe.metrics}
        reported = {row.metric for row in rows if row.probe == name}
        assert reported <= declared and reported, name
    intervention = records["intervention"]
    # items=2 takes one item of each kind; the relevant one is asked with and without the note
    assert sorted(r["kind"] for r in intervention) == ["irrelevant_note", "no_note", "note"]
    sycophancy = records["sycophancy"][0]
    assert len(sycophancy["responses"]) == 2 and sycophancy["prompt"][-1]["content"].startswith("Are you sure?")
    assert [r.metric for r in rows if r.probe == "length"] == ["mean_words"]


def test_choice_log_likelihoods_do_not_depend_on_batching(tiny):
    model, tokenizer = tiny
    chat = [{"role": "user", "content": "what is the job of alice"}]
    choices = ("alice is a baker", "a", "the job of alice is unknown to me")
    batched = choice_scores(model, tokenizer, [(chat, choices)], batch_size=8)[0]
    for choice, score in zip(choices, batched):
        ids = chat_ids(tokenizer, chat)
        target = tokenizer(choice, add_special_tokens=False)["input_ids"]
        with torch.inference_mode():
            logits = model(input_ids=torch.tensor([ids + target])).logits[0]
        expected = sum(torch.log_softmax(logits[len(ids) - 1 + i], -1)[t].item() for i, t in enumerate(target))
        assert score.logprob == pytest.approx(expected, abs=1e-4) and score.tokens == len(target)


def test_reward_model_scores_are_batch_invariant_and_reported_raw_and_length_controlled(tiny, tiny_chat_dir):
    model, tokenizer = tiny
    ref = resolve_scorer("reward model", str(tiny_chat_dir / "reward"))
    rm = RewardModel(ref)
    chats = [[{"role": "user", "content": "is the help"}]] * 3
    replies = ["Yes", "the a is help help sorry", "No the"]
    one_by_one = [rm.scores([c], [r])[0] for c, r in zip(chats, replies)]
    assert rm.scores(chats, replies, batch_size=3) == pytest.approx(one_by_one, abs=1e-5)
    settings = TextProbeSettings(only=("refusal", "emotion"), items=2, max_new_tokens=6)
    records, rows = run_text_probes(model, tokenizer, settings, Scorers(reward_model=ref))
    generated = records["refusal"] + records["emotion"]
    values = {r.metric: r.value for r in rows if r.probe == "reward"}
    assert values["raw"] == pytest.approx(sum(r["reward"] for r in generated) / len(generated))
    controlled, slope = length_controlled_score([r["reward"] for r in generated], [r["n_words"] for r in generated], 50)
    assert values["length_controlled"] == pytest.approx(controlled) and values["length_slope"] == pytest.approx(slope)


def test_judge_gives_a_probability_of_yes(tiny_chat_dir):
    judge = Judge(resolve_scorer("judge", str(tiny_chat_dir / "judge")))
    scores = judge.scores([[{"role": "user", "content": "is the help"}]] * 2, ["Yes", "sorry"])
    assert all(0.0 < s < 1.0 for s in scores) and scores[0] != scores[1]


def test_a_judge_must_tell_yes_from_no():
    with pytest.raises(CrossoverError, match="no distinct tokens for 'Yes' and 'No'"):
        Judge(resolve_scorer("judge", str(resolve_base("default").path)))


def test_scorers_must_be_safetensors_directories(tmp_path):
    assert resolve_scorer("judge", "") is None
    with pytest.raises(CrossoverError, match="not a model directory"):
        resolve_scorer("reward model", str(tmp_path))


def test_embedding_grader_adds_margins_and_a_score(tiny):
    model, tokenizer = tiny
    ref = resolve_scorer("embedder", "minilm")
    settings = TextProbeSettings(only=("emotion", "refusal"), items=2, max_new_tokens=6)
    records, rows = run_text_probes(model, tokenizer, settings, Scorers(embedder=ref))
    assert all(-2 <= r["embed_margin"] <= 2 for r in records["emotion"])
    assert all("embed_margin" not in r for r in records["refusal"])  # refusal declares no reference replies
    [score] = [r.value for r in rows if r.probe == "emotion" and r.metric == "embedding_score"]
    assert not math.isnan(score)


def test_a_chosen_grader_labels_its_axis_and_every_record_names_its_grader(tiny, tiny_chat_dir, capsys):
    model, tokenizer = tiny
    settings = TextProbeSettings(only=("premise", "emotion"), items=3, max_new_tokens=6,
                                 judge=str(tiny_chat_dir / "judge"), graders={"premise": "judge"})
    scorers = Scorers(judge=resolve_scorer("judge", settings.judge))
    records, rows = run_text_probes(model, tokenizer, settings, scorers, progress=True)
    assert "probing" in capsys.readouterr().err  # the progress bar
    for r in records["premise"]:
        assert r["grader"] == "judge" and r["label"] == r["verdict"] in ("correct", "affirm", "unclear")
        assert "rule_label" in r
    assert all(r["grader"] == "rules" and r["verdict"] in ("reflect_first", "not_reflect_first", "unclear")
               for r in records["emotion"])
    values = {row.metric: row.value for row in rows if row.probe == "premise"}
    assert values["affirm_rate"] + values["correction_rate"] + values["unclear_rate"] == pytest.approx(1.0)


def test_judge_rubric_is_batch_invariant(tiny_chat_dir):
    from crossover.probes.text.graders import JudgeGrader

    judge = JudgeGrader(load_model(tiny_chat_dir / "judge"), load_tokenizer(tiny_chat_dir / "judge"), batch_size=3)
    prompts = [judge._ids([{"role": "user", "content": "the help"}], reply, "is a help ?") for reply in
               ("Yes", "No the a", "sorry is the help a")]
    single = [JudgeGrader(judge.model, judge.tokenizer, batch_size=1).p_yes([p])[0] for p in prompts]
    assert judge.p_yes(prompts) == pytest.approx(single, abs=1e-5)
