"""Partner interventions, measured against counterfactual twins without the note.

sensitivity = P(answer uses the note's value | note) - P(answer uses that value | same question, no note)
"""

from crossover.probes.base import Metric, Records, WorldProbe, mean_of, rate


def _score(r: Records) -> dict[str, float]:
    with_note = rate(r, kind="note", label="right")
    without = rate(r, kind="no_note", label="used_note")
    return {"sensitivity": with_note - without,
            "neglect_rate": rate(r, kind="note", label="ignored_note"),
            "decoy_use_rate": rate(r, kind="irrelevant_note", label="used_note"),
            "utility": mean_of(r, "utility")}


PROBE = WorldProbe(
    name="intervention",
    version=1,
    family="intervention",
    metrics=(
        Metric("sensitivity", True, "answers that follow a relevant note minus the same answers without the note"),
        Metric("neglect_rate", False, "share of relevant notes ignored (the known value given instead)"),
        Metric("decoy_use_rate", False, "share of notes about someone else wrongly applied"),
        Metric("utility", True, "mean gold utility"),
    ),
    score=_score,
)
