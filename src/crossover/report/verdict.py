"""The verdict per behaviour axis, in plain words with intervals, from the analysis tables.

For each base model and annotator, at the study's crossover point SFT(n0): what m preference pairs did and what
n more SFT examples did (``analysis/breakeven``), at which prices pairs pay (the analysis's one wording of its
price ranges, ``crossover.analysis.breakeven.price_words``), the head-to-head contrast, the crossover budget
(``analysis/crossover_budget``) and the failure flags raised (``analysis/flags``). Every word is derived from a
column the analysis wrote; nothing is re-estimated. Which findings survive the multiplicity correction comes from
the ``*_survives`` columns (``crossover.analysis.multiplicity``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from crossover.report.labels import amount, direction, fmt, headline_metrics, interval, stem

Tone = Literal["pairs", "sft", "harm", "none"]
"""How a verdict row reads at a glance: pairs pay, more SFT pays, something got worse, or nothing detectable."""

UNDECIDED = ("cannot tell", "not measured")


@dataclass(frozen=True)
class Change:
    point: float
    lo: float
    hi: float
    effect: str
    """helps / hurts / no detectable difference / cannot tell; up / down for metrics without a better direction."""

    def words(self) -> str:
        if self.effect == "cannot tell":  # a single run without item records: its 'interval' is the point
            return f"cannot tell ({fmt(self.point, signed=True)}, no interval)"
        return f"{self.effect} ({interval(self.point, self.lo, self.hi)})"


@dataclass(frozen=True)
class FlagNote:
    flag: str
    arm: str
    parent: str
    description: str
    change: str
    threshold: float

    def words(self) -> str:
        return (f"{self.flag} in {self.arm} (vs {self.parent}): {self.change}, threshold {fmt(self.threshold)} "
                f"— {self.description}")

    def short(self) -> str:
        return f"{self.flag} in {self.arm}: {self.change}"


@dataclass(frozen=True)
class AxisVerdict:
    probe: str
    metric: str
    description: str
    better: bool | None
    parent: float
    pairs: Change
    more_sft: Change
    ratio: str
    """The price ranges in words (``analysis/breakeven``'s ``price_words``)."""
    decision: str
    budget: str
    flags: tuple[FlagNote, ...]
    versus: Change = Change(math.nan, math.nan, math.nan, "cannot tell")
    """Pairs against more SFT head to head (SFT(n0) > PO(m) minus SFT(n0 + n))."""
    equivalence: str = ""
    primary: bool = False
    survives: bool = False
    """The pairs' change (a primary endpoint at the nominal level, else after FDR control) survives."""
    decision_survives: bool = False
    mdc: float = math.nan
    """Minimum detectable change of the head-to-head contrast at 80% power: what this study could have seen."""

    @property
    def name(self) -> str:
        return f"{self.probe}.{self.metric}"

    @property
    def tone(self) -> Tone:
        if self.flags or (self.pairs.effect == "hurts" and self.survives):
            return "harm"
        if self.decision == "pairs pay" and self.pairs.effect == "helps" and self.decision_survives:
            return "pairs"
        if self.decision == "more SFT pays" and self.more_sft.effect == "helps" and self.decision_survives:
            return "sft"
        return "none"

    def decision_words(self) -> str:
        """The decision at the study's prices, saying whether it survives the multiplicity correction."""
        if self.decision not in ("pairs pay", "more SFT pays"):
            return self.decision
        if self.decision_survives:
            return self.decision + (" (primary endpoint)" if self.primary else " (survives FDR control)")
        return self.decision + " (not after FDR control)"


@dataclass(frozen=True)
class GroupVerdict:
    """The verdict for one base model and one annotator."""

    base: str
    annotator: str
    point: dict | None
    price_ratio: float
    n_seeds: int
    axes: list[AxisVerdict] = field(default_factory=list)
    raised: list[FlagNote] = field(default_factory=list)
    flag_checks: int = 0
    undecided_flags: int = 0


def effect(verdict: str, better: bool | None) -> str:
    if verdict in UNDECIDED:
        return "cannot tell"
    if verdict not in ("increase", "decrease"):
        return "no detectable difference"
    if better is None:
        return "up" if verdict == "increase" else "down"
    return "helps" if (verdict == "increase") == better else "hurts"


def _flag_notes(raised: pd.DataFrame) -> list[FlagNote]:
    return [FlagNote(f.flag, f.arm, f.parent, f.description, interval(f.bad_change, f.bad_change_lo, f.bad_change_hi),
                     float(f.threshold)) for f in raised.itertuples(index=False)]


def budget_words(row: pd.Series, currency: str = "") -> str:
    """A crossover-budget row in a few words (``analysis/crossover_budget``'s ``words`` column says it at length).

    Infinite ends of the interval are draws with no crossover inside the tested budgets, written as such."""
    lo_cost, hi_cost, unit = amount(row["min_cost"]), amount(row["max_cost"]), f" {currency}" if currency else ""

    def at(x: float) -> str:
        return f"beyond {hi_cost}" if x == math.inf else f"below {lo_cost}" if x == -math.inf else amount(x)

    tested = f"{lo_cost}–{hi_cost}{unit} tested"
    status = row["status"]
    span = f"[{at(row['crossover_budget_lo'])}, {at(row['crossover_budget_hi'])}]"
    if status == "no detectable difference":
        return f"splits with pairs: no detectable difference from all-SFT ({tested})"
    if status == "crossover":
        return f"C* = {amount(row['crossover_budget'])}{unit} {span}: pairs belong in budgets above it"
    if status == "no crossover within the grid":
        return f"all-SFT stays best ({tested}); interval {span}"
    if status == "mixed best from the smallest budget":
        return f"a split with pairs is best from the smallest budget on ({tested}); interval {span}"
    return f"not computed ({status})"


def _budget_words(budgets: pd.DataFrame, probe: str, metric: str, method: str, currency: str) -> str:
    if budgets.empty:
        return "not computed"
    rows = budgets[(budgets["probe"] == probe) & (budgets["metric"] == metric)]
    rows = rows[rows["method"] == method] if (rows["method"] == method).any() else rows
    return "; ".join(budget_words(r, currency) for _, r in rows.iterrows()) or "not computed (no better direction)"


def axis_verdict(row: pd.Series, budgets: pd.DataFrame, raised: pd.DataFrame, currency: str = "",
                 description: str = "") -> AxisVerdict:
    better = direction(row["higher_is_better"])
    pairs = Change(row["d_pref"], row["d_pref_lo"], row["d_pref_hi"], effect(row["d_pref_verdict"], better))
    more = Change(row["d_sft"], row["d_sft_lo"], row["d_sft_hi"], effect(row["d_sft_verdict"], better))
    versus = Change(row["head_to_head"], row["head_to_head_lo"], row["head_to_head_hi"],
                    effect(row["head_to_head_verdict"], better))
    mine = raised if raised.empty else raised[(raised["probe"] == row["probe"])
                                              & (raised["metric"].map(stem) == stem(row["metric"]))]
    return AxisVerdict(row["probe"], row["metric"], description, better,
                       row["parent"], pairs, more, str(row["price_words"]), str(row["decision"]),
                       _budget_words(budgets, row["probe"], row["metric"], row["method"], currency),
                       tuple(_flag_notes(mine)), versus, str(row.get("equivalence") or ""),
                       _flag(row.get("primary")), _flag(row.get("d_pref_survives")),
                       _flag(row.get("decision_survives")), float(row.get("mdc_head_to_head", math.nan)))


def _flag(value: object) -> bool:
    """A boolean column read back from Parquet (bool) or CSV (text)."""
    return value is True or value == "True" or (isinstance(value, (int, float)) and value == 1)


def _select(table: pd.DataFrame, base: str, annotator: str) -> pd.DataFrame:
    if table.empty:
        return table
    return table[(table["base"] == base) & (table["annotator"] == annotator)]


def group_verdicts(breakeven: pd.DataFrame, budgets: pd.DataFrame, flags: pd.DataFrame,
                   point: dict | None, currency: str = "",
                   descriptions: Mapping[tuple[str, str], str] | None = None) -> list[GroupVerdict]:
    """One verdict per (base, annotator) that has crossover figures or flags; ``descriptions``: (probe, metric) ->
    what the metric measures, as the runs recorded it."""
    keys = set()
    for table in (breakeven, flags):
        if not table.empty:
            keys |= set(zip(table["base"], table["annotator"]))
    out = []
    for base, annotator in sorted(keys):
        rows, mine = _select(breakeven, base, annotator), _select(flags, base, annotator)
        raised = mine[mine["status"] == "flagged"] if not mine.empty else mine
        order = headline_metrics(zip(rows["probe"], rows["metric"])) if not rows.empty else []
        by_key = {(r["probe"], r["metric"]): r for _, r in rows.iterrows()}
        axes = [axis_verdict(by_key[key], _select(budgets, base, annotator), raised, currency,
                             (descriptions or {}).get(key, "")) for key in order]
        out.append(GroupVerdict(
            base, annotator, point, float(rows["price_ratio"].iloc[0]) if not rows.empty else math.nan,
            int(rows["n_seeds"].max()) if not rows.empty else int(mine["n_seeds"].max()) if not mine.empty else 0,
            axes, _flag_notes(raised), len(mine),
            int(mine["status"].isin(UNDECIDED).sum()) if not mine.empty else 0))
    return out


def _names(axes: list[AxisVerdict]) -> str:
    return ", ".join(a.name for a in axes)


def summary_sentences(group: GroupVerdict, currency: str = "") -> list[str]:
    """The group's answer in a few plain sentences (the page shows them above the table)."""
    out = []
    p = group.point
    if p and group.axes:
        out.append(f"Starting from SFT({p['n0']}): {p['m']} {p['method']} pairs labelled by the '{group.annotator}' "
                   f"annotator against {p['n']} more SFT examples.")
        by = {e: [a for a in group.axes if a.pairs.effect == e and (a.survives or e == "cannot tell")]
              for e in ("helps", "hurts", "cannot tell")}
        dropped = [a for a in group.axes if a.pairs.effect in ("helps", "hurts") and not a.survives]
        sft_only = [a for a in group.axes if a.more_sft.effect == "helps" and a.pairs.effect != "helps"]
        quiet = [a for a in group.axes if a.pairs.effect == "no detectable difference"]
        moved = [f"{a.name} {a.pairs.effect}" for a in group.axes if a.pairs.effect in ("up", "down")]
        out.append("Pairs help on " + (_names(by["helps"]) or "no axis") + "; pairs hurt on "
                   + (_names(by["hurts"]) or "no axis")
                   + (f"; pairs move metrics without a better direction: {', '.join(moved)}" if moved else "")
                   + f"; no detectable effect of pairs on {len(quiet)} of {len(group.axes)} headline metrics."
                   + (f" Detectable alone but not after the false-discovery correction: {_names(dropped)}."
                      if dropped else "")
                   + (f" More SFT helps where pairs do not: {_names(sft_only)}." if sft_only else ""))
        pays = [a for a in group.axes if a.decision == "pairs pay" and a.decision_survives]
        sft_pays = [a for a in group.axes if a.decision == "more SFT pays" and a.decision_survives]
        same = [f"{a.name} ({a.equivalence.replace('equivalent ', '')})" for a in group.axes
                if a.equivalence.startswith("equivalent")]
        price = amount(group.price_ratio)
        out.append(f"At the study's prices (one pair costs as much as {price} SFT example"
                   f"{'' if price == '1' else 's'}), pairs pay on "
                   + (_names(pays) or "no axis") + "; more SFT pays on " + (_names(sft_pays) or "no axis") + "."
                   + (f" Pairs and more SFT agree on {', '.join(same)}." if same else ""))
        if "cannot tell" in {a.pairs.effect for a in group.axes}:
            out.append(f"Cannot tell on {_names(by['cannot tell'])}: these come from a single run without per-item "
                       "records, so they have no interval.")
    if group.raised:
        names = dict.fromkeys(n.flag for n in group.raised)
        arms = {f: sorted({n.arm for n in group.raised if n.flag == f}) for f in names}
        listed = "; ".join(f"{flag} ({', '.join(names)})" for flag, names in arms.items())
        out.append(f"Failure flags raised against the parent run: {listed}. The table of raised flags below has "
                   "the changes, intervals and thresholds.")
    elif group.flag_checks:
        undecided = (f"; {group.undecided_flags} could not be decided with this data (cannot tell or not measured)"
                     if group.undecided_flags else "")
        out.append(f"No failure flag raised in {group.flag_checks} checks{undecided} (Holm-corrected per arm pair: "
                   "a clean arm pair raises any flag with probability at most 5%).")
    if group.n_seeds == 1:
        out.append("One seed: the intervals cover the sampling of probe items only, not training randomness.")
    return out


def missing_point_note(point: dict | None, arms: pd.DataFrame) -> str:
    """Why a study has no crossover figures, naming what to add."""
    if not point:
        return ("This study sets no crossover point: add [crossover] n0, n, m (and method) to the study file to get "
                "r* for every behaviour.")
    n0, n, m, method = point["n0"], point["n"], point["m"], point.get("method", "dpo")
    needed = [f"sft({n0})", f"sft({n0 + n})", f"sft({n0})>{method}({m})"]
    present = set(arms["arm"]) if not arms.empty else set()
    missing = [a for a in needed if a not in present]
    return (f"No crossover figures at SFT({n0}): the study lacks the arm(s) {', '.join(missing) or 'it needs'} "
            "(the crossover compares sft(n0), sft(n0+n) and sft(n0)>method(m)).")
