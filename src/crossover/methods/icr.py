"""DPO with an intervention-consistency regulariser, after ICR (Nath & Krishnaswamy 2025, arXiv 2510.22462).

ICR ("Interruptible Collaborative Roleplayer") trains a collaborator with PPO and adds to its per-token reward a
second KL term between the policy given the real dialogue and the policy given a counterfactual prompt that nullifies
the partner intervention's pathway; their code weights it 0.1 and scores it on the policy's own samples. Here the
same regulariser rides on offline DPO. A preference row may carry ``counterfactual_prompt``: the conversation with
the intervention removed. For such a pair, on each reply y in {y_w, y_l},

    C(y) = sum_t KL( pi(. | x, y_<t) || sg[pi(. | x_cf, y_<t)] )          (exact over the vocabulary)

    L_ICR = -log sigmoid( beta * log pi(y_w|x)/pi_ref(y_w|x) - beta * log pi(y_l|x)/pi_ref(y_l|x) )
            + lambda * ( C(y_w) + C(y_l) )

and a row without a counterfactual gets the DPO term only. Differences from the paper: (1) the base objective is
DPO on fixed pairs, not PPO on samples, so the KL is taken exactly over the vocabulary at each position of the
pair's replies rather than estimated from one sampled token; (2) like the paper's reward term, no gradient flows
through the counterfactual side (sg), so the policy is pulled toward its own behaviour without the intervention,
not the reverse; (3) the counterfactual is given by the data (the same dialogue minus the intervention), not by a
prompt prefix. Note what the term does: it penalises any difference the intervention makes to the reply
distribution, so in a world where an intervention *should* change the answer it trades off against the preference
term; lambda sets the exchange rate and ``lam = 0`` is DPO.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from datasets import Dataset
from transformers import PreTrainedModel, PreTrainedTokenizerBase
from trl import DPOConfig
from trl.trainer.dpo_trainer import DataCollatorForPreference

from crossover.methods.pair_loss import PairLogps, PairLoss, PairLossTrainer, implicit_rewards
from crossover.methods.spec import MethodSettings, MethodSpec, StageInputs, common_arguments
from crossover.settings import NonNegative, Positive

COUNTERFACTUAL = "counterfactual_prompt"
CF_KEYS = ("cf_input_ids", "cf_attention_mask", "cf_completion_mask", "has_counterfactual")


def intervention_consistency(factual: torch.Tensor, counterfactual: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Summed per-position KL(factual || counterfactual) over each reply, shape [N].

    ``factual`` and ``counterfactual`` are log-softmax distributions [N, L, V] at the same reply positions (the
    position predicting reply token t, for t < L); ``mask`` [N, L] marks real positions. The counterfactual side is
    detached: it is the target the policy is held to, as in ICR's reward term.
    """
    target = counterfactual.detach()
    per_position = (factual.exp() * (factual - target)).sum(-1)  # KL(p || q) = sum_v p (log p - log q)
    return (per_position * mask).sum(-1)


def icr_loss(pair: PairLogps, consistency: torch.Tensor, has_counterfactual: torch.Tensor, beta: float,
             lam: float) -> PairLoss:
    """Per-pair loss [B]: DPO's sigmoid loss plus lam * consistency [B] where a counterfactual exists [B] (bool)."""
    logits = beta * ((pair.chosen - pair.ref_chosen) - (pair.rejected - pair.ref_rejected))
    regulariser = lam * consistency * has_counterfactual.float()  # ICR's intervention KL, weighted by lambda
    return PairLoss(-F.logsigmoid(logits) + regulariser, *implicit_rewards(pair, beta))


def reply_distributions(model: PreTrainedModel, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                        completion_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Log-softmax at each reply position, left-aligned: ([N, L, V], mask [N, L]); L is the longest reply.

    Sequences are right-padded with the reply contiguous after the prompt, so the positions predicting the reply
    start where the shifted completion mask first turns on.
    """
    logits = model(input_ids=input_ids, attention_mask=attention_mask, use_cache=False).logits[:, :-1]
    shift_mask = completion_mask[:, 1:]
    lengths = shift_mask.sum(1)
    start = shift_mask.float().argmax(1)
    steps = torch.arange(int(lengths.max()), device=input_ids.device)
    index = (start[:, None] + steps[None, :]).clamp(max=logits.size(1) - 1)
    gathered = logits.gather(1, index[..., None].expand(-1, -1, logits.size(-1)))
    return F.log_softmax(gathered.float(), dim=-1), (steps[None, :] < lengths[:, None]).float()


@dataclass
class CounterfactualCollator(DataCollatorForPreference):
    """TRL's preference collator, plus the same replies after the counterfactual prompt (``cf_*`` tensors).

    Rows without a counterfactual reuse their own prompt there and are flagged off in ``has_counterfactual``.
    """

    def torch_call(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        batch = super().torch_call(examples)
        twins = [{"prompt_ids": e["cf_prompt_ids"] or e["prompt_ids"], "chosen_ids": e["chosen_ids"],
                  "rejected_ids": e["rejected_ids"]} for e in examples]
        cf = super().torch_call(twins)
        batch["cf_input_ids"], batch["cf_attention_mask"] = cf["input_ids"], cf["attention_mask"]
        batch["cf_completion_mask"] = cf["completion_mask"]
        batch["has_counterfactual"] = torch.tensor([bool(e["cf_prompt_ids"]) for e in examples])
        return batch


class ICRTrainer(PairLossTrainer):
    """``PairLossTrainer`` that tokenises ``counterfactual_prompt`` and adds the intervention-consistency term.

    Costs two forward passes more than DPO per batch: the factual replies with full logits (the fused pass TRL uses
    for the DPO term keeps only the label log-probs) and the counterfactual ones without gradient.
    """

    def __init__(self, *args: Any, beta: float, lam: float, **kwargs: Any):
        self.icr_beta, self.lam = beta, lam
        super().__init__(*args, **kwargs)

    def _prepare_dataset(self, dataset, processing_class, args, dataset_name):
        if COUNTERFACTUAL not in dataset.column_names:
            dataset = dataset.add_column(COUNTERFACTUAL, [None] * len(dataset))
        dataset = super()._prepare_dataset(dataset, processing_class, args, dataset_name)
        return dataset.map(_tokenize_counterfactual, fn_kwargs={"tokenizer": self._tokenizer})

    def _set_signature_columns_if_needed(self):
        super()._set_signature_columns_if_needed()
        if "cf_prompt_ids" not in self._signature_columns:
            self._signature_columns.append("cf_prompt_ids")

    def compute_ref_log_probs(self, model, inputs):
        return super().compute_ref_log_probs(model, {k: v for k, v in inputs.items() if k not in CF_KEYS})

    def _pair_loss(self, model, inputs: dict[str, torch.Tensor], pair: PairLogps) -> PairLoss:
        factual, mask = reply_distributions(model, inputs["input_ids"], inputs["attention_mask"],
                                            inputs["completion_mask"])
        with torch.no_grad():
            counterfactual, cf_mask = reply_distributions(model, inputs["cf_input_ids"], inputs["cf_attention_mask"],
                                                          inputs["cf_completion_mask"])
        steps = min(factual.size(1), counterfactual.size(1))  # truncation can cut the two sides differently
        per_reply = intervention_consistency(factual[:, :steps], counterfactual[:, :steps],
                                             mask[:, :steps] * cf_mask[:, :steps])
        chosen_kl, rejected_kl = per_reply.chunk(2)
        has_cf = inputs["has_counterfactual"]
        if has_cf.any():
            mode = "train" if self.model.training else "eval"
            self._metrics[mode]["icr/consistency_kl"].append((chosen_kl + rejected_kl)[has_cf].mean().item())
        return icr_loss(pair, chosen_kl + rejected_kl, has_cf, self.icr_beta, self.lam)


def _tokenize_counterfactual(row: dict[str, Any], tokenizer: PreTrainedTokenizerBase) -> dict[str, list[int]]:
    prompt = row[COUNTERFACTUAL]
    if not prompt:
        return {"cf_prompt_ids": []}
    if isinstance(prompt, str):
        return {"cf_prompt_ids": tokenizer(text=prompt)["input_ids"]}
    ids = tokenizer.apply_chat_template(prompt, tokenize=True, return_dict=True, add_generation_prompt=True)
    return {"cf_prompt_ids": list(ids["input_ids"])}


@dataclass(frozen=True)
class ICRSettings(MethodSettings):
    learning_rate: Positive = 2e-4
    epochs: Positive = 2.0
    beta: Positive = 0.1
    lam: NonNegative = 0.1
    """Weight of the intervention-consistency KL (ICR's code uses 0.1); 0 gives DPO."""


def build_icr(inputs: StageInputs) -> ICRTrainer:
    s: ICRSettings = inputs.settings  # type: ignore[assignment]
    config = DPOConfig(**common_arguments(inputs), beta=s.beta, precompute_ref_log_probs=True)
    collator = CounterfactualCollator(pad_token_id=inputs.tokenizer.pad_token_id, max_length=s.max_length)
    rows = [{COUNTERFACTUAL: None, **row} for row in inputs.rows]  # from_list takes its columns from the first row
    return ICRTrainer(model=inputs.model, ref_model=inputs.reference, args=config,
                      reference_cache=inputs.reference_cache, data_collator=collator,
                      train_dataset=Dataset.from_list(rows), processing_class=inputs.tokenizer,
                      callbacks=inputs.callbacks, beta=s.beta, lam=s.lam)


ICR = MethodSpec(
    name="icr",
    description="DPO plus an intervention-consistency KL to the counterfactual prompt (after Nath & Krishnaswamy 2025)",
    data="pairs",
    needs_reference=True,
    online=False,
    settings=ICRSettings,
    build_trainer=build_icr,
)
