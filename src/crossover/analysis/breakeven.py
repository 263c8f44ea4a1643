"""The breakeven price r* at a starting point SFT(n0) and the decision at any price, from one test inversion.

For a behaviour metric (DESIGN.md, "The crossover, defined")::

    d_pref = score(SFT(n0) > PO(m)) - score(SFT(n0))        gain from m preference pairs
    d_sft  = score(SFT(n0 + n))     - score(SFT(n0))        gain from n more SFT examples
    r*     = (d_pref / m) / (d_sft / n)                     one pair is worth r* SFT examples

If a pair costs ``rho`` SFT examples, money spent on pairs buys more of the metric than money spent on SFT
examples iff ``g(rho) = sign * (d_pref / m - rho * d_sft / n) > 0`` (``sign`` orients the metric so that up is
better). For every price ``rho >= 0`` one t test of ``g(rho)`` on the paired table (``Family``) says:

- ``pairs pay`` where the interval of ``g(rho)`` lies above 0;
- ``more SFT pays`` where it lies below 0;
- ``undecided`` where it covers 0: these prices are exactly the confidence set of r* (Fieller 1954, restricted to
  prices >= 0), so the r* set and the decision can never disagree.

The prices are scanned as ``rho = tan(phi)``, ``phi`` in [0, pi/2] (``rho = infinity`` included, where the test
is that of ``d_sft`` alone), on a grid whose changes of verdict are refined by bisection. The answer is a list of
price ranges, every piece of the set reported (a Fieller set can be two rays: "undecided below 0.3, pairs pay
from 0.3 to 10.9, undecided above"). The verdict at the study's own price is the test at that exact price.

Beside it, the head-to-head contrast ``score(SFT(n0) > PO(m)) - score(SFT(n0 + n))`` compares the two ways of
spending (equal cost when m pairs cost as much as n examples), with its minimum detectable change and, where
the metric has a margin (``crossover.analysis.power``), an equivalence verdict (two one-sided tests, Schuirmann
1987).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np

from crossover.analysis.bootstrap import Estimate, Family, Table, combine
from crossover.analysis.context import Context, columns
from crossover.analysis.power import RATE_MARGIN, equivalence_words, margin, share_mdc
from crossover.pricing import CrossoverPoint

RatioStatus = Literal["bounded", "no upper bound", "two pieces", "unbounded", "empty", "not measured"]
PriceVerdict = Literal["pairs pay", "more SFT pays", "undecided"]
GRID = 121
BISECTIONS = 36


@dataclass(frozen=True)
class PriceRange:
    """Prices (SFT examples per pair) from ``lo`` to ``hi`` over which the test reads ``verdict``."""

    lo: float
    hi: float
    verdict: PriceVerdict


def _verdict(lo: float, hi: float) -> PriceVerdict:
    return "pairs pay" if lo > 0 else "more SFT pays" if hi < 0 else "undecided"


def price_ranges(family: Family, sign: float, m: int, n: int, confidence: float) -> list[PriceRange]:
    """The verdict at every price rho >= 0 of ``sign * (d_pref/m - rho d_sft/n)``, as ranges of prices.

    ``family`` holds the tables (child - parent, more - parent)."""
    def at(phi: float) -> PriceVerdict:
        return _verdict(*family.test([sign * math.cos(phi) / m, -sign * math.sin(phi) / n]).interval(confidence))

    phi = np.linspace(0.0, math.pi / 2, GRID)
    verdicts = [at(p) for p in phi]
    edges = [0.0]
    for j in range(GRID - 1):
        if verdicts[j] != verdicts[j + 1]:
            lo, hi = phi[j], phi[j + 1]
            for _ in range(BISECTIONS):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if at(mid) == verdicts[j] else (lo, mid)
            edges.append((lo + hi) / 2)
    edges.append(math.pi / 2)
    pieces = [verdicts[0]] + [verdicts[j + 1] for j in range(GRID - 1) if verdicts[j] != verdicts[j + 1]]
    return [PriceRange(_price(a), _price(b), v) for a, b, v in zip(edges[:-1], edges[1:], pieces)]


def _price(phi: float) -> float:
    return math.inf if phi >= math.pi / 2 - 1e-12 else max(0.0, math.tan(phi))


def ratio_set(ranges: list[PriceRange]) -> tuple[float, float, RatioStatus]:
    """The confidence set of r* (the undecided prices): its hull and what shape it has."""
    undecided = [r for r in ranges if r.verdict == "undecided"]
    if not ranges:
        return math.nan, math.nan, "not measured"
    if not undecided:
        return math.nan, math.nan, "empty"
    lo, hi = undecided[0].lo, undecided[-1].hi
    if len(undecided) > 1:
        return lo, hi, "two pieces"
    if lo == 0 and math.isinf(hi):
        return lo, hi, "unbounded"
    return lo, hi, "no upper bound" if math.isinf(hi) else "bounded"


def _num(x: float) -> str:
    return f"{x:.3g}" if x < 100 else f"{x:,.0f}"


def price_words(ranges: list[PriceRange], ratio: float | None = None) -> str:
    """The one wording of the price ranges, used by the tables, the terminal and the reports.

    E.g. "pairs pay when a pair costs less than 3.2 SFT examples; undecided between 3.2 and 8.1; more SFT pays
    above 8.1 (r* = 5.0)". r* is quoted only where its confidence set is bounded.
    """
    if not ranges:
        return "not a price question (no better direction or no interval)"
    if len(ranges) == 1:
        r = ranges[0]
        return {"undecided": "undecided at every price (neither detectably buys more per cost)",
                "pairs pay": "pairs pay at every price", "more SFT pays": "more SFT pays at every price"}[r.verdict]
    parts = []
    for r in ranges:
        if r.lo == 0:
            span = f"when a pair costs less than {_num(r.hi)} SFT examples" if r.verdict == "pairs pay" \
                else f"at prices below {_num(r.hi)}" if r.verdict == "more SFT pays" else f"below {_num(r.hi)}"
        elif math.isinf(r.hi):
            span = f"above {_num(r.lo)}"
        else:
            span = f"between {_num(r.lo)} and {_num(r.hi)}"
        parts.append(f"{r.verdict} {span}")
    lo, hi, status = ratio_set(ranges)
    star = f" (r* = {_num(ratio)})" if status == "bounded" and ratio is not None and ratio > 0 else ""
    return "; ".join(parts) + star


def verdict_at(ranges: list[PriceRange], price: float) -> PriceVerdict | None:
    return next((r.verdict for r in ranges if r.lo <= price <= r.hi), None)


@dataclass(frozen=True)
class BreakevenFigure:
    annotator: str
    method: str
    n0: int
    n: int
    m: int
    probe: str
    metric: str
    higher_is_better: bool | None
    parent: float
    more_sft: float
    with_pairs: float
    d_sft: float
    d_sft_lo: float
    d_sft_hi: float
    d_sft_verdict: str
    d_sft_p: float
    d_pref: float
    d_pref_lo: float
    d_pref_hi: float
    d_pref_verdict: str
    d_pref_p: float
    breakeven_ratio: float | None
    """Point estimate of r*: SFT examples one pair is worth at this margin (None where d_sft = 0)."""
    ratio_lo: float
    ratio_hi: float
    ratio_status: RatioStatus
    """The undecided prices (the r* confidence set): its hull and shape."""
    pairs_pay_below: float
    """Pairs pay at every price below this (0 where they do not pay even when free)."""
    sft_pays_above: float
    """More SFT pays at every price above this (inf where it never does)."""
    price_words: str
    """Every price range in words (``price_words``)."""
    price_ratio: float
    """Price of one pair in SFT examples under the cost model."""
    pays: float
    """g at the study's price: the gain one pair buys minus what its price in SFT examples buys, oriented so that
    positive favours pairs (per pair; its sign is that of the gain per unit of money)."""
    pays_lo: float
    pays_hi: float
    decision: str
    head_to_head: float
    """score(SFT(n0) > PO(m)) - score(SFT(n0 + n)): the two ways of spending, side by side."""
    head_to_head_lo: float
    head_to_head_hi: float
    head_to_head_verdict: str
    head_to_head_p: float
    equivalence: str
    decision_p: float
    """p-value of the test at the study's price."""
    mdc_pref: float
    """Minimum detectable change of d_pref at 80% power."""
    mdc_head_to_head: float
    n_seeds: int
    n_items: int
    resampled: str
    primary: bool = False
    """A declared primary endpoint (read at the nominal level); the others are controlled for the FDR."""
    d_pref_q: float = math.nan
    """Benjamini-Hochberg q-value over the study's secondary tests (NaN for a primary endpoint)."""
    d_sft_q: float = math.nan
    decision_q: float = math.nan
    d_pref_survives: bool = False
    """d_pref's interval excludes 0 and, for a secondary metric, its q-value is within the FDR level."""
    d_sft_survives: bool = False
    decision_survives: bool = False
    base: str = "default"
    """The base model (the prior-strength axis); studies on one base have one."""

    def as_dict(self) -> dict:
        return {"base": self.base} | {k: v for k, v in asdict(self).items() if k != "base"}

    def words(self) -> str:
        """The figure in plain words, intervals included."""
        return describe(self)


def _fmt(x: float, digits: int = 3) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.{digits}g}" if abs(x) >= 100 else f"{x:.{digits}f}"


def _interval(point: float, lo: float, hi: float) -> str:
    return f"{_fmt(point)} [{_fmt(lo)}, {_fmt(hi)}]"


def describe(f: BreakevenFigure) -> str:
    pref = f"{f.m} pairs {_interval(f.d_pref, f.d_pref_lo, f.d_pref_hi)}"
    sft = f"{f.n} more SFT {_interval(f.d_sft, f.d_sft_lo, f.d_sft_hi)}"
    if "cannot tell" in (f.d_pref_verdict, f.d_sft_verdict):
        return f"{pref}; {sft}: a single run without item records, no interval: cannot tell"
    if f.higher_is_better is None:
        return f"change with {pref}; with {sft} (no better direction)"
    better = "increase" if f.higher_is_better else "decrease"
    worse = "decrease" if f.higher_is_better else "increase"

    def effect(verdict: str) -> str:
        return {better: "helps", worse: "hurts"}.get(verdict, "no detectable difference")

    head = f"pairs: {effect(f.d_pref_verdict)} ({pref}); more SFT: {effect(f.d_sft_verdict)} ({sft})"
    versus = (f"pairs vs more SFT head to head {_interval(f.head_to_head, f.head_to_head_lo, f.head_to_head_hi)}"
              + (f", {f.equivalence}" if f.equivalence else ""))
    return f"{head}; {f.price_words}; at a price ratio of {_fmt(f.price_ratio, 3)}: {f.decision}; {versus}"


def breakeven_figures(ctx: Context, point: CrossoverPoint, primary: frozenset[tuple[str, str]] = frozenset()
                      ) -> list[BreakevenFigure]:
    parent_arm, more_arm, pref_arm = point.arms()
    figures = []
    for annotator in ctx.data.annotators:
        parent, more, child = (ctx.data.cell(annotator, a) for a in (parent_arm, more_arm, pref_arm))
        if parent is None or more is None or child is None or child.annotator != annotator:
            continue
        cost_sft = ctx.cost_of(more) - ctx.cost_of(parent)
        cost_pref = ctx.cost_of(child) - ctx.cost_of(parent)
        price_ratio = (cost_pref / point.m) / (cost_sft / point.n) if cost_sft > 0 and cost_pref > 0 else math.nan
        for probe, metric in ctx.metrics():
            tables = [ctx.table(c, probe, metric) for c in (parent, more, child)]
            if any(t is None for t in tables):
                continue
            figure = _figure(ctx, point, annotator, probe, metric, *tables, price_ratio)
            if figure is not None:
                figures.append(figure)
    return [f if (f.probe, f.metric) not in primary else _primary(f) for f in figures]


def _primary(f: BreakevenFigure) -> BreakevenFigure:
    from dataclasses import replace

    return replace(f, primary=True)


def _figure(ctx: Context, point: CrossoverPoint, annotator: str, probe: str, metric: str, parent: Table,
            more: Table, child: Table, price_ratio: float) -> BreakevenFigure | None:
    better = ctx.higher_is_better(probe, metric)
    try:
        pref_table, sft_table = combine([(1.0, child), (-1.0, parent)]), combine([(1.0, more), (-1.0, parent)])
        versus_table = combine([(1.0, child), (-1.0, more)])
    except ValueError:
        return None
    d_pref, d_sft, versus = (ctx.estimate(t) for t in (pref_table, sft_table, versus_table))
    ratio = (d_pref.point / point.m) / (d_sft.point / point.n) if d_sft.point != 0 else None
    measured = d_sft.has_interval and d_pref.has_interval and better is not None
    ranges: list[PriceRange] = []
    pays_cols = {"pays": math.nan, "pays_lo": math.nan, "pays_hi": math.nan}
    decision_p = math.nan
    if better is None:
        decision = "not applicable (no better direction)"
    elif not math.isfinite(price_ratio):
        decision = "not applicable (free data)"
    elif not measured:
        decision = "cannot tell"
    else:
        sign = 1.0 if better else -1.0
        family = Family([pref_table, sft_table], ctx.pools)
        ranges = price_ranges(family, sign, point.m, point.n, ctx.settings.confidence)
        # The verdict at the study's own price: the same test at that exact price.
        test = family.test([sign / point.m, -sign * price_ratio / point.n])
        lo, hi = test.interval(ctx.settings.confidence)
        pays_cols = {"pays": test.point, "pays_lo": lo, "pays_hi": hi}
        decision, decision_p = _verdict(lo, hi), test.p_value
        decision = "no detectable difference" if decision == "undecided" else decision
    ratio_lo, ratio_hi, status = ratio_set(ranges) if ranges else (math.nan, math.nan, "not measured")
    pay_below = ranges[0].hi if ranges and ranges[0].verdict == "pairs pay" else 0.0 if ranges else math.nan
    sft_above = ranges[-1].lo if ranges and ranges[-1].verdict == "more SFT pays" else math.inf if ranges else math.nan
    conf = ctx.settings.confidence
    return BreakevenFigure(
        annotator=annotator, method=point.method, n0=point.n0, n=point.n, m=point.m, probe=probe, metric=metric,
        higher_is_better=better, parent=parent.estimate, more_sft=more.estimate, with_pairs=child.estimate,
        **columns("d_sft", d_sft), **columns("d_pref", d_pref),
        breakeven_ratio=ratio, ratio_lo=ratio_lo, ratio_hi=ratio_hi, ratio_status=status,
        pairs_pay_below=pay_below, sft_pays_above=sft_above, price_words=price_words(ranges, ratio),
        price_ratio=price_ratio, **pays_cols, decision=decision,
        **columns("head_to_head", versus), equivalence=equivalence_words(versus, margin(probe, metric), conf),
        decision_p=decision_p,
        mdc_pref=_mdc(d_pref, parent.estimate, probe, metric, conf),
        mdc_head_to_head=_mdc(versus, more.estimate, probe, metric, conf),
        n_seeds=d_pref.n_seeds, n_items=d_pref.n_items, resampled=d_pref.resampled)


def _mdc(est: Estimate, reference: float, probe: str, metric: str, confidence: float) -> float:
    """A change's minimum detectable size; a share's counts the variance the change itself brings (``share_mdc``)."""
    if margin(probe, metric) == RATE_MARGIN:
        return share_mdc(est, reference, confidence)
    return est.mdc(confidence)
