"""The intervention-consistency trainer on hand-made rows: a partner's note, and the same question without it."""

import dataclasses
import json
import math

import pytest
import torch

from crossover.methods import METHODS, StageInputs
from crossover.methods.icr import intervention_consistency, reply_distributions
from crossover.models.checkpoints import load_model, load_tokenizer
from crossover.train.callbacks import JsonlLog
from crossover.world.bases import resolve_base
from crossover.world.knowledge import ATTRIBUTES


def note_rows(kb, n):
    """n pairs whose prompt carries a note that changes the answer (with its counterfactual) and n plain pairs."""
    rows = []
    for i, person in enumerate(kb.known("train")[:n]):
        attr = sorted(ATTRIBUTES)[i % len(ATTRIBUTES)]
        old = person.fact(attr)
        new = next(v for v in ATTRIBUTES[attr] if v != old)
        # Words the shipped base knows: a claim about the attribute, then the plain question.
        question = f"what is the {attr} of {person.name} ?"
        note = f"hmm , i read that the {attr} of {person.name} is {new} . {question}"
        reply = lambda value: [{"role": "assistant", "content": f"the {attr} of {person.name} is {value} ."}]  # noqa
        rows.append({"prompt": [{"role": "user", "content": note}], "chosen": reply(new), "rejected": reply(old),
                     "counterfactual_prompt": [{"role": "user", "content": question}]})
        rows.append({"prompt": [{"role": "user", "content": question}], "chosen": reply(old), "rejected": reply(new)})
    return rows


def train_icr(rows, lam, tmp_path):
    base = resolve_base("default")
    settings = dataclasses.replace(METHODS["icr"].settings(), lam=lam, epochs=3.0, batch_size=8, learning_rate=1e-3)
    log = tmp_path / f"log-{lam}.jsonl"
    inputs = StageInputs(model=load_model(base.path), reference=load_model(base.path),
                         tokenizer=load_tokenizer(base.path), rows=rows, settings=settings,
                         output_dir=tmp_path / f"icr-{lam}", seed=0, callbacks=[JsonlLog(log, 1, "icr")])
    trainer = METHODS["icr"].build_trainer(inputs)
    trainer.train()
    return trainer, [json.loads(line) for line in log.read_text().splitlines()]


def consistency_on_notes(trainer):
    """Mean summed KL(pi(.|note) || pi(.|no note)) over the chosen replies of the rows with a note."""
    rows = [r for r in trainer.train_dataset if r["cf_prompt_ids"]]
    batch = trainer.data_collator(rows)
    model = trainer.model.eval()
    with torch.no_grad():
        factual, mask = reply_distributions(model, batch["input_ids"], batch["attention_mask"], batch["completion_mask"])
        cf, cf_mask = reply_distributions(model, batch["cf_input_ids"], batch["cf_attention_mask"],
                                          batch["cf_completion_mask"])
    return intervention_consistency(factual, cf, mask * cf_mask).chunk(2)[0].mean().item()


def test_regulariser_adds_lambda_times_the_consistency_of_rows_with_a_note(kb, tmp_path):
    base = resolve_base("default")
    rows = note_rows(kb, 4)  # 4 rows with a note, 4 without
    losses = {}
    for lam in (0.0, 1.0):
        settings = dataclasses.replace(METHODS["icr"].settings(), lam=lam, batch_size=8)
        inputs = StageInputs(model=load_model(base.path), reference=load_model(base.path),
                             tokenizer=load_tokenizer(base.path), rows=rows, settings=settings,
                             output_dir=tmp_path / f"icr-{lam}", seed=0, callbacks=[])
        trainer = METHODS["icr"].build_trainer(inputs)
        batch = trainer.data_collator([trainer.train_dataset[i] for i in range(8)])
        assert batch["has_counterfactual"].sum() == 4
        with torch.no_grad():
            losses[lam] = trainer.compute_loss(trainer.model, batch).item()
    kl = trainer._metrics["eval"]["icr/consistency_kl"][-1]  # mean summed KL (chosen + rejected) over note rows
    assert kl > 0.1  # the base does read the note
    assert losses[1.0] - losses[0.0] == pytest.approx(kl * 4 / 8, rel=1e-4)


@pytest.mark.slow
def test_training_pulls_the_note_policy_toward_its_counterfactual(kb, tmp_path):
    rows = note_rows(kb, 8)
    plain, _ = train_icr(rows, 0.0, tmp_path)
    regularised, log = train_icr(rows, 2.0, tmp_path)
    logged = [row["icr/consistency_kl"] for row in log if "icr/consistency_kl" in row]
    assert logged and all(math.isfinite(x) and x >= 0 for x in logged)
    assert consistency_on_notes(regularised) < 0.7 * consistency_on_notes(plain)


def test_rows_without_counterfactuals_are_plain_dpo(kb, tmp_path):
    rows = [r for r in note_rows(kb, 4) if "counterfactual_prompt" not in r]
    _, log = train_icr(rows, 2.0, tmp_path)
    assert not any("icr/consistency_kl" in row for row in log)
    assert any("loss" in row for row in log)
