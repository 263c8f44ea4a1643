"""R-DPO: length-regularised DPO (Park, Rafailov, Ermon & Finn 2024, "Disentangling Length from Quality in DPO").

Park et al. add a length penalty alpha * |y| to the RLHF objective; re-deriving DPO with it puts a length
difference inside the Bradley-Terry logit (their R-DPO objective):

    L_R-DPO = -log sigmoid( beta * log pi(y_w|x)/pi_ref(y_w|x) - beta * log pi(y_l|x)/pi_ref(y_l|x)
                            + alpha * (|y_w| - |y_l|) )

When the chosen reply is the longer one, the length term already explains part of the preference, so the policy's
own log-ratio margin has less to do; length stops being a cheap way to lower the loss. ``alpha = 0`` is DPO.

Implemented as written, with |y| the number of reply tokens (end-of-turn token included). Differences from the
paper: none in the loss; the paper picks alpha against a length-controlled judge, here alpha is a setting to sweep.
TRL has no R-DPO, so the loss is this pure function hooked into ``PairLossTrainer``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch.nn.functional as F

from crossover.methods.pair_loss import PairLogps, PairLoss, PairLossTrainer, build_pair_loss_trainer, implicit_rewards
from crossover.methods.spec import MethodSettings, MethodSpec, StageInputs
from crossover.settings import NonNegative, Positive


def rdpo_loss(pair: PairLogps, beta: float, alpha: float) -> PairLoss:
    """Per-pair R-DPO loss, shape [B], from summed log-probs [B] and reply lengths in tokens [B]."""
    chosen_logratio = pair.chosen - pair.ref_chosen
    rejected_logratio = pair.rejected - pair.ref_rejected
    length_term = alpha * (pair.chosen_length - pair.rejected_length)
    logits = beta * chosen_logratio - beta * rejected_logratio + length_term  # Park et al. 2024, R-DPO objective
    return PairLoss(-F.logsigmoid(logits), *implicit_rewards(pair, beta))


@dataclass(frozen=True)
class RDPOSettings(MethodSettings):
    learning_rate: Positive = 2e-4
    epochs: Positive = 2.0
    beta: Positive = 0.1
    alpha: NonNegative = 0.05
    """Weight of the length difference (per token) inside the logit; 0 gives DPO."""


def build_rdpo(inputs: StageInputs) -> PairLossTrainer:
    s: RDPOSettings = inputs.settings  # type: ignore[assignment]
    return build_pair_loss_trainer(inputs, s.beta, lambda pair: rdpo_loss(pair, s.beta, s.alpha))


RDPO = MethodSpec(
    name="rdpo",
    description="length-regularised DPO: a length difference inside the DPO logit (Park et al. 2024)",
    data="pairs",
    needs_reference=True,
    online=False,
    settings=RDPOSettings,
    build_trainer=build_rdpo,
)

__all__ = ["RDPO", "RDPOSettings", "rdpo_loss"]
