"""Hand-labelled replies of real models on the text probes, and the agreement of each grader with them.

``<probe>.jsonl`` holds one reply per line: the prompt and every turn of the model's replies, the verdict a person
gave after reading it blind (``hand_label``, one of the probe's ``verdicts``) with a one-line ``rationale``, the
verdict of an earlier pass that was not blind to the rule grader (``first_label``, ``first_rationale``), and the
reply's provenance (model, checkpoint, sampling settings, date). The grader's own label is never stored here:
agreement is recomputed from the replies, so a change to a grader shows up in ``tests/probes/text/test_validation.py``.

Each reply belongs to the ``dev`` or the ``held_out`` half of its axis, fixed by a hash of its item (``split``):
rules are developed reading dev replies only, and agreement is reported on the held-out half as well as on all.

Agreement is reported as accuracy, Cohen's kappa (Cohen 1960: kappa = (p_o - p_e) / (1 - p_e), where p_o is the
observed agreement and p_e the agreement expected by chance from the two raters' label frequencies) and the
confusion matrix (rows: hand label; columns: grader).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Any

from crossover.errors import CrossoverError
from crossover.probes.text import TEXT_PROBES
from crossover.probes.text.base import Case, TextProbe

VALIDATION_PACKAGE = "crossover.probes.text.validation"
REQUIRED = ("probe", "item_id", "kind", "prompt", "responses", "hand_label", "rationale", "first_label",
            "provenance")
PROVENANCE = ("model", "model_sha256", "checkpoint", "sampling", "date")


@dataclass(frozen=True)
class Labelled:
    """One hand-labelled reply and the case it answers."""

    case: Case
    chat: list[dict[str, str]]
    """The conversation the last reply answers (for multi-turn probes, with the earlier turns)."""
    responses: list[str]
    hand_label: str
    checkpoint: str
    first_label: str
    """The earlier, non-blind pass's verdict on the same reply."""

    @property
    def split(self) -> str:
        return split(self.case.item_id)


def split(item_id: str) -> str:
    """``dev`` or ``held_out``: the parity of the first byte of sha256(root item id), where the root drops a variant's
    ``-vN`` and an intervention condition's suffix, so that a question and its rephrasings (and both checkpoints'
    replies to it) fall in the same half and a rule read off dev replies never saw a held-out question."""
    root = re.sub(r"-v\d+$", "", re.sub(r"-(?:no_note|note|irrelevant_note)$", "", item_id))
    return "dev" if hashlib.sha256(root.encode()).digest()[0] % 2 == 0 else "held_out"


def read_labelled(probe: TextProbe) -> list[Labelled]:
    """The probe's hand-labelled replies, each checked (fields, known item, a verdict the probe allows)."""
    name = f"{probe.name}.jsonl"
    resource = resources.files(VALIDATION_PACKAGE).joinpath(name)
    if not resource.is_file():
        return []
    cases = {c.item_id: c for c in probe.cases(probe.items())}
    out = []
    for number, line in enumerate(resource.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row: dict[str, Any] = json.loads(line)
        where = f"validation/{name}:{number}"
        missing = [k for k in REQUIRED if k not in row] + [f"provenance.{k}" for k in PROVENANCE
                                                             if k not in row.get("provenance", {})]
        if missing:
            raise CrossoverError(f"{where}: field(s) missing: {', '.join(missing)}")
        case = cases.get(row["item_id"])
        if case is None:
            raise CrossoverError(f"{where}: field 'item_id': {row['item_id']!r} is not an item of {probe.name}")
        assert probe.verdicts is not None
        for field in ("hand_label", "first_label"):
            if row[field] not in probe.verdicts(case.kind):
                raise CrossoverError(f"{where}: field '{field}': {row[field]!r} is not one of "
                                     f"{', '.join(probe.verdicts(case.kind))}")
        out.append(Labelled(case, row["prompt"], row["responses"], row["hand_label"], row["provenance"]["checkpoint"],
                            row["first_label"]))
    return out


def rule_verdicts(probe: TextProbe, rows: list[Labelled]) -> list[str]:
    return [probe.verdict(r.case.kind, probe.grade(r.case, r.responses)["label"]) for r in rows]


@dataclass(frozen=True)
class Agreement:
    n: int
    accuracy: float
    kappa: float
    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]
    """confusion[i][j]: replies a person labelled labels[i] and the grader labels[j]"""


def agreement(hand: list[str], graded: list[str], labels: tuple[str, ...] | None = None) -> Agreement:
    """Accuracy, Cohen's kappa and confusion matrix of ``graded`` against ``hand``.

    kappa = (p_o - p_e) / (1 - p_e), p_e = sum_k p_hand(k) * p_graded(k) (Cohen 1960); when both raters use a
    single label (p_e = 1) kappa is 1 if they agree everywhere and NaN otherwise.
    """
    if len(hand) != len(graded) or not hand:
        raise ValueError("agreement needs two equally long, non-empty label lists")
    order = labels or tuple(sorted(set(hand) | set(graded)))
    n = len(hand)
    observed = sum(h == g for h, g in zip(hand, graded)) / n
    hand_counts, graded_counts = Counter(hand), Counter(graded)
    expected = sum(hand_counts[k] * graded_counts[k] for k in order) / n**2
    kappa = (observed - expected) / (1 - expected) if expected < 1 else (1.0 if observed == 1 else float("nan"))
    pairs = Counter(zip(hand, graded))
    confusion = tuple(tuple(pairs[(a, b)] for b in order) for a in order)
    return Agreement(n, observed, kappa, order, confusion)


def validated_probes() -> list[TextProbe]:
    return [p for p in TEXT_PROBES.values() if p.verdicts is not None and read_labelled(p)]


def measured_agreement() -> dict[str, dict[str, dict[str, Any]]]:
    """grader -> probe -> {n, accuracy, kappa, ...}: the agreement with the hand labels measured by
    scripts/validation_agreement.py when the set was last labelled (``agreement.json``); empty if never measured."""
    resource = resources.files(VALIDATION_PACKAGE).joinpath("agreement.json")
    if not resource.is_file():
        return {}
    table = json.loads(resource.read_text(encoding="utf-8"))
    return {g: {p: {k: v for k, v in row.items() if k not in ("verdicts", "keys")} for p, row in probes.items()}
            for g, probes in table.items()}


def wilson_interval(hits: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval for a binomial share (Wilson 1927), 95% by default: unlike the normal
    approximation it stays inside [0, 1] and keeps its coverage near 0 and 1, where small probe samples often are.

    centre = (p + z^2 / 2n) / (1 + z^2 / n), half-width = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)
    """
    if n <= 0:
        raise ValueError("a Wilson interval needs at least one trial")
    p, z2 = hits / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)) ** 0.5
    return max(0.0, centre - half), min(1.0, centre + half)
