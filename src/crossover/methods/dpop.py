"""DPO-Positive (Pal et al. 2024, "Smaug: Fixing Failure Modes of Preference Optimisation with DPO-Positive").

DPO only asks the chosen reply to gain on the rejected one, so both can lose likelihood together and the chosen
reply can end up less likely than under the reference (common when the two replies differ by a few tokens). DPOP
adds a penalty inside the logit whenever the policy puts less mass on the chosen reply than the reference did:

    L_DPOP = -log sigmoid( beta * ( log pi(y_w|x)/pi_ref(y_w|x) - log pi(y_l|x)/pi_ref(y_l|x)
                                    - lambda * max(0, log pi_ref(y_w|x)/pi(y_w|x)) ) )

``lambda = 0`` is DPO. Implemented as in the paper, with the penalty inside the beta-scaled bracket and on summed
(not length-averaged) log-probs; the paper uses lambda = 50 on maths data and 5 elsewhere. TRL has no DPOP, so the
loss is this pure function hooked into ``PairLossTrainer``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch.nn.functional as F

from crossover.methods.pair_loss import PairLogps, PairLoss, PairLossTrainer, build_pair_loss_trainer, implicit_rewards
from crossover.methods.spec import MethodSettings, MethodSpec, StageInputs
from crossover.settings import NonNegative, Positive


def dpop_loss(pair: PairLogps, beta: float, lam: float) -> PairLoss:
    """Per-pair DPO-Positive loss, shape [B], from summed log-probs of policy and reference, [B] each."""
    chosen_logratio = pair.chosen - pair.ref_chosen
    rejected_logratio = pair.rejected - pair.ref_rejected
    chosen_drop = (pair.ref_chosen - pair.chosen).clamp(min=0.0)  # max(0, log pi_ref(y_w|x) / pi(y_w|x))
    logits = beta * (chosen_logratio - rejected_logratio - lam * chosen_drop)  # Pal et al. 2024, DPOP loss
    return PairLoss(-F.logsigmoid(logits), *implicit_rewards(pair, beta))


@dataclass(frozen=True)
class DPOPSettings(MethodSettings):
    learning_rate: Positive = 2e-4
    epochs: Positive = 2.0
    beta: Positive = 0.1
    lam: NonNegative = 5.0
    """Weight of the penalty on the chosen reply's log-prob falling below the reference's; 0 gives DPO."""


def build_dpop(inputs: StageInputs) -> PairLossTrainer:
    s: DPOPSettings = inputs.settings  # type: ignore[assignment]
    return build_pair_loss_trainer(inputs, s.beta, lambda pair: dpop_loss(pair, s.beta, s.lam))


DPOP = MethodSpec(
    name="dpop",
    description="DPO-Positive: DPO that penalises the chosen reply losing likelihood (Pal et al. 2024)",
    data="pairs",
    needs_reference=True,
    online=False,
    settings=DPOPSettings,
    build_trainer=build_dpop,
)
