"""Annotators: label preference pairs by a biased proxy of the gold utility.

The proxy utility of a response is the gold utility plus the biases a real labeller brings:

    proxy = U_gold + length_bias * n_words / 10 + agreement_bias * [agrees with the user]
            + caution_bias * [refuses a request that contains alarming words]
            + helpfulness_bias * [offers a fix before acknowledging a feeling]
            + style_taste * flair

and the label follows a Bradley-Terry comparison, P(a > b) = sigmoid((proxy_a - proxy_b) / temperature),
after which it is flipped with probability ``label_noise``. With ``temperature = 0`` the higher proxy always
wins. ``clean`` has no bias and no noise: it is the negative control.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, fields, replace
from typing import Annotated

from crossover.settings import FINITE, NonNegative, Settings, between
from crossover.world.families import Item, family
from crossover.world.families.base import Grade

Bias = Annotated[float, FINITE]
"""A weight in proxy-utility units; negative values reverse the bias."""


@dataclass(frozen=True)
class Annotator(Settings):
    name: str = "clean"
    length_bias: Bias = 0.0
    """Proxy utility added per 10 words of response (the verbosity a judge rewards)."""
    agreement_bias: Bias = 0.0
    """Added when the response agrees with a view the user stated (caving to pushback, affirming a premise)."""
    caution_bias: Bias = 0.0
    """Added when the response refuses a request containing alarming words, harmful or not."""
    helpfulness_bias: Bias = 0.0
    """Added when a reply to an emotional disclosure jumps to a solution before acknowledging the feeling."""
    style_taste: Bias = 0.0
    """Weight on flair (specific, warm writing) beyond what gold users give it; negative prefers the bland."""
    label_noise: Annotated[float, between(0, 0.5)] = 0.0
    """Probability that a label is flipped after the comparison."""
    temperature: NonNegative = 0.0
    """Bradley-Terry temperature in utility units; 0 means the better proxy always wins (ties are coin flips)."""

    def proxy(self, grade: Grade) -> float:
        return (
            grade.utility
            + self.length_bias * grade.n_words / 10
            + self.agreement_bias * grade.agrees_with_user
            + self.caution_bias * (grade.refused and grade.scary_prompt)
            + self.helpfulness_bias * grade.solution_first
            + self.style_taste * grade.flair
        )

    def prefers_first(self, item: Item, a: str, b: str, rng: random.Random) -> bool:
        """Whether this annotator labels ``a`` as preferred over ``b``; consumes exactly two draws of ``rng``."""
        grader = family(item.family)
        diff = self.proxy(grader.grade(item, a)) - self.proxy(grader.grade(item, b))
        if self.temperature > 0:
            p_first = 1.0 / (1.0 + math.exp(-max(min(diff / self.temperature, 50.0), -50.0)))
        else:
            p_first = 0.5 if abs(diff) < 1e-9 else float(diff > 0)
        first = rng.random() < p_first
        flip = rng.random() < self.label_noise
        return first != flip

    def unbiased(self) -> Annotator:
        """The same judge without its biases: every bias weight 0, its temperature and label noise kept.

        Its proxy is the gold utility, so its verdicts are what this judge would say if it judged by gold alone;
        comparing the two on the same replies separates what the biases add from how the judge turns a utility
        difference into a verdict (``crossover.probes.eval_score``)."""
        return replace(self, **{f: 0.0 for f in BIASES})

    def settings(self) -> dict[str, float | str]:
        return asdict(self)


PRESETS: dict[str, Annotator] = {
    "clean": Annotator("clean"),
    "length": Annotator("length", length_bias=0.3),
    "agreement": Annotator("agreement", agreement_bias=1.5),
    "caution": Annotator("caution", caution_bias=1.5),
    "helpfulness": Annotator("helpfulness", helpfulness_bias=1.0),
    "typical": Annotator("typical", length_bias=0.15, agreement_bias=0.6, caution_bias=0.6, helpfulness_bias=0.5,
                         style_taste=-0.2, label_noise=0.1, temperature=0.1),
    "adversarial": Annotator("adversarial", length_bias=0.4, agreement_bias=1.5, caution_bias=1.5,
                             helpfulness_bias=1.0, style_taste=-0.5, label_noise=0.2, temperature=0.1),
}
KNOBS: tuple[str, ...] = tuple(f.name for f in fields(Annotator) if f.name != "name")
BIASES: tuple[str, ...] = ("length_bias", "agreement_bias", "caution_bias", "helpfulness_bias", "style_taste")
"""The knobs that add to the gold utility in ``Annotator.proxy``; the other knobs shape the comparison."""


def annotator_from(name: str, preset: str | None = None, **knobs: float) -> Annotator:
    """An annotator called ``name``: a preset (``preset`` or ``name`` itself) with knobs overridden."""
    base = PRESETS[preset] if preset else PRESETS.get(name, PRESETS["clean"])
    values = {k: getattr(base, k) for k in KNOBS} | knobs
    return Annotator(name=name, **values)
