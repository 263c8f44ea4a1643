"""A ``DPOTrainer`` whose loss is a pure function of sequence log-probabilities: the hook for DPO variants TRL lacks.

TRL computes every DPO loss inside one long method with no extension point, so a variant that changes the logit of
the Bradley-Terry term (R-DPO's length term, DPO-Positive's penalty) cannot be had through ``loss_type``. This
subclass keeps everything else of ``DPOTrainer`` (tokenisation, collation, reference log-probs precomputed once and
shared through ``ReferenceLogpsCache``, the
optimiser, logging) and replaces only ``_compute_loss``: TRL's fused forward pass for the policy's per-token
log-probs, then the variant's pure loss function, then the metrics TRL logs under the same names, so training
dynamics read the same for DPO and its variants. DPOConfig's loss options (``loss_type``, ``ld_alpha``,
``f_divergence_type``, ``use_weighting``) are not used here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import torch
from datasets import Dataset
from trl import DPOConfig, DPOTrainer

from crossover.methods.reference_cache import ReferenceLogpsCache
from crossover.methods.spec import StageInputs, common_arguments


class PairLogps(NamedTuple):
    """Summed log-probabilities of each pair's replies, shape [B] each."""

    chosen: torch.Tensor
    """log pi(y_w | x) under the policy."""
    rejected: torch.Tensor
    """log pi(y_l | x) under the policy."""
    ref_chosen: torch.Tensor
    """log pi_ref(y_w | x)."""
    ref_rejected: torch.Tensor
    """log pi_ref(y_l | x)."""
    chosen_length: torch.Tensor
    """|y_w| in tokens (float)."""
    rejected_length: torch.Tensor
    """|y_l| in tokens (float)."""


class PairLoss(NamedTuple):
    losses: torch.Tensor
    """Per-pair loss, shape [B]; the trainer minimises its mean."""
    chosen_rewards: torch.Tensor
    """beta * log(pi/pi_ref) of the chosen reply, shape [B], detached (the implicit reward TRL logs)."""
    rejected_rewards: torch.Tensor


PairLossFn = Callable[[PairLogps], PairLoss]


def implicit_rewards(pair: PairLogps, beta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """DPO's implicit rewards beta * log(pi/pi_ref) of the chosen and rejected replies, detached, [B] each."""
    return (beta * (pair.chosen - pair.ref_chosen)).detach(), (beta * (pair.rejected - pair.ref_rejected)).detach()


class PairLossTrainer(ReferenceLogpsCache, DPOTrainer):
    """``DPOTrainer`` with the per-pair loss given as a pure function ``pair_loss(PairLogps) -> PairLoss``."""

    def __init__(self, *args: Any, pair_loss: PairLossFn | None = None, **kwargs: Any):
        self.pair_loss = pair_loss
        super().__init__(*args, **kwargs)

    def _compute_loss(self, model, inputs, return_outputs=False):
        if return_outputs:
            raise NotImplementedError(f"{type(self).__name__} returns the loss only (no logits for compute_metrics)")
        pair = self.pair_logps(model, inputs)
        out = self._pair_loss(model, inputs, pair)
        self._log_pair_metrics("train" if self.model.training else "eval", pair, out)
        return out.losses.mean()

    def pair_logps(self, model, inputs: dict[str, torch.Tensor]) -> PairLogps:
        """Policy log-probs from one forward pass over [chosen; rejected], reference log-probs as TRL provides them."""
        completion_mask = inputs["completion_mask"]
        labels = inputs["input_ids"].masked_fill(completion_mask == 0, -100)
        outputs = model(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"], labels=labels,
                        fused_lm_head=True, use_cache=False)
        shift_mask = completion_mask[:, 1:]
        per_token = outputs.log_probs[:, -shift_mask.size(1):] * shift_mask  # [2B, T-1]
        chosen, rejected = per_token.sum(1).chunk(2)
        chosen_length, rejected_length = shift_mask.sum(1).float().chunk(2)
        if "ref_chosen_logps" in inputs:
            ref_chosen, ref_rejected = inputs["ref_chosen_logps"], inputs["ref_rejected_logps"]
        elif self.ref_model is not None:
            ref_chosen, ref_rejected = self.compute_ref_log_probs(self.ref_model, inputs)
        else:
            raise ValueError("no reference log-probs: pass a ref_model or set precompute_ref_log_probs=True")
        return PairLogps(chosen, rejected, ref_chosen, ref_rejected, chosen_length, rejected_length)

    def _pair_loss(self, model, inputs: dict[str, torch.Tensor], pair: PairLogps) -> PairLoss:
        """The loss of one batch; subclasses that need more than sequence log-probs override this."""
        if self.pair_loss is None:
            raise TypeError(f"{type(self).__name__} needs a pair_loss function or an override of _pair_loss")
        return self.pair_loss(pair)

    def _log_pair_metrics(self, mode: str, pair: PairLogps, out: PairLoss) -> None:
        gather = self.accelerator.gather_for_metrics
        metrics = self._metrics[mode]
        margins = out.chosen_rewards - out.rejected_rewards
        metrics["rewards/chosen"].append(gather(out.chosen_rewards).mean().item())
        metrics["rewards/rejected"].append(gather(out.rejected_rewards).mean().item())
        metrics["rewards/accuracies"].append(gather((margins > 0).float()).mean().item())
        metrics["rewards/margins"].append(gather(margins).mean().item())
        metrics["logps/chosen"].append(gather(pair.chosen.detach()).mean().item())
        metrics["logps/rejected"].append(gather(pair.rejected.detach()).mean().item())


def build_pair_loss_trainer(inputs: StageInputs, beta: float,
                            pair_loss: Callable[[PairLogps], PairLoss]) -> PairLossTrainer:
    """The trainer of a pairwise method whose loss is ``pair_loss``: reference log-probs precomputed (and cached)."""
    config = DPOConfig(**common_arguments(inputs), beta=beta, precompute_ref_log_probs=True)
    return PairLossTrainer(model=inputs.model, ref_model=inputs.reference, args=config,
                           reference_cache=inputs.reference_cache,
                           train_dataset=Dataset.from_list(inputs.rows), processing_class=inputs.tokenizer,
                           callbacks=inputs.callbacks, pair_loss=pair_loss)
