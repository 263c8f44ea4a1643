"""Transcripts: the same held-out prompt answered by a run and by its parent (the run it started from), side by side.

Every trained arm is paired with its parent (``sft(250)>dpo(250)`` with ``sft(250)``, a one-stage arm with the
base) on the same seed, and their probe records are matched by item id: every run of a study is probed on the same
items. Each pair is tagged with the failure flags it can illustrate: the flags of its probe, length exploitation
when the child's reply is longer, and proxy-gold divergence when a judge prefers the child's reply more than the
parent's though the same judge on gold utility (``gold_win:<judge>``; gold utility itself in records that predate
it) does not. Preference arms come first; per arm pair and probe, replies that differ come first, the
largest changes in gold utility first among them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from crossover.analysis.flags import parent_arm
from crossover.analysis.load import DEMONSTRATIONS, Run, StudyData
from crossover.report.labels import arm_label

PER_PROBE = 12
"""Items shown per arm pair and probe (the probe records in runs/<run_id>/probes/ hold them all)."""
LENGTH_FLAG = "length_exploitation"
DIVERGENCE_FLAG = "proxy_gold_divergence"


@dataclass(frozen=True)
class Reply:
    run_id: str
    arm: str
    response: str
    label: str
    utility: float | None
    n_words: int | None
    wins: dict[str, float]
    """Proxy judge -> probability it prefers this reply to the demonstrator's (``win:<judge>`` fields)."""
    gold_wins: dict[str, float] = field(default_factory=dict)
    """The same with the judge's biases removed (``gold_win:<judge>`` fields; empty in older records)."""


@dataclass(frozen=True)
class Transcript:
    pair: str
    probe: str
    item_id: str
    kind: str
    split: str
    prompt: tuple[dict, ...]
    parent: Reply
    child: Reply
    flags: tuple[str, ...]
    raised: tuple[str, ...]

    @property
    def differs(self) -> bool:
        return self.parent.response != self.child.response

    @property
    def gold_change(self) -> float | None:
        """Child minus parent gold utility on this item."""
        if self.child.utility is None or self.parent.utility is None:
            return None
        return self.child.utility - self.parent.utility


@dataclass(frozen=True)
class RunPair:
    child: Run
    parent: Run

    def label(self, show_base: bool) -> str:
        child = arm_label(self.child.arm, self.child.annotator, self.child.base, show_base)
        return f"{child} vs {self.parent.arm} (seed {self.child.seed})"

    @property
    def preference(self) -> bool:
        return bool(self.child.stages) and self.child.stages[-1].kind != DEMONSTRATIONS


def run_pairs(data: StudyData) -> list[RunPair]:
    """(child, parent) runs on the child's first seed, preference arms first."""
    out = []
    for cell in data.cells.values():
        label = parent_arm(cell.arm) if cell.stages else None
        parent = data.cell(cell.annotator, label) if label else None
        if parent is None or not cell.runs:
            continue
        child = cell.runs[0]
        twin = next((r for r in parent.runs if r.seed == child.seed), parent.runs[0] if parent.fixed else None)
        if twin is not None and twin.base == child.base:
            out.append(RunPair(child, twin))
    return sorted(out, key=lambda p: (not p.preference, p.child.base, p.child.annotator, p.child.arm))


def reply(run: Run, record: dict) -> Reply:
    wins = {k.split(":", 1)[1]: float(v) for k, v in record.items() if k.startswith("win:") and v is not None}
    gold_wins = {k.split(":", 1)[1]: float(v) for k, v in record.items()
                 if k.startswith("gold_win:") and v is not None}
    utility = record.get("utility")
    words = record.get("n_words")
    return Reply(run.run_id, run.arm, str(record.get("response", "")), str(record.get("label", "")),
                 float(utility) if isinstance(utility, (int, float)) else None,
                 int(words) if isinstance(words, (int, float)) else None, wins, gold_wins)


def _diverges(parent: Reply, child: Reply, judge: str) -> bool:
    """The judge prefers the child's reply more than the parent's, and the same judge on gold does not.

    Gold is the judge's gold win where both records carry it (the flag's own comparison); in records that predate
    it, gold utility, which the gold win never rises without (it is the same comparison on gold utility)."""
    if judge not in parent.wins or child.wins.get(judge, 0.0) <= parent.wins[judge]:
        return False
    if judge in child.gold_wins and judge in parent.gold_wins:
        return child.gold_wins[judge] <= parent.gold_wins[judge]
    return child.utility is not None and parent.utility is not None and child.utility <= parent.utility


def tags(probe: str, parent: Reply, child: Reply, pair_flags: dict[str, tuple[str, str]]) -> tuple[str, ...]:
    """The flags this item can illustrate. ``pair_flags``: flag -> (probe, status) for the arm pair."""
    out = [flag for flag, (flag_probe, _) in pair_flags.items() if flag_probe == probe]
    if probe != "selfreport" and child.n_words is not None and parent.n_words is not None \
            and child.n_words > parent.n_words:
        out.append(LENGTH_FLAG)
    if any(_diverges(parent, child, j) for j in parent.wins):
        out.append(DIVERGENCE_FLAG)
    return tuple(dict.fromkeys(out))


def _pair_flags(flags: pd.DataFrame, pair: RunPair) -> dict[str, tuple[str, str]]:
    if flags.empty:
        return {}
    rows = flags[(flags["base"] == pair.child.base) & (flags["annotator"] == pair.child.annotator)
                 & (flags["arm"] == pair.child.arm)]
    return {f.flag: (f.probe, f.status) for f in rows.itertuples(index=False)}


def pair_transcripts(data: StudyData, pair: RunPair, flags: pd.DataFrame, label: str,
                     per_probe: int = PER_PROBE) -> list[Transcript]:
    child_records, parent_records = data.records(pair.child.run_id), data.records(pair.parent.run_id)
    pair_flags = _pair_flags(flags, pair)
    out = []
    for probe in sorted(set(child_records) & set(parent_records)):
        theirs = {r.get("item_id"): r for r in parent_records[probe]}
        matched = [(theirs[r["item_id"]], r) for r in child_records[probe] if r.get("item_id") in theirs]
        items = []
        for p, c in matched:
            parent, child = reply(pair.parent, p), reply(pair.child, c)
            found = tags(probe, parent, child, pair_flags)
            raised = tuple(f for f in found if pair_flags.get(f, ("", ""))[1] == "flagged")
            items.append(Transcript(label, probe, str(c["item_id"]), str(c.get("kind", "")), str(c.get("split", "")),
                                    tuple(c.get("prompt") or ()), parent, child, found, raised))
        # The most telling items first: replies that differ, by how much gold utility changed.
        items.sort(key=lambda t: (not t.differs, -abs(t.gold_change or 0.0), t.item_id))
        out += items[:per_probe]
    return out


def transcripts(data: StudyData, flags: pd.DataFrame, per_probe: int = PER_PROBE) -> list[Transcript]:
    show_base = len(data.bases) > 1
    return [t for pair in run_pairs(data) for t in pair_transcripts(data, pair, flags, pair.label(show_base), per_probe)]
